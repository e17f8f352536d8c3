//! What a node sees while it runs: its parameters (expressions resolved per item), its input
//! items, and a place to leave logs and a webhook response.

use super::{Host, Item};
use crate::expr::Sandbox;
use agente_workflow_model::Node;
use agente_workflow_model::Template;
use serde_json::Value;

/// Why a node failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NodeError {
    #[error("parameter `{parameter}`: expression `{{{{ {expression} }}}}` failed: {message}")]
    Expression {
        parameter: String,
        expression: String,
        message: String,
    },
    #[error("parameter `{parameter}`: {message}")]
    Parameter { parameter: String, message: String },
    #[error("{0}")]
    Failed(String),
}

impl NodeError {
    pub fn parameter(parameter: &str, message: impl Into<String>) -> Self {
        NodeError::Parameter {
            parameter: parameter.to_string(),
            message: message.into(),
        }
    }
}

/// The answer a Respond-to-Webhook node chose.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    /// The workflow answers an HTML page on purpose (Respond to Webhook with text and an
    /// HTML content type): its scripts may run, in a sandbox.
    pub html: bool,
}

/// A Wait node's request to suspend the execution (see `RunRequest::durable_waits`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suspend {
    /// When it goes on by itself; `None` for a webhook resume without a time limit.
    pub till_ms: Option<i64>,
    pub on_webhook: bool,
}

/// One node run's view of the world.
pub struct NodeContext<'a> {
    pub node: &'a Node,
    /// The whole workflow: root AI nodes find their sub-nodes by its connections.
    pub(crate) workflow: &'a agente_workflow_model::Workflow,
    /// Items per input index.
    pub inputs: Vec<Vec<Item>>,
    pub run_index: usize,
    pub(crate) sandbox: &'a Sandbox,
    pub(crate) credentials: &'a std::collections::HashMap<String, Value>,
    /// Calls to user-given URLs: the network policy holds at every hop.
    pub(crate) http: &'a agente_network::OutboundHttp,
    /// What the whole execution may still consume.
    pub(crate) budget: &'a super::ExecutionBudget,
    pub(crate) host: Option<&'a dyn Host>,
    pub(crate) execution_id: agente_core::ExecutionId,
    pub(crate) depth: u8,
    /// When this node run started (Unix ms).
    pub(crate) now_ms: i64,
    /// Whether this node may suspend the execution (`suspend`).
    pub(crate) durable_waits: bool,
    /// What this node kept from its previous run in this execution (`Null` at first).
    pub state: Value,
    pub logs: Vec<String>,
    pub response: Option<WebhookResponse>,
    /// Set by a Wait node to suspend the execution after this run.
    pub suspend: Option<Suspend>,
}

