//! AI nodes. n8n's OpenAI node (`n8n-nodes-base.openAi`), and LangChain-style root nodes
//! (`@n8n/n8n-nodes-langchain.agent`, `.chainLlm`) with the sub-nodes n8n attaches to them
//! by connection type: a chat model on `ai_languageModel` (`lmChatOpenAi`,
//! `lmChatAnthropic`, `lmChatOllama`) and tools on `ai_tool` (`toolCode`, `toolWorkflow`).
//!
//! Every call goes through the host's language models (the AI service): the node's own
//! credential is used, the tokens are metered for the tenant, and the credential's URL must
//! pass the network policy like any URL a workflow calls.

mod agent;
mod openai;
mod tools;

pub use agent::{run_agent, run_chain};
pub use openai::run as run_openai;

use crate::context::node_credential;
use crate::{NodeContext, NodeError};
use agente_core::llm::{ModelApi, ModelCall, ModelError, ModelReply};
use agente_network::redact;
use agente_workflow_model::Node;
use serde_json::Value;

/// n8n's LangChain node package.
pub(crate) const LANGCHAIN: &str = "@n8n/n8n-nodes-langchain.";

/// The node types of this family the engine runs (root nodes and sub-nodes).
pub(crate) const SUPPORTED: &[&str] = &[
    "n8n-nodes-base.openAi",
    "@n8n/n8n-nodes-langchain.agent",
    "@n8n/n8n-nodes-langchain.chainLlm",
    "@n8n/n8n-nodes-langchain.lmChatOpenAi",
    "@n8n/n8n-nodes-langchain.lmChatAnthropic",
    "@n8n/n8n-nodes-langchain.lmChatOllama",
    "@n8n/n8n-nodes-langchain.toolCode",
    "@n8n/n8n-nodes-langchain.toolWorkflow",
];

/// Answers longer than this many tokens are cut unless the node sets its own limit.
const DEFAULT_MAX_TOKENS: u32 = 4_096;

/// Whether a node is a sub-node: it runs only as part of the root node it is attached to.
/// The model's `ports` decides, so the canvas and the engine agree on what a sub-node is.
pub fn is_sub_node(kind: &str) -> bool {
    agente_workflow_model::ports::ai_output_of(kind).is_some()
}

/// The enabled nodes attached to `root` by connections of `kind` (`ai_languageModel`, …).
pub(crate) fn attached<'w>(ctx: &NodeContext<'w>, root: &str, kind: &str) -> Vec<&'w Node> {
    let Some(connections) = ctx.workflow.connections.get() else {
        return Vec::new();
    };
    connections
        .iter()
        .filter(|(_, by_type)| {
            by_type
                .get(kind)
                .is_some_and(|outputs| outputs.iter().flatten().flatten().any(|c| c.node == root))
        })
        .filter_map(|(source, _)| ctx.workflow.node(source))
        .filter(|n| !n.is_disabled())
        .collect()
}

/// A number parameter of `node`, when set.
pub(crate) fn number_of(
    ctx: &NodeContext<'_>,
    node: &Node,
    path: &str,
    item: usize,
) -> Result<Option<f64>, NodeError> {
    match ctx.param_of(node, path, item)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| NodeError::parameter(path, format!("`{s}` is not a number"))),
        Some(other) => Err(NodeError::parameter(
            path,
            format!("expected a number, got {other}"),
        )),
    }
}

/// A token limit: n8n writes -1 (or nothing) for "the model's own".
pub(crate) fn max_tokens(value: Option<f64>) -> u32 {
    match value {
        Some(n) if n >= 1.0 => n.min(f64::from(u32::MAX)) as u32,
        _ => DEFAULT_MAX_TOKENS,
    }
}

/// Where a model is reached and with which key, from the node's credential.
pub(crate) struct Endpoint {
    pub api: ModelApi,
    pub base_url: Option<String>,
    pub api_key: String,
}

/// The credential's API key (required) and base URL (the credential's `url`, or `url_key`).
pub(crate) fn endpoint(
    ctx: &NodeContext<'_>,
    node: &Node,
    api: ModelApi,
    credential_type: &str,
) -> Result<Endpoint, NodeError> {
    let credential =
        node_credential(node, credential_type, ctx.credentials).map_err(NodeError::Failed)?;
    let api_key = credential
        .get("apiKey")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            NodeError::Failed(format!("the `{credential_type}` credential has no API key"))
        })?
        .to_string();
    let base_url = credential
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| !u.trim().is_empty())
        .map(str::to_string);
    Ok(Endpoint {
        api,
        base_url,
        api_key,
    })
}

/// Asks the model through the host. The base URL is checked against the network policy
/// first (the AI service's client checks the addresses it resolves too).
pub(crate) async fn chat(
    ctx: &mut NodeContext<'_>,
    call: ModelCall,
) -> Result<ModelReply, NodeError> {
    if let Some(base) = &call.base_url {
        let url = reqwest::Url::parse(base)
            .map_err(|_| NodeError::Failed(format!("`{}` is not a URL", redact::url(base))))?;
        ctx.network()
            .check_url(&url)
            .map_err(|e| NodeError::Failed(format!("the model's URL: {e}")))?;
    }
    let host = ctx
        .host
        .ok_or_else(|| NodeError::Failed("language models cannot be called here".into()))?;
    let reply = host.chat(call).await.map_err(|e| match e {
        ModelError::Refused(refusal) => NodeError::Failed(refusal.to_string()),
        ModelError::Failed(message) => NodeError::Failed(message),
    })?;
    ctx.logs.push(format!(
        "{}: {} input + {} output tokens",
        if reply.model.is_empty() {
            "model"
        } else {
            &reply.model
        },
        reply.usage.input,
        reply.usage.output
    ));
    Ok(reply)
}

/// The id a model call is metered under: the same for the same call of a re-run execution.
pub(crate) fn usage_id(ctx: &NodeContext<'_>, item: usize, step: usize) -> String {
    format!(
        "{}:{}:{}:{item}:{step}",
        ctx.execution_id, ctx.node.name, ctx.run_index
    )
}
