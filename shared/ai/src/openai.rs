//! OpenAI, over either of its wire formats: Chat Completions (`POST /chat/completions`, also
//! spoken by llama.cpp, Ollama, vLLM and other compatible servers) or Responses
//! (`POST /responses`). Structured output is `json_schema` in both.

use crate::chat::{
    ChatModel, ChatRequest, ChatResponse, Message, Role, StreamEvent, TokenUsage, ToolCall, text_at,
};
use crate::http::{RetryPolicy, json_answer, send};
use crate::sse::SseEvent;
use crate::streaming::{Step, StreamParser, drive};
use crate::{AiError, ProviderConfig};
use agente_network::OutboundHttp;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use serde_json::{Value, json};

/// Which of OpenAI's APIs to speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenAiApi {
    ChatCompletions,
    Responses,
}

/// A model behind OpenAI's API or a compatible server.
pub struct OpenAi {
    config: ProviderConfig,
    api: OpenAiApi,
    http: OutboundHttp,
}

impl OpenAi {
    pub fn new(config: ProviderConfig, api: OpenAiApi) -> Self {
        let http = config.client();
        Self { config, api, http }
    }

    /// With a client of the caller's (one pool for many short-lived providers).
    pub fn with_client(config: ProviderConfig, api: OpenAiApi, http: OutboundHttp) -> Self {
        Self { config, api, http }
    }

    fn url(&self) -> String {
        let base = self.config.base_url.trim_end_matches('/');
        match self.api {
            OpenAiApi::ChatCompletions => format!("{base}/chat/completions"),
            OpenAiApi::Responses => format!("{base}/responses"),
        }
    }

    fn body(&self, r: &ChatRequest, stream: bool) -> Value {
        let model = r.model.as_deref().unwrap_or(&self.config.model);
        let mut body = match self.api {
            OpenAiApi::ChatCompletions => {
                let mut messages = vec![json!({ "role": "system", "content": r.system })];
                messages.extend(r.messages.iter().map(chat_message));
                // OpenAI's own API wants `max_completion_tokens` (reasoning models refuse
                // `max_tokens`); compatible servers know `max_tokens`.
                let limit = if self.config.base_url.contains("api.openai.com") {
                    "max_completion_tokens"
                } else {
                    "max_tokens"
                };
                let mut body = json!({ "model": model, "messages": messages, limit: r.max_tokens });
                if let Some(s) = &r.schema {
                    body["response_format"] = json!({
                        "type": "json_schema",
                        "json_schema": { "name": s.name, "description": s.description, "schema": s.schema, "strict": false },
                    });
                } else if r.json {
                    body["response_format"] = json!({ "type": "json_object" });
                }
                if !r.tools.is_empty() {
                    body["tools"] = r
                        .tools
                        .iter()
                        .map(|t| json!({ "type": "function", "function": {
                            "name": t.name, "description": t.description, "parameters": t.parameters,
                        }}))
                        .collect();
                }
                if stream {
                    body["stream"] = json!(true);
                    body["stream_options"] = json!({ "include_usage": true });
                }
                body
            }
            OpenAiApi::Responses => {
                let input: Vec<Value> = r.messages.iter().flat_map(response_items).collect();
                let mut body = json!({
                    "model": model, "instructions": r.system, "input": input,
                    "max_output_tokens": r.max_tokens, "store": false,
                });
                if let Some(s) = &r.schema {
                    body["text"] = json!({ "format": {
                        "type": "json_schema", "name": s.name, "description": s.description,
                        "schema": s.schema, "strict": false,
                    }});
                } else if r.json {
                    body["text"] = json!({ "format": { "type": "json_object" } });
                }
                if !r.tools.is_empty() {
                    body["tools"] = r
                        .tools
                        .iter()
                        .map(|t| {
                            json!({
                                "type": "function", "name": t.name, "description": t.description,
                                "parameters": t.parameters,
                            })
                        })
                        .collect();
                }
                if stream {
                    body["stream"] = json!(true);
                }
                body
            }
        };
        if let Some(t) = r.temperature {
            body["temperature"] = json!(t);
        }
        body
    }

    async fn post(&self, body: Value, policy: &RetryPolicy) -> Result<reqwest::Response, AiError> {
        send(&self.config.name, policy, || {
            let request = self.http.post(&self.url())?.json(&body);
            Ok(match &self.config.api_key {
                Some(key) => request.bearer_auth(key.expose()),
                None => request,
            })
        })
        .await
    }

