//! The editor's load and save: the whole n8n document, and the version a save is based on so
//! that two people editing one workflow never overwrite each other unawares.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::workflows::parse_id;
#[cfg(feature = "ssr")]
use crate::ssr::{context, require_principal, server_error};

/// A workflow as the editor opens it: the n8n JSON exactly as stored, and its version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditorDocument {
    pub id: String,
    pub version: i64,
    pub active: bool,
    pub json: String,
}

/// What a save did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SaveOutcome {
    /// Stored as `version` (a new workflow got `id`).
    Saved { id: String, version: i64 },
    /// Someone saved since the version the editor opened; nothing was changed. The editor
    /// offers to reload theirs or overwrite it with this one.
    Conflict { current: i64 },
}

#[server(prefix = "/sfn", endpoint = "workflow_document")]
pub async fn workflow_document(id: String) -> Result<EditorDocument, ServerFnError> {
    let p = require_principal()?;
    let id: agente_core::WorkflowId = parse_id(&id, "workflow")?;
    let stored = context()?
        .workflows
        .get(&p, id)
        .await
        .map_err(server_error)?;
    Ok(EditorDocument {
        id: stored.id.to_string(),
        version: stored.version,
        active: stored.active,
        json: stored.workflow.to_value().to_string(),
    })
}

/// Saves the editor's document: a new workflow when `id` is none, else a new version of
/// `id` if it is still at `expected_version` (none overwrites whatever is there).
#[server(prefix = "/sfn", endpoint = "save_workflow", input = Json)]
pub async fn save_workflow(
    id: Option<String>,
    json: String,
    expected_version: Option<i64>,
) -> Result<SaveOutcome, ServerFnError> {
    use agente_workflows::WorkflowServiceError as E;
    let p = require_principal()?;
    let svc = context()?.workflows;
    let Some(id) = id else {
        let stored = svc.create_one(&p, &json).await.map_err(server_error)?;
        return Ok(SaveOutcome::Saved {
            id: stored.id.to_string(),
            version: stored.version,
        });
    };
    let id: agente_core::WorkflowId = parse_id(&id, "workflow")?;
    match svc.update(&p, id, &json, expected_version).await {
        Ok(stored) => Ok(SaveOutcome::Saved {
            id: stored.id.to_string(),
            version: stored.version,
        }),
        Err(E::VersionConflict { current, .. }) => Ok(SaveOutcome::Conflict { current }),
        Err(e) => Err(server_error(e)),
    }
}

/// A credential a node can be given (never its secret).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CredentialChoice {
    pub id: String,
    pub name: String,
    /// n8n's credential type name (`httpHeaderAuth`).
    pub kind: String,
}

/// The workspace's credentials, for the node details' pickers.
#[server(prefix = "/sfn", endpoint = "node_credentials")]
pub async fn node_credentials() -> Result<Vec<CredentialChoice>, ServerFnError> {
    let p = require_principal()?;
    let list = context()?
        .workflows
        .credentials()
        .list(&p)
        .await
        .map_err(server_error)?;
    Ok(list
        .into_iter()
        .map(|c| CredentialChoice {
            id: c.id.to_string(),
            name: c.name,
            kind: c.kind,
        })
        .collect())
}

/// Creates a credential from the node details ("Create new"): its secret fields are sealed
/// by the credentials service and never come back.
#[server(prefix = "/sfn", endpoint = "create_node_credential", input = Json)]
pub async fn create_node_credential(
    name: String,
    kind: String,
    data: serde_json::Map<String, serde_json::Value>,
) -> Result<CredentialChoice, ServerFnError> {
    let p = require_principal()?;
    let created = context()?
        .workflows
        .credentials()
        .create(&p, agente_workflows::NewCredential { name, kind, data })
        .await
        .map_err(server_error)?;
    Ok(CredentialChoice {
        id: created.id.to_string(),
        name: created.name,
        kind: created.kind,
    })
}

/// An expression's value for one input item of a node, computed by the engine a run uses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExpressionValue {
    /// The value, or why the expression failed (the run's own message).
    pub result: Result<serde_json::Value, String>,
    /// How many input items the node has in the run previewed.
    pub items: usize,
}

/// Previews `expression` (a parameter of `node` in the editor's document `json`) for input
/// item `item` of the run `execution` (none before a first run; pinned items count).
#[server(prefix = "/sfn", endpoint = "preview_expression", input = Json)]
pub async fn preview_expression(
    json: String,
    node: String,
    expression: String,
    item: usize,
    execution: Option<String>,
) -> Result<ExpressionValue, ServerFnError> {
    let p = require_principal()?;
    let execution = match execution {
        Some(id) => Some(parse_id(&id, "execution")?),
        None => None,
    };
    let query = agente_workflows::PreviewQuery {
        document: json,
        node,
        expression,
        item,
        execution,
    };
    let preview = context()?
        .workflows
        .preview_expression(&p, query)
        .await
        .map_err(server_error)?;
    Ok(ExpressionValue {
        result: preview.result,
        items: preview.items,
    })
}

/// Runs workflow `id` as the editor has it (`json`, saved or not) by its manual trigger;
/// with `destination`, only up to that node, reusing what the nodes before it gave in run
/// `previous` ("execute step"). Answers the execution id.
#[server(prefix = "/sfn", endpoint = "run_in_editor", input = Json)]
pub async fn run_in_editor(
    id: String,
    json: String,
    destination: Option<String>,
    previous: Option<String>,
) -> Result<String, ServerFnError> {
    let p = require_principal()?;
    let id: agente_core::WorkflowId = parse_id(&id, "workflow")?;
    let previous = match previous {
        Some(e) => Some(parse_id(&e, "execution")?),
        None => None,
    };
    let run = agente_workflows::EditorRun {
        document: json,
        destination,
        previous,
    };
    let record = context()?
        .workflows
        .run_from_editor(&p, id, run)
        .await
        .map_err(server_error)?;
    Ok(record.id.to_string())
}
