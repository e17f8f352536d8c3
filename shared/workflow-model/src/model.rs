//! n8n's workflow export format.
//!
//! Known members are typed; everything else lands in `extra` and is written back as read.
//! Optional members are [`Field`]s so that "absent" and `null` survive a round trip, and
//! numbers stay [`serde_json::Number`] so `2` does not come back as `2.0`.

use crate::Field;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

/// Source node name → connection type (`main`, `ai_tool`, …) → per output index, the
/// targets (`null` where n8n wrote null).
pub type Connections = IndexMap<String, IndexMap<String, Vec<Option<Vec<Connection>>>>>;

/// A workflow as n8n exports it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workflow {
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub id: Field<Value>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub name: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub nodes: Field<Vec<Node>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub connections: Field<Connections>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub active: Field<bool>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub settings: Field<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub pin_data: Field<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub static_data: Field<Value>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub meta: Field<Value>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub tags: Field<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One node of a workflow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub id: Field<String>,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub type_version: Field<Number>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub position: Field<Vec<Number>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub parameters: Field<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub credentials: Field<IndexMap<String, NodeCredential>>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub disabled: Field<bool>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub notes: Field<String>,
    /// `stopWorkflow` (default), `continueRegularOutput` or `continueErrorOutput`.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub on_error: Field<String>,
    /// Legacy form of `onError: continueRegularOutput`.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub continue_on_fail: Field<bool>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub retry_on_fail: Field<bool>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub max_tries: Field<Number>,
    /// Milliseconds.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub wait_between_tries: Field<Number>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub always_output_data: Field<bool>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub execute_once: Field<bool>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub webhook_id: Field<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A credential reference on a node: `{"id": "…", "name": "…"}` under the credential type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeCredential {
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub id: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub name: Field<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One edge: into `node`'s input `index` of connection type `kind`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub node: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub index: u32,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What a node does when it fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    StopWorkflow,
    ContinueRegularOutput,
    ContinueErrorOutput,
}

/// Why a document is not a workflow.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error("not a valid n8n workflow: {0}")]
    Json(#[from] serde_json::Error),
    #[error("expected a workflow object or an array of workflows")]
    NotAWorkflow,
}

impl Workflow {
    /// Parses one workflow from n8n JSON.
    pub fn from_json(text: &str) -> Result<Self, WorkflowError> {
        Ok(serde_json::from_str(text)?)
    }

    /// Parses either one workflow or an array of them (n8n exports both).
    pub fn many_from_json(text: &str) -> Result<Vec<Self>, WorkflowError> {
        match serde_json::from_str::<Value>(text)? {
            Value::Array(items) => items
                .into_iter()
                .map(|v| Ok(serde_json::from_value(v)?))
                .collect(),
            v @ Value::Object(_) => Ok(vec![serde_json::from_value(v)?]),
            _ => Err(WorkflowError::NotAWorkflow),
        }
    }

    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("a workflow always serialises")
    }

    pub fn name(&self) -> &str {
        self.name.get().map(String::as_str).unwrap_or_default()
    }

    pub fn nodes(&self) -> &[Node] {
        self.nodes.get().map(Vec::as_slice).unwrap_or_default()
    }

    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes().iter().find(|n| n.name == name)
    }

    pub fn connections(&self) -> Option<&Connections> {
        self.connections.get()
    }

    /// A workflow setting, e.g. `executionTimeout` or `errorWorkflow`.
    pub fn setting(&self, key: &str) -> Option<&Value> {
        self.settings.get().and_then(|s| s.get(key))
    }
}

impl Node {
    pub fn parameters(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        self.parameters
            .get()
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
    }

    pub fn is_disabled(&self) -> bool {
        self.disabled.or(false)
    }

    /// Where the canvas draws the node: `position` `[x, y]`, 0 for a missing coordinate.
    pub fn xy(&self) -> (f64, f64) {
        let p = self.position.get();
        let at = |i: usize| {
            p.and_then(|p| p.get(i))
                .and_then(Number::as_f64)
                .unwrap_or(0.0)
        };
        (at(0), at(1))
    }

    /// The effective error behaviour, honouring the legacy `continueOnFail`.
    pub fn on_error(&self) -> OnError {
        match self.on_error.get().map(String::as_str) {
            Some("continueRegularOutput") => OnError::ContinueRegularOutput,
            Some("continueErrorOutput") => OnError::ContinueErrorOutput,
            Some(_) => OnError::StopWorkflow,
            None if self.continue_on_fail.or(false) => OnError::ContinueRegularOutput,
            None => OnError::StopWorkflow,
        }
    }

    /// `typeVersion` as a float (n8n uses 1, 2.1, 3.4 …); 1 when absent.
    pub fn type_version(&self) -> f64 {
        self.type_version
            .get()
            .and_then(Number::as_f64)
            .unwrap_or(1.0)
    }

    /// Retry settings: (tries in total, wait between tries in ms). n8n defaults: 3 and 1000.
    pub fn retry(&self) -> Option<(u32, u64)> {
        if !self.retry_on_fail.or(false) {
            return None;
        }
        let tries = self
            .max_tries
            .get()
            .and_then(Number::as_u64)
            .unwrap_or(3)
            .clamp(1, 5) as u32;
        let wait = self
            .wait_between_tries
            .get()
            .and_then(Number::as_u64)
            .unwrap_or(1000)
            .min(5000);
        Some((tries, wait))
    }
}
