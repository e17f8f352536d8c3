//! Anthropic's Messages API (`POST /v1/messages`, `anthropic-version: 2023-06-01`).
//! Structured output is a forced tool call: the tool's input is the answer.

use crate::chat::{
    ChatModel, ChatRequest, ChatResponse, Message, Role, StreamEvent, TokenUsage, ToolCall, text_at,
};
use crate::http::{json_answer, send};
use crate::sse::SseEvent;
use crate::streaming::{Step, StreamParser, drive};
use crate::{AiError, ProviderConfig};
use agente_network::OutboundHttp;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use serde_json::{Value, json};

const VERSION: &str = "2023-06-01";

/// A Claude model.
pub struct Anthropic {
    config: ProviderConfig,
    http: OutboundHttp,
}

impl Anthropic {
    pub fn new(config: ProviderConfig) -> Self {
        let http = config.client();
        Self { config, http }
    }

    /// With a client of the caller's (one pool for many short-lived providers).
    pub fn with_client(config: ProviderConfig, http: OutboundHttp) -> Self {
        Self { config, http }
    }

    fn body(&self, r: &ChatRequest, stream: bool) -> Value {
        let mut body = json!({
            "model": r.model.as_deref().unwrap_or(&self.config.model),
            "max_tokens": r.max_tokens,
            "system": r.system,
            "messages": messages(&r.messages),
        });
        if r.json && r.schema.is_none() {
            // Messages has no JSON mode: the instructions say it.
            body["system"] = json!(format!(
                "{}\n\nAnswer with one JSON object and nothing else.",
                r.system
            ));
        }
        if let Some(s) = &r.schema {
            body["tools"] =
                json!([{ "name": s.name, "description": s.description, "input_schema": s.schema }]);
            body["tool_choice"] = json!({ "type": "tool", "name": s.name });
        } else if !r.tools.is_empty() {
            body["tools"] = r
                .tools
                .iter()
                .map(|t| json!({ "name": t.name, "description": t.description, "input_schema": t.parameters }))
                .collect();
        }
        if let Some(t) = r.temperature {
            body["temperature"] = json!(t);
        }
        if stream {
            body["stream"] = json!(true);
        }
        body
    }

    async fn post(&self, body: Value) -> Result<reqwest::Response, AiError> {
        let url = format!("{}/v1/messages", self.config.base_url.trim_end_matches('/'));
        send(&self.config.name, &self.config.retry, || {
            let request = self
                .http
                .post(&url)?
                .header("anthropic-version", VERSION)
                .json(&body);
            Ok(match &self.config.api_key {
                Some(key) => request.header("x-api-key", key.expose()),
                None => request,
            })
        })
        .await
    }
}

impl ChatModel for Anthropic {
    fn provider(&self) -> &str {
        &self.config.name
    }

    fn complete<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<ChatResponse, AiError>> {
        Box::pin(async move {
            let response = self.post(self.body(request, false)).await?;
            let bad = |message: String| AiError::BadAnswer {
                provider: self.config.name.clone(),
                message,
            };
            let answer = json_answer(response).await.map_err(bad)?;
            read_message(&answer, request.schema.as_ref().map(|s| s.name)).map_err(bad)
        })
    }

    fn stream<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<BoxStream<'a, Result<StreamEvent, AiError>>, AiError>> {
        Box::pin(async move {
            let response = self.post(self.body(request, true)).await?;
            Ok(drive(&self.config.name, response, MessageEvents::default()))
        })
    }
}

fn usage(v: &Value) -> TokenUsage {
    let n = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
    TokenUsage {
        input: n("input_tokens"),
        output: n("output_tokens"),
    }
}