impl NodeContext<'_> {
    /// The items of input 0.
    pub fn input(&self) -> &[Item] {
        self.inputs.first().map(Vec::as_slice).unwrap_or_default()
    }

    /// The parameter at a dotted path, unevaluated.
    pub fn raw(&self, path: &str) -> Option<&Value> {
        raw_parameter(self.node, path)
    }

    /// The parameter at a dotted path with every expression in it evaluated for `item`.
    pub fn param(&self, path: &str, item: usize) -> Result<Option<Value>, NodeError> {
        self.param_of(self.node, path, item)
    }

    /// A parameter of another node (an AI sub-node), evaluated for this node's `item`, as
    /// n8n evaluates a sub-node's parameters in its root node's context.
    pub fn param_of(
        &self,
        node: &Node,
        path: &str,
        item: usize,
    ) -> Result<Option<Value>, NodeError> {
        raw_parameter(node, path)
            .map(|v| self.resolve(v, item, path))
            .transpose()
    }

    pub fn param_or(&self, path: &str, item: usize, default: Value) -> Result<Value, NodeError> {
        Ok(self
            .param(path, item)?
            .filter(|v| !v.is_null())
            .unwrap_or(default))
    }

    pub fn string(&self, path: &str, item: usize, default: &str) -> Result<String, NodeError> {
        Ok(match self.param(path, item)? {
            None | Some(Value::Null) => default.to_string(),
            Some(Value::String(s)) => s,
            Some(other) => other.to_string(),
        })
    }

    pub fn bool(&self, path: &str, item: usize, default: bool) -> Result<bool, NodeError> {
        match self.param(path, item)? {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(b),
            Some(Value::String(s)) if s == "true" || s == "false" => Ok(s == "true"),
            Some(other) => Err(NodeError::parameter(
                path,
                format!("expected true or false, got {other}"),
            )),
        }
    }

    pub fn number(&self, path: &str, item: usize, default: f64) -> Result<f64, NodeError> {
        match self.param(path, item)? {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Number(n)) => Ok(n.as_f64().unwrap_or(default)),
            Some(Value::String(s)) if s.trim().parse::<f64>().is_ok() => {
                Ok(s.trim().parse().unwrap_or(default))
            }
            Some(other) => Err(NodeError::parameter(
                path,
                format!("expected a number, got {other}"),
            )),
        }
    }

    /// Evaluates expressions anywhere inside `value`.
    pub fn resolve(&self, value: &Value, item: usize, path: &str) -> Result<Value, NodeError> {
        match value {
            Value::String(s) => match Template::parse(s) {
                None => Ok(value.clone()),
                Some(Err(e)) => Err(NodeError::parameter(path, e.to_string())),
                Some(Ok(template)) => {
                    self.sandbox
                        .evaluate(&template, item)
                        .map_err(|e| NodeError::Expression {
                            parameter: path.to_string(),
                            expression: template
                                .expressions()
                                .collect::<Vec<_>>()
                                .join(" }} … {{ "),
                            message: e.to_string(),
                        })
                }
            },
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| self.resolve(v, item, &format!("{path}.{i}")))
                .collect::<Result<_, _>>()
                .map(Value::Array),
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| Ok((k.clone(), self.resolve(v, item, &format!("{path}.{k}"))?)))
                .collect::<Result<_, _>>()
                .map(Value::Object),
            other => Ok(other.clone()),
        }
    }

    pub(crate) fn sandbox(&self) -> &Sandbox {
        self.sandbox
    }

    /// The shared client for user-given URLs.
    pub(crate) fn http(&self) -> &agente_network::OutboundHttp {
        self.http
    }

    /// What the execution may still consume.
    pub(crate) fn budget(&self) -> &super::ExecutionBudget {
        self.budget
    }

    /// Where this run's calls may go.
    pub(crate) fn network(&self) -> &super::NetworkPolicy {
        self.http.policy()
    }

    /// The data of the credential of type `kind` this node references (by id, else name).
    pub fn credential(&self, kind: &str) -> Result<&Value, NodeError> {
        node_credential(self.node, kind, self.credentials).map_err(NodeError::Failed)
    }
}

/// A node's parameter at a dotted path (`options.maxTokens`, `messages.values.0`), unevaluated.
pub(crate) fn raw_parameter<'n>(node: &'n Node, path: &str) -> Option<&'n Value> {
    let mut parts = path.split('.');
    let mut current = node.parameters().get(parts.next()?)?;
    for part in parts {
        current = match current {
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            other => other.as_object()?.get(part)?,
        };
    }
    Some(current)
}

/// The data of the credential of type `kind` that `node` references (by id, else by name),
/// among the decrypted credentials of its workflow.
pub fn node_credential<'c>(
    node: &Node,
    kind: &str,
    credentials: &'c std::collections::HashMap<String, Value>,
) -> Result<&'c Value, String> {
    let reference = node
        .credentials
        .get()
        .and_then(|c| c.get(kind))
        .ok_or_else(|| format!("the node needs a `{kind}` credential"))?;
    reference
        .id
        .get()
        .and_then(|id| credentials.get(id))
        .or_else(|| reference.name.get().and_then(|n| credentials.get(n)))
        .ok_or_else(|| format!("the `{kind}` credential of this node does not exist"))
}
