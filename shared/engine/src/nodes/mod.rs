//! The node types the engine runs, by n8n type name. One `match` dispatches them; each
//! module implements a family of nodes from n8n's documented behaviour.

mod ai;
mod code;
mod conditions;
mod data;
mod dates;
mod email;
mod flow;
mod html;
mod http;
mod markdown;
mod merge;
mod respond;
mod set;
mod slack;
mod switch;
mod transform;
mod wait;
mod xml;

use super::{Item, NodeContext, NodeError};
use agente_workflow_model::Node;

type Outputs = Vec<Vec<Item>>;

/// How a node type runs, which decides where it runs (`runs_in_place`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Runs {
    /// Runs a tenant's program (Code, Function).
    Program,
    /// Only computes over its items.
    Compute,
    /// Stays on the runtime's workers: it waits on the network or a timer, or does next
    /// to nothing.
    OnWorkers,
}

/// Node types this engine can run (with the versions it understands), and how each runs.
const NODES: &[(&str, Runs)] = &[
    ("n8n-nodes-base.manualTrigger", Runs::Compute),
    ("n8n-nodes-base.webhook", Runs::Compute),
    ("n8n-nodes-base.scheduleTrigger", Runs::Compute),
    ("n8n-nodes-base.cron", Runs::Compute),
    ("n8n-nodes-base.executeWorkflowTrigger", Runs::Compute),
    ("n8n-nodes-base.errorTrigger", Runs::Compute),
    ("n8n-nodes-base.noOp", Runs::Compute),
    ("n8n-nodes-base.stickyNote", Runs::OnWorkers),
    ("n8n-nodes-base.set", Runs::Compute),
    ("n8n-nodes-base.if", Runs::Compute),
    ("n8n-nodes-base.filter", Runs::Compute),
    ("n8n-nodes-base.merge", Runs::Compute),
    ("n8n-nodes-base.limit", Runs::Compute),
    ("n8n-nodes-base.sort", Runs::Compute),
    ("n8n-nodes-base.splitOut", Runs::Compute),
    ("n8n-nodes-base.aggregate", Runs::Compute),
    ("n8n-nodes-base.removeDuplicates", Runs::Compute),
    ("n8n-nodes-base.stopAndError", Runs::Compute),
    ("n8n-nodes-base.code", Runs::Program),
    ("n8n-nodes-base.function", Runs::Program),
    ("n8n-nodes-base.functionItem", Runs::Program),
    ("n8n-nodes-base.respondToWebhook", Runs::OnWorkers),
    ("n8n-nodes-base.httpRequest", Runs::OnWorkers),
    ("n8n-nodes-base.switch", Runs::Compute),
    ("n8n-nodes-base.renameKeys", Runs::Compute),
    ("n8n-nodes-base.crypto", Runs::Compute),
    ("n8n-nodes-base.summarize", Runs::Compute),
    ("n8n-nodes-base.wait", Runs::OnWorkers),
    ("n8n-nodes-base.splitInBatches", Runs::Compute),
    ("n8n-nodes-base.executeWorkflow", Runs::OnWorkers),
    ("n8n-nodes-base.dateTime", Runs::Compute),
    ("n8n-nodes-base.markdown", Runs::Compute),
    ("n8n-nodes-base.html", Runs::Compute),
    ("n8n-nodes-base.htmlExtract", Runs::Compute),
    ("n8n-nodes-base.xml", Runs::Compute),
    ("n8n-nodes-base.emailSend", Runs::OnWorkers),
    ("n8n-nodes-base.slack", Runs::OnWorkers),
];

fn runs(kind: &str) -> Option<Runs> {
    NODES
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, runs)| *runs)
}

/// Whether the engine runs this node type (AI nodes included).
fn supported(kind: &str) -> bool {
    runs(kind).is_some() || ai::SUPPORTED.contains(&kind)
}

pub use ai::is_sub_node;

/// Whether a node runs off the runtime's workers from its start (`expr/offload.rs`): a node
/// that only computes, when it runs a tenant's program or its execution's code may run
/// long (`code_runs_long`). A node that waits on the network or a timer never does: it
/// would hold a thread through its wait; its calls move off the workers one by one.
pub(crate) fn runs_in_place(node: &Node, code_runs_long: bool) -> bool {
    match runs(&node.kind) {
        Some(Runs::Program) => true,
        Some(Runs::Compute) => code_runs_long,
        Some(Runs::OnWorkers) | None => false,
    }
}

/// A parameter that is a plain id or a resource locator (`{"__rl": true, "value": …,
/// "mode": …}`): its value as text, empty when unset.
fn locator(ctx: &NodeContext<'_>, path: &str, item: usize) -> Result<String, NodeError> {
    locator_of(ctx, ctx.node, path, item)
}

/// `locator` for a parameter of another node (an AI sub-node).
pub(crate) fn locator_of(
    ctx: &NodeContext<'_>,
    node: &Node,
    path: &str,
    item: usize,
) -> Result<String, NodeError> {
    use serde_json::Value;
    let value = match ctx.param_of(node, path, item)? {
        Some(Value::Object(rl)) => rl.get("value").cloned().unwrap_or(Value::Null),
        Some(other) => other,
        None => Value::Null,
    };
    Ok(match value {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    })
}

