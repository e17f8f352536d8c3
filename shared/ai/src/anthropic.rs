//! Anthropic's Messages API (`POST /v1/messages`, `anthropic-version: 2023-06-01`).
//! Structured output is a forced tool call: the tool's input is the answer.

use crate::chat::{ChatModel, ChatRequest, ChatResponse, Role, StreamEvent, TokenUsage, text_at};
use crate::http::send;
use crate::sse::SseEvent;
use crate::streaming::{Step, StreamParser, drive};
use crate::{AiError, ProviderConfig};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use serde_json::{Value, json};

const VERSION: &str = "2023-06-01";

/// A Claude model.
pub struct Anthropic {
    config: ProviderConfig,
    http: reqwest::Client,
}

impl Anthropic {
    pub fn new(config: ProviderConfig) -> Self {
        let http = config.client();
        Self { config, http }
    }

    fn body(&self, r: &ChatRequest, stream: bool) -> Value {
        let messages: Vec<Value> = r
            .messages
            .iter()
            .map(|m| {
                let role = match m.role {
                    Role::User => "user",
                    Role::Assistant => "assistant",
                };
                json!({ "role": role, "content": m.content })
            })
            .collect();
        let mut body = json!({
            "model": r.model.as_deref().unwrap_or(&self.config.model),
            "max_tokens": r.max_tokens,
            "system": r.system,
            "messages": messages,
        });
        if let Some(s) = &r.schema {
            body["tools"] =
                json!([{ "name": s.name, "description": s.description, "input_schema": s.schema }]);
            body["tool_choice"] = json!({ "type": "tool", "name": s.name });
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
                .post(&url)
                .header("anthropic-version", VERSION)
                .json(&body);
            match &self.config.api_key {
                Some(key) => request.header("x-api-key", key.expose()),
                None => request,
            }
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
            let answer: Value = response
                .json()
                .await
                .map_err(|e| bad(format!("not JSON: {}", e.without_url())))?;
            read_message(&answer).map_err(bad)
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

/// A message: its text blocks, or a tool call's input (the structured answer) as JSON text.
fn read_message(v: &Value) -> Result<ChatResponse, String> {
    let mut text = String::new();
    let mut tool_input = None;
    for block in v
        .get("content")
        .and_then(Value::as_array)
        .ok_or("the answer has no content")?
    {
        match block.get("type").and_then(Value::as_str) {
            Some("text") => text.push_str(block.get("text").and_then(Value::as_str).unwrap_or("")),
            Some("tool_use") => tool_input = block.get("input").cloned(),
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
