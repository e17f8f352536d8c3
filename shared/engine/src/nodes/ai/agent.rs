//! AI Agent (`@n8n/n8n-nodes-langchain.agent`) and Basic LLM Chain (`.chainLlm`), one run
//! per input item with the chat model attached on `ai_languageModel`.
//!
//! The agent is a tool-calling loop: the model answers or asks for tools (attached on
//! `ai_tool`); their results go back to it until it answers, at most `maxIterations` turns.
//! A tool's failure is told to the model as its result, so it can try otherwise. Output:
//! `{output}` (with `intermediateSteps` when asked); the chain outputs `{text}`.

use super::tools;
use super::{LANGCHAIN, attached, chat, endpoint, max_tokens, number_of, usage_id};
use crate::context::node_credential;
use crate::nodes::locator_of;
use crate::{Item, NodeContext, NodeError};
use agente_core::llm::{Message, ModelApi, ModelCall};
use agente_workflow_model::Node;
use serde_json::{Map, Value, json};

const DEFAULT_SYSTEM: &str = "You are a helpful assistant";
const DEFAULT_MAX_ITERATIONS: f64 = 10.0;

pub async fn run_agent(ctx: &mut NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let model = chat_model(ctx)?;
    let mut out = Vec::with_capacity(ctx.input().len());
    for i in 0..ctx.input().len() {
        let tools = tools::attached(ctx, i)?;
        let prompt = prompt(ctx, i, "text")?;
        let mut call = model_call(ctx, model, i)?;
        call.system = ctx.string("options.systemMessage", i, DEFAULT_SYSTEM)?;
        call.tools = tools.iter().map(|t| t.spec.clone()).collect();
        call.messages = vec![Message::user(prompt)];
        let turns = ctx
            .number("options.maxIterations", i, DEFAULT_MAX_ITERATIONS)?
            .clamp(1.0, 100.0) as usize;
        let mut steps = Vec::new();
        let mut answer = None;
        for turn in 0..turns {
            call.usage_id = usage_id(ctx, i, turn);
            let reply = chat(ctx, call.clone()).await?;
            if reply.tool_calls.is_empty() {
                answer = Some(reply.text);
                break;
            }
            call.messages.push(Message::tool_calls(
                reply.text.clone(),
                reply.tool_calls.clone(),
            ));
            for asked in &reply.tool_calls {
                let observation = tools::run(ctx, &tools, asked, i).await;
                steps.push(json!({
                    "action": {
                        "tool": asked.name,
                        "toolInput": asked.arguments,
                        "toolCallId": asked.id,
                        "log": reply.text,
                    },
                    "observation": observation,
                }));
                call.messages
                    .push(Message::tool_result(asked.id.clone(), observation));
            }
        }
        let answer = answer
            .ok_or_else(|| NodeError::Failed("Agent stopped due to max iterations.".into()))?;
        let mut json = Map::from_iter([("output".to_string(), Value::String(answer))]);
        if ctx.bool("options.returnIntermediateSteps", i, false)? {
            json.insert("intermediateSteps".into(), Value::Array(steps));
        }
        out.push(Item::new(json).paired(i));
    }
    Ok(out)
}

pub async fn run_chain(ctx: &mut NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let model = chat_model(ctx)?;
    let mut out = Vec::with_capacity(ctx.input().len());
    for i in 0..ctx.input().len() {
        let mut call = model_call(ctx, model, i)?;
        let mut system = Vec::new();
        let messages = match ctx.param("messages.messageValues", i)? {
            Some(Value::Array(values)) => values,
            _ => Vec::new(),
        };
        for m in messages {
            let text = m
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            match m.get("type").and_then(Value::as_str).unwrap_or("") {
                "SystemMessagePromptTemplate" => system.push(text),
                "AIMessagePromptTemplate" => call.messages.push(Message::assistant(text)),
                _ => call.messages.push(Message::user(text)),
            }
        }
        call.system = system.join("\n\n");
        call.messages.push(Message::user(prompt(ctx, i, "prompt")?));
        call.usage_id = usage_id(ctx, i, 0);
        let reply = chat(ctx, call).await?;
        out.push(Item::new(Map::from_iter([("text".into(), Value::String(reply.text))])).paired(i));
    }
    Ok(out)
}