pub fn supports(node: &Node) -> bool {
    supported(&node.kind)
}

/// Runs the node's own logic once over its inputs.
pub async fn execute(ctx: &mut NodeContext<'_>) -> Result<Outputs, NodeError> {
    let kind = ctx.node.kind.as_str();
    if let Some(langchain) = kind.strip_prefix(ai::LANGCHAIN) {
        return match langchain {
            "agent" => ai::run_agent(ctx).await.map(|items| vec![items]),
            "chainLlm" => ai::run_chain(ctx).await.map(|items| vec![items]),
            _ if ai::is_sub_node(kind) && supported(kind) => Err(NodeError::Failed(format!(
                "`{kind}` is a sub-node: it runs as part of the AI Agent or chain it is connected to"
            ))),
            _ => Err(NodeError::Failed(format!(
                "node type `{kind}` is not supported by this engine"
            ))),
        };
    }
    match kind.strip_prefix("n8n-nodes-base.").unwrap_or(kind) {
        "manualTrigger"
        | "webhook"
        | "scheduleTrigger"
        | "cron"
        | "executeWorkflowTrigger"
        | "errorTrigger" => Ok(vec![ctx.input().to_vec()]),
        "noOp" => Ok(vec![pass_through(ctx)]),
        "stickyNote" => Ok(vec![]),
        "set" => set::run(ctx).map(|items| vec![items]),
        "if" => conditions::run_if(ctx),
        "filter" => conditions::run_filter(ctx).map(|items| vec![items]),
        "merge" => merge::run(ctx).map(|items| vec![items]),
        "limit" => transform::limit(ctx).map(|items| vec![items]),
        "sort" => transform::sort(ctx).map(|items| vec![items]),
        "splitOut" => transform::split_out(ctx).map(|items| vec![items]),
        "aggregate" => transform::aggregate(ctx).map(|items| vec![items]),
        "removeDuplicates" => transform::remove_duplicates(ctx).map(|items| vec![items]),
        "stopAndError" => Err(NodeError::Failed(stop_message(ctx)?)),
        "code" | "function" | "functionItem" => code::run(ctx).map(|items| vec![items]),
        "respondToWebhook" => respond::run(ctx).map(|items| vec![items]),
        "httpRequest" => http::run(ctx).await.map(|items| vec![items]),
        "switch" => switch::run(ctx),
        "renameKeys" => data::rename_keys(ctx).map(|items| vec![items]),
        "crypto" => data::crypto(ctx).map(|items| vec![items]),
        "summarize" => data::summarize(ctx).map(|items| vec![items]),
        "wait" => wait::run(ctx).await.map(|items| vec![items]),
        "dateTime" => dates::run(ctx).map(|items| vec![items]),
        "markdown" => markdown::run(ctx).map(|items| vec![items]),
        "html" => html::run(ctx).map(|items| vec![items]),
        "htmlExtract" => html::extract(ctx).map(|items| vec![items]),
        "xml" => xml::run(ctx).map(|items| vec![items]),
        "emailSend" => email::run(ctx).await.map(|items| vec![items]),
        "slack" => slack::run(ctx).await.map(|items| vec![items]),
        "openAi" => ai::run_openai(ctx).await.map(|items| vec![items]),
        "splitInBatches" => flow::split_in_batches(ctx),
        "executeWorkflow" => flow::execute_workflow(ctx).await.map(|items| vec![items]),
        _ => Err(NodeError::Failed(format!(
            "node type `{kind}` is not supported by this engine"
        ))),
    }
}

/// The input unchanged, each item paired to itself.
pub(crate) fn pass_through(ctx: &NodeContext<'_>) -> Vec<Item> {
    ctx.input()
        .iter()
        .enumerate()
        .map(|(i, item)| item.clone().paired(i))
        .collect()
}

fn stop_message(ctx: &NodeContext<'_>) -> Result<String, NodeError> {
    if ctx.string("errorType", 0, "errorMessage")? == "errorObject" {
        let obj = ctx.param_or("errorObject", 0, serde_json::json!({}))?;
        let obj = match obj {
            serde_json::Value::String(s) => {
                serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s))
            }
            other => other,
        };
        return Ok(obj
            .get("message")
            .and_then(|m| m.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| obj.to_string()));
    }
    ctx.string("errorMessage", 0, "Stopped by the Stop and Error node")
}

#[cfg(test)]
mod tests {
    /// The editor offers the catalogue and draws a node outside it as "not supported here":
    /// that is right only while every catalogue entry runs.
    #[test]
    fn every_catalogue_type_runs() {
        let missing: Vec<_> = agente_workflow_model::catalogue::NODE_TYPES
            .iter()
            .filter(|t| !super::supported(t.name))
            .map(|t| t.name)
            .collect();
        assert!(missing.is_empty(), "in the catalogue, not run: {missing:?}");
    }
}
