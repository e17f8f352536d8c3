//! OpenAI (`n8n-nodes-base.openAi`): "Message a model" (`text` / `message`, `messageModel`,
//! with `modelId`, `messages.values`, `simplify`, `jsonOutput`), and the first version's
//! chat and text completions (`chat` / `complete` with `prompt.messages`, `text` /
//! `complete` with a `prompt`, `text` / `edit`), all over Chat Completions with the node's
//! `openAiApi` credential. One call per input item; the output is n8n's: the answer's
//! choices (simplified) or the whole completion.

use super::{chat, endpoint, max_tokens, number_of, usage_id};
use crate::nodes::locator_of;
use crate::{Item, NodeContext, NodeError};
use agente_core::llm::{Message, ModelApi, ModelCall, ModelReply};
use serde_json::{Map, Value, json};

/// What one item asks.
struct Ask {
    model: String,
    system: Vec<String>,
    messages: Vec<Message>,
    /// Answer shape: `choice.message` (chat) or `choice.text` (text completion).
    text_choices: bool,
    simplify: bool,
    json: bool,
}

pub async fn run(ctx: &mut NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let endpoint = endpoint(ctx, ctx.node, ModelApi::OpenAi, "openAiApi")?;
    let mut out = Vec::with_capacity(ctx.input().len());
    for i in 0..ctx.input().len() {
        let ask = ask(ctx, i)?;
        let node = ctx.node;
        let call = ModelCall {
            api: endpoint.api,
            base_url: endpoint.base_url.clone(),
            api_key: endpoint.api_key.clone(),
            model: ask.model.clone(),
            system: ask.system.join("\n\n"),
            messages: ask.messages.clone(),
            tools: Vec::new(),
            max_tokens: max_tokens(number_of(ctx, node, "options.maxTokens", i)?),
            temperature: number_of(ctx, node, "options.temperature", i)?,
            json: ask.json,
            usage_id: usage_id(ctx, i, 0),
        };
        let reply = chat(ctx, call).await?;
        out.push(Item::new(output(&ask, reply)).paired(i));
    }
    Ok(out)
}

fn ask(ctx: &NodeContext<'_>, i: usize) -> Result<Ask, NodeError> {
    let node = ctx.node;
    let resource = ctx.string("resource", i, "text")?;
    let operation = ctx.string("operation", i, "complete")?;
    if number_of(ctx, node, "options.n", i)?.is_some_and(|n| n > 1.0) {
        return Err(NodeError::parameter(
            "options.n",
            "one completion per item is supported; leave “Number of Completions” at 1",
        ));
    }
    let mut system = Vec::new();
    let mut messages = Vec::new();
    let mut add = |role: &str, content: String| match role {
        "system" => system.push(content),
        "assistant" => messages.push(Message::assistant(content)),
        _ => messages.push(Message::user(content)),
    };
    let (model, text_choices, simplify_key) = match (resource.as_str(), operation.as_str()) {
        ("text", "message" | "messageModel") => {
            for m in list(ctx, "messages.values", i)? {
                add(
                    field(&m, "role", "user"),
                    field(&m, "content", "").to_string(),
                );
            }
            (locator_of(ctx, node, "modelId", i)?, false, "simplify")
        }
        ("chat", "complete") => {
            for m in list(ctx, "prompt.messages", i)? {
                add(
                    field(&m, "role", "user"),
                    field(&m, "content", "").to_string(),
                );
            }
            (locator_of(ctx, node, "model", i)?, false, "simplifyOutput")
        }
        ("text", "complete") => {
            add("user", ctx.string("prompt", i, "")?);
            (locator_of(ctx, node, "model", i)?, true, "simplifyOutput")
        }
        ("text", "edit") => {
            add("system", ctx.string("instruction", i, "")?);
            add("user", ctx.string("input", i, "")?);
            (locator_of(ctx, node, "model", i)?, true, "simplifyOutput")
        }
        (resource, operation) => {
            return Err(NodeError::parameter(
                "operation",
                format!(
                    "`{resource}` / `{operation}` is not supported; use “Message a model” or a chat or text completion"
                ),
            ));
        }
    };
    if messages.iter().all(|m| m.content.trim().is_empty()) {
        return Err(NodeError::parameter(
            "messages",
            "there is no message to send to the model",
        ));
    }
    let model = if model.is_empty() {
        "gpt-4o-mini".to_string()
    } else {
        model
    };
    Ok(Ask {
        model,
        system,
        messages,
        text_choices,
        simplify: ctx.bool(simplify_key, i, true)?,
        json: ctx.bool("jsonOutput", i, false)?,
    })
}

/// A list parameter (a fixed collection's values), evaluated.
fn list(ctx: &NodeContext<'_>, path: &str, i: usize) -> Result<Vec<Value>, NodeError> {
    match ctx.param(path, i)? {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(values)) => Ok(values),
        Some(other) => Err(NodeError::parameter(
            path,
            format!("expected a list, got {other}"),
        )),
    }
}

fn field<'v>(v: &'v Value, key: &str, default: &'v str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or(default)
}

/// The item n8n outputs: the choice (simplified) or the whole completion.
fn output(ask: &Ask, reply: ModelReply) -> Map<String, Value> {
    let finish = reply.stop_reason.clone().unwrap_or_else(|| "stop".into());
    // A JSON answer is given as parsed JSON where it parses, as n8n does.
    let content = if ask.json {
        serde_json::from_str(&reply.text).unwrap_or(Value::String(reply.text.clone()))
    } else {
        Value::String(reply.text.clone())
    };
    let choice = if ask.text_choices {
        json!({ "text": content, "index": 0, "logprobs": null, "finish_reason": finish })
    } else {
        json!({
            "index": 0,
            "message": { "role": "assistant", "content": content },
            "logprobs": null,
            "finish_reason": finish,
        })
    };
    let whole = json!({
        "object": if ask.text_choices { "text_completion" } else { "chat.completion" },
        "model": reply.model,
        "choices": [choice.clone()],
        "usage": {
            "prompt_tokens": reply.usage.input,
            "completion_tokens": reply.usage.output,
            "total_tokens": reply.usage.total(),
        },
    });
    let picked = if ask.simplify { choice } else { whole };
    match picked {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
