//! What the service hands out about executions: records and queries, in n8n's public-API
//! shape where it has one. Plain data; the rows they come from are `lifecycle.rs`'s.

use crate::executions::run_data;
use agente_core::{ExecutionId, ExecutionMode, ExecutionStatus, WorkflowId};
use agente_engine::Execution;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::fmt;
use std::str::FromStr;

/// The workflow an execution ran: a stored one, or one its parent gave inline (Execute
/// Workflow with the workflow as a parameter), which has no id of its own. Stored as text:
/// the workflow's id, or `<parent execution id>:inline`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkflowRef {
    Stored(WorkflowId),
    Inline { parent: ExecutionId },
}

impl WorkflowRef {
    /// The stored workflow, when it is one.
    pub fn stored(self) -> Option<WorkflowId> {
        match self {
            WorkflowRef::Stored(id) => Some(id),
            WorkflowRef::Inline { .. } => None,
        }
    }
}

impl fmt::Display for WorkflowRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkflowRef::Stored(id) => id.fmt(f),
            WorkflowRef::Inline { parent } => write!(f, "{parent}:inline"),
        }
    }
}

impl FromStr for WorkflowRef {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.strip_suffix(":inline") {
            Some(parent) => Ok(WorkflowRef::Inline {
                parent: parent.parse()?,
            }),
            None => s.parse().map(WorkflowRef::Stored),
        }
    }
}

impl TryFrom<String> for WorkflowRef {
    type Error = uuid::Error;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl Serialize for WorkflowRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl From<WorkflowId> for WorkflowRef {
    fn from(id: WorkflowId) -> Self {
        WorkflowRef::Stored(id)
    }
}

/// An execution as stored.
#[derive(Clone, Debug)]
pub struct ExecutionRecord {
    pub id: ExecutionId,
    pub workflow_id: WorkflowRef,
    pub status: ExecutionStatus,
    pub mode: ExecutionMode,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// When a waiting execution goes on by itself.
    pub wait_till: Option<i64>,
    pub error: Option<String>,
    /// Present for a run that just finished, or when asked for with `includeData`.
    pub execution: Option<Execution>,
    pub data: Option<Value>,
}

impl ExecutionRecord {
    /// The run data as stored: `resultData` compressed and capped at `cap` bytes.
    pub(crate) fn encoded_data(&self, cap: usize) -> Option<Vec<u8>> {
        let execution = self.execution.as_ref()?;
        Some(run_data::encode(&result_data(execution), cap))
    }
}

/// `resultData` as n8n stores it.
pub(crate) fn result_data(e: &Execution) -> Value {
    json!({ "resultData": {
        "runData": e.run_data,
        "lastNodeExecuted": e.last_node,
        "error": e.error.as_ref().map(|err| json!({ "message": err.message, "node": err.node })),
    }})
}

/// `GET /executions` filters.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionQuery {
    pub workflow_id: Option<String>,
    pub status: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    pub include_data: Option<bool>,
}

/// A page of results and where the next starts (n8n's `nextCursor`; `null`: no more).
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The same page, each item as its API body (`crate::bodies`).
    pub fn bodies<'a, B: From<&'a T>>(&'a self) -> Page<B> {
        Page {
            data: self.data.iter().map(B::from).collect(),
            next_cursor: self.next_cursor.clone(),
        }
    }
}

/// Unix milliseconds as ISO-8601 UTC.
pub fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_refs_read_back_as_written() {
        let stored = WorkflowRef::Stored(WorkflowId::new());
        let inline = WorkflowRef::Inline {
            parent: ExecutionId::new(),
        };
        for r in [stored, inline] {
            assert_eq!(r.to_string().parse::<WorkflowRef>().unwrap(), r);
        }
        assert!(inline.to_string().ends_with(":inline"));
        assert!("abc".parse::<WorkflowRef>().is_err());
    }
}