    fn bad(&self, message: impl Into<String>) -> AiError {
        AiError::BadAnswer {
            provider: self.config.name.clone(),
            message: message.into(),
        }
    }
}

fn role(role: Role) -> &'static str {
    match role {
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
    }
}

/// Arguments as the wire carries them: JSON text.
fn arguments_text(arguments: &Value) -> String {
    match arguments {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Arguments as a model wrote them: JSON when they parse, else the text.
pub(crate) fn arguments_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// A message in Chat Completions' shape (an assistant's tool calls, a tool's result).
fn chat_message(m: &Message) -> Value {
    match m.role {
        Role::Tool => {
            json!({ "role": "tool", "tool_call_id": m.tool_call_id, "content": m.content })
        }
        Role::Assistant if !m.tool_calls.is_empty() => {
            let calls: Vec<Value> = m
                .tool_calls
                .iter()
                .map(|c| {
                    json!({ "id": c.id, "type": "function", "function": {
                        "name": c.name, "arguments": arguments_text(&c.arguments),
                    }})
                })
                .collect();
            let content = (!m.content.is_empty()).then_some(m.content.as_str());
            json!({ "role": "assistant", "content": content, "tool_calls": calls })
        }
        _ => json!({ "role": role(m.role), "content": m.content }),
    }
}

/// A message as Responses input items: tool calls and their results are items of their own.
fn response_items(m: &Message) -> Vec<Value> {
    match m.role {
        Role::Tool => vec![json!({
            "type": "function_call_output", "call_id": m.tool_call_id, "output": m.content,
        })],
        _ => {
            let mut items = Vec::new();
            if !m.content.is_empty() || m.tool_calls.is_empty() {
                items.push(json!({ "role": role(m.role), "content": m.content }));
            }
            items.extend(m.tool_calls.iter().map(|c| {
                json!({
                    "type": "function_call", "call_id": c.id, "name": c.name,
                    "arguments": arguments_text(&c.arguments),
                })
            }));
            items
        }
    }
}

impl ChatModel for OpenAi {
    fn provider(&self) -> &str {
        &self.config.name
    }

    fn complete<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<ChatResponse, AiError>> {
        Box::pin(async move {
            let policy = self.config.retry;
            let response = self.post(self.body(request, false), &policy).await?;
            let answer = json_answer(response).await.map_err(|m| self.bad(m))?;
            match self.api {
                OpenAiApi::ChatCompletions => read_chat_completion(&answer),
                OpenAiApi::Responses => read_response(&answer),
            }
            .map_err(|m| self.bad(m))
        })
    }

    fn stream<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<BoxStream<'a, Result<StreamEvent, AiError>>, AiError>> {
        Box::pin(async move {
            let response = self
                .post(self.body(request, true), &self.config.retry)
                .await?;
            Ok(match self.api {
                OpenAiApi::ChatCompletions => {
                    drive(&self.config.name, response, ChatChunks::default())
                }
                OpenAiApi::Responses => {
                    drive(&self.config.name, response, ResponseEvents::default())
                }
            })
        })
    }
}

fn count(v: &Value, path: &str) -> u64 {
    v.pointer(path).and_then(Value::as_u64).unwrap_or(0)
}

/// A Chat Completions answer: the first choice's content (a refusal is an error).
fn read_chat_completion(v: &Value) -> Result<ChatResponse, String> {
    if let Some(refusal) = text_at(v, "/choices/0/message/refusal") {
        return Err(format!("the model refused: {refusal}"));
    }
    let tool_calls: Vec<ToolCall> = v
        .pointer("/choices/0/message/tool_calls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| ToolCall {
            id: text_at(c, "/id").unwrap_or_default(),
            name: text_at(c, "/function/name").unwrap_or_default(),
            arguments: arguments_value(&text_at(c, "/function/arguments").unwrap_or_default()),
        })
        .collect();
    let text = match text_at(v, "/choices/0/message/content") {
        Some(text) => text,
        None if !tool_calls.is_empty() => String::new(),
        None => return Err("the answer has no message content".into()),
    };
    Ok(ChatResponse {
        text,
        tool_calls,
        usage: TokenUsage {
            input: count(v, "/usage/prompt_tokens"),
            output: count(v, "/usage/completion_tokens"),
        },
        model: text_at(v, "/model").unwrap_or_default(),
        stop_reason: text_at(v, "/choices/0/finish_reason"),
    })
}

