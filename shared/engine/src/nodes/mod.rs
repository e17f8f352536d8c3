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

/// Node types this engine can run (with the versions it understands).
const SUPPORTED: &[&str] = &[
    "n8n-nodes-base.manualTrigger",
    "n8n-nodes-base.webhook",
    "n8n-nodes-base.scheduleTrigger",
    "n8n-nodes-base.cron",
    "n8n-nodes-base.executeWorkflowTrigger",
    "n8n-nodes-base.errorTrigger",
    "n8n-nodes-base.noOp",
    "n8n-nodes-base.stickyNote",
    "n8n-nodes-base.set",
    "n8n-nodes-base.if",
    "n8n-nodes-base.filter",
    "n8n-nodes-base.merge",
    "n8n-nodes-base.limit",
    "n8n-nodes-base.sort",
    "n8n-nodes-base.splitOut",
    "n8n-nodes-base.aggregate",
    "n8n-nodes-base.removeDuplicates",
    "n8n-nodes-base.stopAndError",
    "n8n-nodes-base.code",
    "n8n-nodes-base.function",
    "n8n-nodes-base.functionItem",
    "n8n-nodes-base.respondToWebhook",
    "n8n-nodes-base.httpRequest",
    "n8n-nodes-base.switch",
    "n8n-nodes-base.renameKeys",
    "n8n-nodes-base.crypto",
    "n8n-nodes-base.summarize",
    "n8n-nodes-base.wait",
    "n8n-nodes-base.splitInBatches",
    "n8n-nodes-base.executeWorkflow",
    "n8n-nodes-base.dateTime",
    "n8n-nodes-base.markdown",
    "n8n-nodes-base.html",
    "n8n-nodes-base.htmlExtract",
    "n8n-nodes-base.xml",
    "n8n-nodes-base.emailSend",
    "n8n-nodes-base.slack",
];

/// Whether the engine runs this node type (AI nodes included).
fn supported(kind: &str) -> bool {
    SUPPORTED.contains(&kind) || ai::SUPPORTED.contains(&kind)
}

pub use ai::is_sub_node;

/// Whether a node runs off the runtime's workers from its start (`expr/offload.rs`): a node
/// that only computes, when it runs a tenant's program or its execution's code may run
/// long (`code_runs_long`). A node that waits on the network or a timer never does: it
/// would hold a thread through its wait; its calls move off the workers one by one.
pub(crate) fn runs_in_place(node: &Node, code_runs_long: bool) -> bool {
    const PROGRAMS: &[&str] = &[
        "n8n-nodes-base.code",
        "n8n-nodes-base.function",
        "n8n-nodes-base.functionItem",
    ];
    const COMPUTE_ONLY: &[&str] = &[
        "n8n-nodes-base.manualTrigger",
        "n8n-nodes-base.webhook",
        "n8n-nodes-base.scheduleTrigger",
        "n8n-nodes-base.cron",
        "n8n-nodes-base.executeWorkflowTrigger",
        "n8n-nodes-base.errorTrigger",
        "n8n-nodes-base.noOp",
        "n8n-nodes-base.set",
        "n8n-nodes-base.if",
        "n8n-nodes-base.filter",
        "n8n-nodes-base.merge",
        "n8n-nodes-base.limit",
        "n8n-nodes-base.sort",
        "n8n-nodes-base.splitOut",
        "n8n-nodes-base.aggregate",
        "n8n-nodes-base.removeDuplicates",
        "n8n-nodes-base.stopAndError",
        "n8n-nodes-base.switch",
        "n8n-nodes-base.renameKeys",
        "n8n-nodes-base.crypto",
        "n8n-nodes-base.summarize",
        "n8n-nodes-base.splitInBatches",
        "n8n-nodes-base.dateTime",
        "n8n-nodes-base.markdown",
        "n8n-nodes-base.html",
        "n8n-nodes-base.htmlExtract",
        "n8n-nodes-base.xml",
    ];
    let kind = node.kind.as_str();
    PROGRAMS.contains(&kind) || (code_runs_long && COMPUTE_ONLY.contains(&kind))
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

/// How many regular outputs a node has (the error output, when used, comes after them).
pub fn output_count(node: &Node) -> usize {
    match node.kind.as_str() {
        "n8n-nodes-base.if" => 2,
        "n8n-nodes-base.switch" => switch::output_count(node),
        "n8n-nodes-base.splitInBatches" if node.type_version() >= 3.0 => 2,
        _ => 1,
    }
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
