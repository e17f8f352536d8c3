//! The service's answers as the REST API sends them, in the shape of n8n's public API:
//! typed, so that the handlers and the OpenAPI document (feature `openapi`) cannot drift
//! apart. Built from the records with `From`.

use crate::credentials::CredentialInfo;
use crate::records::{ExecutionRecord, WorkflowRef, iso, result_data};
use crate::store::StoredWorkflow;
use agente_core::{CredentialId, ExecutionId, ExecutionMode, ExecutionStatus, WorkflowId};
use serde::Serialize;
use serde_json::{Map, Value};

/// A workflow: the n8n document as it was saved (unknown fields kept), with the service's
/// id, active flag, times and version.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WorkflowBody {
    pub id: WorkflowId,
    /// `name`, `nodes`, `connections`, `settings`, `pinData`, `staticData`, `meta`, `tags`
    /// and any other field of the document.
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub document: Map<String, Value>,
    pub active: bool,
    /// ISO-8601, UTC.
    pub created_at: String,
    pub updated_at: String,
    /// Changes on every save.
    pub version_id: String,
}

/// The keys the service writes over the document's own.
const SERVICE_KEYS: [&str; 5] = ["id", "active", "createdAt", "updatedAt", "versionId"];

impl From<&StoredWorkflow> for WorkflowBody {
    fn from(stored: &StoredWorkflow) -> Self {
        let mut document = match stored.workflow.to_value() {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        for key in SERVICE_KEYS {
            document.shift_remove(key);
        }
        Self {
            id: stored.id,
            document,
            active: stored.active,
            created_at: iso(stored.created_at),
            updated_at: iso(stored.updated_at),
            version_id: stored.version.to_string(),
        }
    }
}

/// An execution.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExecutionBody {
    pub id: ExecutionId,
    /// Whether it succeeded (n8n's meaning of `finished`).
    pub finished: bool,
    pub mode: ExecutionMode,
    /// Always `null`: a retry is a new execution here (n8n's field, kept for its clients).
    pub retry_of: Option<String>,
    /// Always `null`, as `retryOf`.
    pub retry_success_id: Option<String>,
    pub started_at: String,
    pub stopped_at: Option<String>,
    /// The workflow's id, or `<parent execution id>:inline` for a workflow its parent gave.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub workflow_id: WorkflowRef,
    /// When a waiting execution goes on by itself.
    pub wait_till: Option<String>,
    pub status: ExecutionStatus,
    /// `{"resultData": {"runData", "lastNodeExecuted", "error"}}`: for a run that just
    /// finished, or when asked for with `includeData`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub data: Option<Value>,
}

impl From<&ExecutionRecord> for ExecutionBody {
    fn from(r: &ExecutionRecord) -> Self {
        Self {
            id: r.id,
            finished: r.status == ExecutionStatus::Success,
            mode: r.mode,
            retry_of: None,
            retry_success_id: None,
            started_at: iso(r.started_at),
            stopped_at: r.finished_at.map(iso),
            workflow_id: r.workflow_id,
            wait_till: r
                .wait_till
                .filter(|_| r.status == ExecutionStatus::Waiting)
                .map(iso),
            status: r.status,
            data: r
                .data
                .clone()
                .or_else(|| r.execution.as_ref().map(result_data)),
        }
    }
}

/// A credential as listed: never its data.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CredentialBody {
    pub id: CredentialId,
    pub name: String,
    /// n8n's credential type (`httpBasicAuth`, `openAiApi`, …).
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&CredentialInfo> for CredentialBody {
    fn from(c: &CredentialInfo) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            kind: c.kind.clone(),
            created_at: iso(c.created_at),
            updated_at: iso(c.updated_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use agente_workflow_model::Workflow;
    use serde_json::json;

    #[test]
    fn the_service_fields_replace_the_documents_own_once() {
        let workflow = Workflow::from_json(
            r#"{"id":"n8n-id","name":"W","active":true,"nodes":[],"connections":{},
                "createdAt":"then","versionId":"v9","x":{"y":[1,2]}}"#,
        )
        .unwrap();
        let stored = StoredWorkflow {
            id: WorkflowId::new(),
            workflow,
            active: false,
            version: 3,
            created_at: 0,
            updated_at: 1_000,
        };
        let text = serde_json::to_string(&WorkflowBody::from(&stored)).unwrap();
        assert_eq!(text.matches("\"id\"").count(), 1, "{text}");
        assert_eq!(text.matches("\"active\"").count(), 1, "{text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["id"], json!(stored.id));
        assert_eq!(body["active"], json!(false));
        assert_eq!(body["createdAt"], json!("1970-01-01T00:00:00.000Z"));
        assert_eq!(body["updatedAt"], json!("1970-01-01T00:00:01.000Z"));
        assert_eq!(body["versionId"], json!("3"));
        assert_eq!(body["name"], json!("W"));
        assert_eq!(body["x"], json!({"y": [1, 2]}));
    }
}
