//! The kept versions of workflows: every save keeps the document as it was (who saved it,
//! when, how many nodes), the newest `MAX_KEPT_VERSIONS` per workflow. The rows only; what
//! members do with them is `version_history.rs`.

use crate::error::WorkflowServiceError as E;
use agente_auth::Principal;
use agente_core::WorkflowId;
use agente_store::sqlx::query;
use agente_store::{AnyConnection, AnyRow, Row};
use agente_workflow_model::Workflow;
use serde::Serialize;

/// How many versions of one workflow are kept (older ones go as new ones are saved).
pub const MAX_KEPT_VERSIONS: i64 = 100;

/// One kept version, without its document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    pub version: i64,
    /// The workflow's name in that version.
    pub name: String,
    pub node_count: i64,
    /// The member who saved it; none for an API key (or a version from before history).
    pub saved_by: Option<String>,
    /// Unix milliseconds.
    pub saved_at: i64,
}

impl VersionInfo {
    fn from_row(row: &AnyRow) -> Result<Self, E> {
        Ok(Self {
            version: row.try_get("version")?,
            name: row.try_get("name")?,
            node_count: row.try_get("node_count")?,
            saved_by: row.try_get("saved_by")?,
            saved_at: row.try_get("saved_at")?,
        })
    }
}

/// Keeps `workflow` as version `version` of `id`, in the transaction that stored it, and
/// lets the oldest beyond `MAX_KEPT_VERSIONS` go.
pub(crate) async fn keep(
    conn: &mut AnyConnection,
    p: &Principal,
    id: WorkflowId,
    workflow: &Workflow,
    version: i64,
    now: i64,
) -> Result<(), E> {
    query(
        "INSERT INTO workflow_versions \
         (tenant_id, workflow_id, version, name, definition, node_count, saved_by, saved_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(p.tenant_id.to_string())
    .bind(id.to_string())
    .bind(version)
    .bind(workflow.name())
    .bind(workflow.to_value().to_string())
    .bind(workflow.nodes().len() as i64)
    .bind(p.user_id.map(|u| u.to_string()))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    query(
        "DELETE FROM workflow_versions WHERE tenant_id = $1 AND workflow_id = $2 AND version <= $3",
    )
    .bind(p.tenant_id.to_string())
    .bind(id.to_string())
    .bind(version - MAX_KEPT_VERSIONS)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The kept versions of `id`, newest first.
pub(crate) async fn list(
    conn: &mut AnyConnection,
    p: &Principal,
    id: WorkflowId,
) -> Result<Vec<VersionInfo>, E> {
    let rows = query(
        "SELECT version, name, node_count, saved_by, saved_at FROM workflow_versions \
         WHERE tenant_id = $1 AND workflow_id = $2 ORDER BY version DESC",
    )
    .bind(p.tenant_id.to_string())
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(VersionInfo::from_row).collect()
}

/// Version `version` of `id` with its document.
pub(crate) async fn one(
    conn: &mut AnyConnection,
    p: &Principal,
    id: WorkflowId,
    version: i64,
) -> Result<(VersionInfo, Workflow), E> {
    let row = query(
        "SELECT version, name, node_count, saved_by, saved_at, definition FROM workflow_versions \
         WHERE tenant_id = $1 AND workflow_id = $2 AND version = $3",
    )
    .bind(p.tenant_id.to_string())
    .bind(id.to_string())
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(E::NotFound("workflow version"))?;
    let definition: String = row.try_get("definition")?;
    let workflow = Workflow::from_json(&definition)
        .map_err(|e| agente_store::StoreError::Corrupt(e.to_string()))?;
    Ok((VersionInfo::from_row(&row)?, workflow))
}