/// A Responses answer: the text of its `output_text` parts.
fn read_response(v: &Value) -> Result<ChatResponse, String> {
    if let Some(message) = text_at(v, "/error/message") {
        return Err(message);
    }
    let mut text = String::new();
    let mut tool_calls = Vec::new();
    for item in v
        .get("output")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if item.get("type").and_then(Value::as_str) == Some("function_call") {
            tool_calls.push(ToolCall {
                id: text_at(item, "/call_id").unwrap_or_default(),
                name: text_at(item, "/name").unwrap_or_default(),
                arguments: arguments_value(&text_at(item, "/arguments").unwrap_or_default()),
            });
        }
        for part in item
            .get("content")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match part.get("type").and_then(Value::as_str) {
                Some("output_text") => {
                    text.push_str(part.get("text").and_then(Value::as_str).unwrap_or(""))
                }
                Some("refusal") => {
                    return Err(format!(
                        "the model refused: {}",
                        part.get("refusal").and_then(Value::as_str).unwrap_or("")
                    ));
                }
                _ => {}
            }
        }
    }
    let status = text_at(v, "/status");
    let stop_reason = match status.as_deref() {
        Some("incomplete") => text_at(v, "/incomplete_details/reason").or(status),
        _ => status,
    };
    Ok(ChatResponse {
        text,
        usage: TokenUsage {
            input: count(v, "/usage/input_tokens"),
            output: count(v, "/usage/output_tokens"),
        },
        model: text_at(v, "/model").unwrap_or_default(),
        stop_reason,
        tool_calls,
    })
}

/// Chat Completions chunks: `choices[0].delta.content`, a last chunk with `usage`
/// (`stream_options.include_usage`), then `[DONE]`.
#[derive(Default)]
struct ChatChunks {
    /// The answer so far.
    so_far: ChatResponse,
}

impl StreamParser for ChatChunks {
    fn on(&mut self, event: &SseEvent) -> Result<Step, String> {
        if event.data == "[DONE]" {
            return Ok(Step::Done);
        }
        let chunk: Value =
            serde_json::from_str(&event.data).map_err(|e| format!("a chunk is not JSON: {e}"))?;
        if let Some(message) = text_at(&chunk, "/error/message") {
            return Err(message);
        }
        if let Some(model) = text_at(&chunk, "/model") {
            self.so_far.model = model;
        }
        if chunk.get("usage").is_some_and(Value::is_object) {
            self.so_far.usage = TokenUsage {
                input: count(&chunk, "/usage/prompt_tokens"),
                output: count(&chunk, "/usage/completion_tokens"),
            };
        }
        if let Some(reason) = text_at(&chunk, "/choices/0/finish_reason") {
            self.so_far.stop_reason = Some(reason);
        }
        let delta = text_at(&chunk, "/choices/0/delta/content").unwrap_or_default();
        self.so_far.text.push_str(&delta);
        Ok(Step::Text(delta))
    }

    fn finish(&mut self) -> ChatResponse {
        std::mem::take(&mut self.so_far)
    }
}

/// Responses events: `response.output_text.delta`, then `response.completed` (or
/// `response.incomplete`) carrying the whole response; `error`/`response.failed` end it.
#[derive(Default)]
struct ResponseEvents {
    whole: Option<ChatResponse>,
}

impl StreamParser for ResponseEvents {
    fn on(&mut self, event: &SseEvent) -> Result<Step, String> {
        let v: Value =
            serde_json::from_str(&event.data).map_err(|e| format!("an event is not JSON: {e}"))?;
        let kind = event
            .event
            .clone()
            .or_else(|| text_at(&v, "/type"))
            .unwrap_or_default();
        match kind.as_str() {
            "response.output_text.delta" => {
                Ok(Step::Text(text_at(&v, "/delta").unwrap_or_default()))
            }
            "response.completed" | "response.incomplete" => {
                self.whole = Some(read_response(v.get("response").unwrap_or(&Value::Null))?);
                Ok(Step::Done)
            }
            "response.failed" => Err(text_at(&v, "/response/error/message")
                .unwrap_or_else(|| "the response failed".into())),
            "error" => Err(text_at(&v, "/message")
                .or_else(|| text_at(&v, "/error/message"))
                .unwrap_or_else(|| "stream error".into())),
            _ => Ok(Step::Nothing),
        }
    }

    fn finish(&mut self) -> ChatResponse {
        self.whole.take().unwrap_or_default()
    }
}
