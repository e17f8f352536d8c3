//! A workflow's version history for the UI: the kept versions (who saved each, when), one
//! version's document, what changed between two, and restoring one as a new version.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use agente_workflow_model::diff::Changes;

#[cfg(feature = "ssr")]
use super::workflows::parse_id;
#[cfg(feature = "ssr")]
use crate::ssr::{context, require_principal, server_error};

/// One kept version, as the history lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionRow {
    pub version: i64,
    pub name: String,
    pub node_count: i64,
    /// The member's e-mail (their id when the caller may not list members), or "API key".
    pub saved_by: String,
    pub saved_at: i64,
}

/// One version with its n8n document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionView {
    pub row: VersionRow,
    pub json: String,
    /// The workflow's newest version (what a restore would replace).
    pub latest: i64,
}

#[cfg(feature = "ssr")]
async fn rows(
    p: &agente_auth::Principal,
    versions: Vec<agente_workflows::VersionInfo>,
) -> Result<Vec<VersionRow>, ServerFnError> {
    // Names for ids where the caller may see the members; ids otherwise.
    let members = context()?.auth.list_members(p).await.unwrap_or_default();
    Ok(versions
        .into_iter()
        .map(|v| VersionRow {
            saved_by: match &v.saved_by {
                None => "API key or import".into(),
                Some(id) => members
                    .iter()
                    .find(|m| m.id.to_string() == *id)
                    .map_or_else(|| id.clone(), |m| m.email.clone()),
            },
            version: v.version,
            name: v.name,
            node_count: v.node_count,
            saved_at: v.saved_at,
        })
        .collect())
}

#[server(prefix = "/sfn", endpoint = "workflow_versions")]
pub async fn workflow_versions(id: String) -> Result<Vec<VersionRow>, ServerFnError> {
    let p = require_principal()?;
    let id: agente_core::WorkflowId = parse_id(&id, "workflow")?;
    let versions = context()?
        .workflows
        .versions(&p, id)
        .await
        .map_err(server_error)?;
    rows(&p, versions).await
}

#[server(prefix = "/sfn", endpoint = "workflow_version")]
pub async fn workflow_version(id: String, version: i64) -> Result<VersionView, ServerFnError> {
    let p = require_principal()?;
    let id: agente_core::WorkflowId = parse_id(&id, "workflow")?;
    let svc = context()?.workflows;
    let (info, workflow) = svc.version(&p, id, version).await.map_err(server_error)?;
    let latest = svc.get(&p, id).await.map_err(server_error)?.version;
    let row = rows(&p, vec![info]).await?.remove(0);
    Ok(VersionView {
        row,
        json: workflow.to_value().to_string(),
        latest,
    })
}

#[server(prefix = "/sfn", endpoint = "compare_versions")]
pub async fn compare_versions(id: String, from: i64, to: i64) -> Result<Changes, ServerFnError> {
    let p = require_principal()?;
    let id: agente_core::WorkflowId = parse_id(&id, "workflow")?;
    context()?
        .workflows
        .compare_versions(&p, id, from, to)
        .await
        .map_err(server_error)
}

/// Saves `version`'s document as the newest version, if the workflow is still at `latest`.
#[server(prefix = "/sfn", endpoint = "restore_version")]
pub async fn restore_version(id: String, version: i64, latest: i64) -> Result<i64, ServerFnError> {
    let p = require_principal()?;
    let id: agente_core::WorkflowId = parse_id(&id, "workflow")?;
    let restored = context()?
        .workflows
        .restore_version(&p, id, version, Some(latest))
        .await
        .map_err(server_error)?;
    Ok(restored.version)
}