/// The prompt: the item's `chatInput` ("take from previous node automatically") or the
/// node's own text (`text`; the chain's first versions call it `prompt`).
fn prompt(ctx: &NodeContext<'_>, i: usize, legacy: &str) -> Result<String, NodeError> {
    let text = match ctx.string("promptType", i, "")?.as_str() {
        "auto" => ctx.input()[i]
            .json
            .get("chatInput")
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .unwrap_or_default(),
        _ if ctx.raw("text").is_some() => ctx.string("text", i, "")?,
        _ => ctx.string(legacy, i, "")?,
    };
    if text.trim().is_empty() {
        return Err(NodeError::parameter(
            "text",
            "the prompt is empty (taken from the previous node, it is the item's `chatInput` field)",
        ));
    }
    Ok(text)
}

/// The one chat model attached to this node.
fn chat_model<'w>(ctx: &NodeContext<'w>) -> Result<&'w Node, NodeError> {
    let models = attached(ctx, &ctx.node.name, "ai_languageModel");
    match models.as_slice() {
        [model] => Ok(model),
        [] => Err(NodeError::Failed(
            "no chat model is connected: connect one (OpenAI, Anthropic or Ollama Chat Model) to the Chat Model input".into(),
        )),
        _ => Err(NodeError::Failed(
            "more than one chat model is connected; connect one".into(),
        )),
    }
}

/// What the chat model sub-node says about where and how to ask (messages left empty).
fn model_call(ctx: &NodeContext<'_>, node: &Node, i: usize) -> Result<ModelCall, NodeError> {
    let kind = node.kind.strip_prefix(LANGCHAIN).unwrap_or(&node.kind);
    let text = |path: &str| locator_of(ctx, node, path, i);
    let or = |value: String, default: &str| {
        if value.is_empty() {
            default.to_string()
        } else {
            value
        }
    };
    let (endpoint, model, limit, json) = match kind {
        "lmChatOpenAi" => {
            let mut e = endpoint(ctx, node, ModelApi::OpenAi, "openAiApi")?;
            let base = text("options.baseURL")?;
            if !base.is_empty() {
                e.base_url = Some(base);
            }
            let json = text("options.responseFormat")? == "json_object";
            let limit = number_of(ctx, node, "options.maxTokens", i)?;
            (e, or(text("model")?, "gpt-4o-mini"), limit, json)
        }
        "lmChatAnthropic" => {
            let e = endpoint(ctx, node, ModelApi::Anthropic, "anthropicApi")?;
            let limit = number_of(ctx, node, "options.maxTokensToSample", i)?;
            (
                e,
                or(text("model")?, "claude-3-5-sonnet-20240620"),
                limit,
                false,
            )
        }
        "lmChatOllama" => {
            // Ollama speaks Chat Completions under `/v1` and takes no key.
            let credential =
                node_credential(node, "ollamaApi", ctx.credentials).map_err(NodeError::Failed)?;
            let base = credential
                .get("baseUrl")
                .and_then(Value::as_str)
                .unwrap_or("http://localhost:11434")
                .trim_end_matches('/');
            let e = super::Endpoint {
                api: ModelApi::OpenAi,
                base_url: Some(format!("{base}/v1")),
                api_key: String::new(),
            };
            let json = text("options.format")? == "json";
            let limit = number_of(ctx, node, "options.numPredict", i)?;
            (e, or(text("model")?, "llama3.2"), limit, json)
        }
        _ => {
            return Err(NodeError::Failed(format!(
                "`{}` is not a chat model this engine runs",
                node.kind
            )));
        }
    };
    Ok(ModelCall {
        api: endpoint.api,
        base_url: endpoint.base_url,
        api_key: endpoint.api_key,
        model,
        system: String::new(),
        messages: Vec::new(),
        tools: Vec::new(),
        max_tokens: max_tokens(limit),
        temperature: number_of(ctx, node, "options.temperature", i)?,
        json,
        usage_id: String::new(),
    })
}
