//! Validation: every problem, each with its node and a JSON path, never just the first.

use crate::{Node, Workflow, catalogue};
use serde::Serialize;
use std::collections::HashMap;

/// How bad an issue is: errors stop a run or an activation, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a workflow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub severity: Severity,
    /// Stable code, e.g. `dangling_connection`.
    pub code: &'static str,
    /// The node concerned, by name, when there is one.
    pub node: Option<String>,
    /// JSON Pointer into the workflow document.
    pub path: String,
    pub message: String,
}

/// Most nodes a workflow may have; n8n's editor struggles long before.
pub const MAX_NODES: usize = 2_000;
const MAX_NAME: usize = 128;
/// Longest `settings.executionTimeout`, seconds (a day; n8n's `EXECUTIONS_TIMEOUT_MAX`
/// plays the same part).
pub const MAX_EXECUTION_TIMEOUT_SECS: f64 = 86_400.0;

/// Checks `workflow`; `supported` says whether the engine can run a node (type and version).
pub fn validate(workflow: &Workflow, supported: &dyn Fn(&Node) -> bool) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut error = |code, node: Option<&str>, path: String, message: String| {
        issues.push(Issue {
            severity: Severity::Error,
            code,
            node: node.map(str::to_string),
            path,
            message,
        });
    };
    if workflow.name().trim().is_empty() {
        error(
            "missing_name",
            None,
            "/name".into(),
            "the workflow has no name".into(),
        );
    }
    let nodes = workflow.nodes();
    if nodes.len() > MAX_NODES {
        error(
            "too_many_nodes",
            None,
            "/nodes".into(),
            format!("{} nodes; at most {MAX_NODES} are allowed", nodes.len()),
        );
    }
    let by_name = check_nodes(nodes, supported, &mut error);
    check_settings(workflow, &mut error);
    let has_trigger = nodes
        .iter()
        .any(|n| !n.is_disabled() && catalogue::is_trigger(&n.kind));
    if !nodes.is_empty() && !has_trigger {
        error(
            "missing_trigger",
            None,
            "/nodes".into(),
            "the workflow has no enabled trigger node to start it".into(),
        );
    }
    if nodes.is_empty() {
        error(
            "no_nodes",
            None,
            "/nodes".into(),
            "the workflow has no nodes".into(),
        );
    }
    check_connections(workflow, &by_name, &mut error);
    issues
}

/// Node names and ids are unique and sized, types supported, positions `[x, y]`. Answers
/// each name's index.
fn check_nodes<'w>(
    nodes: &'w [Node],
    supported: &dyn Fn(&Node) -> bool,
    error: &mut impl FnMut(&'static str, Option<&str>, String, String),
) -> HashMap<&'w str, usize> {
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        let name = node.name.as_str();
        if name.trim().is_empty() || name.chars().count() > MAX_NAME {
            error(
                "bad_node_name",
                Some(name),
                format!("/nodes/{i}/name"),
                format!("node names need 1 to {MAX_NAME} characters"),
            );
        }
        if let Some(first) = by_name.insert(name, i) {
            error(
                "duplicate_node_name",
                Some(name),
                format!("/nodes/{i}/name"),
                format!("another node (/nodes/{first}) already has the name `{name}`"),
            );
        }
        if let Some(id) = node.id.get()
            && let Some(first) = by_id.insert(id.as_str(), i)
        {
            error(
                "duplicate_node_id",
                Some(name),
                format!("/nodes/{i}/id"),
                format!("node id `{id}` is also used by /nodes/{first}"),
            );
        }
        if !supported(node) {
            error(
                "unsupported_node_type",
                Some(name),
                format!("/nodes/{i}/type"),
                format!(
                    "node type `{}` (version {}) is not supported",
                    node.kind,
                    node.type_version()
                ),
            );
        }
        if node.position.get().is_some_and(|p| p.len() != 2) {
            error(
                "bad_position",
                Some(name),
                format!("/nodes/{i}/position"),
                "a position is [x, y]".into(),
            );
        }
    }
    by_name
}

/// Every connection starts and ends at a node.
fn check_connections(
    workflow: &Workflow,
    by_name: &HashMap<&str, usize>,
    error: &mut impl FnMut(&'static str, Option<&str>, String, String),
) {
    for (source, by_type) in workflow.connections().into_iter().flatten() {
        let src = pointer_escape(source);
        if !by_name.contains_key(source.as_str()) {
            error(
                "dangling_connection",
                Some(source),
                format!("/connections/{src}"),
                format!("connections start at `{source}`, which is not a node"),
            );
        }
        for (kind, outputs) in by_type {
            for (o, targets) in outputs.iter().enumerate() {
                for (k, target) in targets.iter().flatten().enumerate() {
                    if !by_name.contains_key(target.node.as_str()) {
                        error(
                            "dangling_connection",
                            Some(source),
                            format!("/connections/{src}/{}/{o}/{k}/node", pointer_escape(kind)),
                            format!(
                                "`{source}` connects to `{}`, which is not a node",
                                target.node
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// The workflow settings the engine reads as numbers must be in range. (Other settings are
/// read leniently, as n8n reads them: real exports carry ids as numbers or strings.)
fn check_settings(
    workflow: &Workflow,
    error: &mut impl FnMut(&'static str, Option<&str>, String, String),
) {
    use serde_json::Value;
    if let Some(timeout) = workflow.setting("executionTimeout") {
        let fine = match timeout {
            Value::Number(n) => n.as_f64().is_some_and(|s| {
                s == -1.0 || (s.is_finite() && s > 0.0 && s <= MAX_EXECUTION_TIMEOUT_SECS)
            }),
            Value::Null => true,
            _ => false,
        };
        if !fine {
            error(
                "bad_setting",
                None,
                "/settings/executionTimeout".into(),
                format!(
                    "executionTimeout is seconds from 1 to {MAX_EXECUTION_TIMEOUT_SECS}, or -1 for none"
                ),
            );
        }
    }
}

/// Escapes a JSON Pointer segment (RFC 6901).
fn pointer_escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}