/// Messages in Anthropic's shape: an assistant's tool calls are `tool_use` blocks, tool
/// results `tool_result` blocks of one user message (consecutive results go together).
fn messages(messages: &[Message]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for m in messages {
        match m.role {
            Role::Tool => {
                let block = json!({
                    "type": "tool_result", "tool_use_id": m.tool_call_id, "content": m.content,
                });
                let last_is_results = out.last().is_some_and(|v| {
                    v["role"] == "user"
                        && v["content"]
                            .as_array()
                            .is_some_and(|c| c.iter().all(|b| b["type"] == "tool_result"))
                });
                match out.last_mut().and_then(|v| v["content"].as_array_mut()) {
                    Some(blocks) if last_is_results => blocks.push(block),
                    _ => out.push(json!({ "role": "user", "content": [block] })),
                }
            }
            Role::Assistant if !m.tool_calls.is_empty() => {
                let mut blocks = Vec::new();
                if !m.content.is_empty() {
                    blocks.push(json!({ "type": "text", "text": m.content }));
                }
                blocks.extend(m.tool_calls.iter().map(|c| {
                    let input = match &c.arguments {
                        Value::Object(_) => c.arguments.clone(),
                        _ => json!({}),
                    };
                    json!({ "type": "tool_use", "id": c.id, "name": c.name, "input": input })
                }));
                out.push(json!({ "role": "assistant", "content": blocks }));
            }
            Role::Assistant => out.push(json!({ "role": "assistant", "content": m.content })),
            Role::User => out.push(json!({ "role": "user", "content": m.content })),
        }
    }
    out
}

/// A message: its text blocks and tool calls; the forced schema tool's input (the structured
/// answer) as JSON text.
fn read_message(v: &Value, schema_tool: Option<&str>) -> Result<ChatResponse, String> {
    let mut text = String::new();
    let mut tool_input = None;
    let mut tool_calls = Vec::new();
    for block in v
        .get("content")
        .and_then(Value::as_array)
        .ok_or("the answer has no content")?
    {
        match block.get("type").and_then(Value::as_str) {
            Some("text") => text.push_str(block.get("text").and_then(Value::as_str).unwrap_or("")),
            Some("tool_use") if schema_tool.is_some() => tool_input = block.get("input").cloned(),
            Some("tool_use") => tool_calls.push(ToolCall {
                id: text_at(block, "/id").unwrap_or_default(),
                name: text_at(block, "/name").unwrap_or_default(),
                arguments: block.get("input").cloned().unwrap_or_else(|| json!({})),
            }),
            _ => {}
        }
    }
    Ok(ChatResponse {
        text: match tool_input {
            Some(input) => input.to_string(),
            None => text,
        },
        usage: usage(v.get("usage").unwrap_or(&Value::Null)),
        model: text_at(v, "/model").unwrap_or_default(),
        stop_reason: text_at(v, "/stop_reason"),
        tool_calls,
    })
}

/// `message_start` (input tokens), `content_block_delta` (`text_delta` or a tool's
/// `input_json_delta`), `message_delta` (stop reason, output tokens), `message_stop`;
/// `error` ends it.
#[derive(Default)]
struct MessageEvents {
    /// The answer so far.
    so_far: ChatResponse,
}

impl StreamParser for MessageEvents {
    fn on(&mut self, event: &SseEvent) -> Result<Step, String> {
        let v: Value =
            serde_json::from_str(&event.data).map_err(|e| format!("an event is not JSON: {e}"))?;
        let kind = event
            .event
            .clone()
            .or_else(|| text_at(&v, "/type"))
            .unwrap_or_default();
        match kind.as_str() {
            "message_start" => {
                let message = v.get("message").unwrap_or(&Value::Null);
                self.so_far.model = text_at(message, "/model").unwrap_or_default();
                self.so_far.usage = usage(message.get("usage").unwrap_or(&Value::Null));
                Ok(Step::Nothing)
            }
            "content_block_delta" => {
                let delta = text_at(&v, "/delta/text")
                    .or_else(|| text_at(&v, "/delta/partial_json"))
                    .unwrap_or_default();
                self.so_far.text.push_str(&delta);
                Ok(Step::Text(delta))
            }
            "message_delta" => {
                if let Some(reason) = text_at(&v, "/delta/stop_reason") {
                    self.so_far.stop_reason = Some(reason);
                }
                if let Some(out) = v.pointer("/usage/output_tokens").and_then(Value::as_u64) {
                    self.so_far.usage.output = out;
                }
                Ok(Step::Nothing)
            }
            "message_stop" => Ok(Step::Done),
            "error" => Err(text_at(&v, "/error/message").unwrap_or_else(|| "stream error".into())),
            _ => Ok(Step::Nothing),
        }
    }

    fn finish(&mut self) -> ChatResponse {
        std::mem::take(&mut self.so_far)
    }
}
