//! A local server that speaks the OpenAI (Chat Completions, Responses) and Anthropic
//! (Messages) wire formats, streaming included, answering from a script: the answers,
//! errors (429 with `retry-after`, 500, 529), silences and malformed bodies a test needs.
#![allow(clippy::unwrap_used)] // test support: a panic fails the test that uses it

use agente_core::{GateError, GateFuture, Limit, Meter, Refusal, TenantId, Usage, UsageGate};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted reply, used by the next request (whatever its format).
#[derive(Clone, Debug)]
pub enum Reply {
    /// The model's answer: text, or the JSON text of a structured answer.
    Answer(String),
    /// An error status with an optional `retry-after` and the provider-shaped error body.
    Error {
        status: u16,
        retry_after: Option<String>,
        message: String,
    },
    /// Say nothing for this long (a timeout).
    Silence(Duration),
    /// A 200 whose body is this, as is (not the format's JSON).
    Raw(String),
    /// The model asks for these tools (name, arguments), with ids `call_1`, `call_2`, …
    /// (not streamed).
    ToolCalls(Vec<(String, Value)>),
}

/// What a request carried.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
}

#[derive(Default)]
struct Shared {
    script: Mutex<VecDeque<Reply>>,
    seen: Mutex<Vec<Seen>>,
}

/// The fake provider. OpenAI's base URL is `{base}/v1`; Anthropic's is `{base}`.
pub struct FakeLlm {
    pub base: String,
    shared: Arc<Shared>,
}

impl FakeLlm {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let app = Router::new().fallback(answer).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("the fake serves") });
        Self { base, shared }
    }

    /// Queues replies for the next requests.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.shared.script.lock().unwrap().extend(replies);
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }
}

/// Tokens as this fake counts them: a quarter of the characters, at least one.
pub fn tokens(text: &str) -> u64 {
    (text.len() as u64 / 4).max(1)
}

async fn answer(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let headers = request.headers().clone();
    let bytes = axum::body::to_bytes(request.into_body(), 1 << 22)
        .await
        .unwrap_or_default();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    shared.seen.lock().unwrap().push(Seen {
        path: path.clone(),
        headers,
        body: body.clone(),
    });
    let reply = shared.script.lock().unwrap().pop_front();
    let anthropic = path.ends_with("/messages");
    match reply {
        None => error(500, None, "no reply scripted", anthropic),
        Some(Reply::Error {
            status,
            retry_after,
            message,
        }) => error(status, retry_after.as_deref(), &message, anthropic),
        Some(Reply::Silence(d)) => {
            tokio::time::sleep(d).await;
            error(504, None, "silence ended", anthropic)
        }
        Some(Reply::Raw(text)) => Response::builder()
            .header("content-type", "application/json")
            .body(Body::from(text))
            .unwrap(),
        Some(Reply::ToolCalls(calls)) => {
            let input = tokens(&String::from_utf8_lossy(&bytes));
            let model = body.get("model").and_then(Value::as_str).unwrap_or("fake");
            tool_calls(&calls, &path, model, input)
        }
        Some(Reply::Answer(text)) => {
            let input = tokens(&String::from_utf8_lossy(&bytes));
            let stream = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
            let model = body
                .get("model")
                .and_then(Value::as_str)
                .unwrap_or("fake")
                .to_string();
            if anthropic {
                let tool = body
                    .pointer("/tool_choice/name")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                messages(&text, tool, &model, input, stream)
            } else if path.ends_with("/responses") {
                responses(&text, &model, input, stream)
            } else {
                chat_completions(&text, &model, input, stream)
            }
        }
    }
}

/// A non-streamed answer that asks for tools, in the request's format.
fn tool_calls(calls: &[(String, Value)], path: &str, model: &str, input: u64) -> Response {
    let id = |i: usize| format!("call_{}", i + 1);
    let output = tokens(&format!("{calls:?}"));
    if path.ends_with("/messages") {
        let blocks: Vec<Value> = calls
            .iter()
            .enumerate()
            .map(|(i, (name, args))| json!({ "type": "tool_use", "id": id(i), "name": name, "input": args }))
            .collect();
        return json_response(json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": model,
            "content": blocks, "stop_reason": "tool_use", "stop_sequence": null,
            "usage": { "input_tokens": input, "output_tokens": output },
        }));
    }
    if path.ends_with("/responses") {
        let items: Vec<Value> = calls
            .iter()
            .enumerate()
            .map(|(i, (name, args))| {
                json!({ "type": "function_call", "id": format!("fc_{i}"), "call_id": id(i),
                "name": name, "arguments": args.to_string(), "status": "completed" })
            })
            .collect();
        return json_response(json!({
            "id": "resp_1", "object": "response", "status": "completed", "model": model,
            "output": items,
            "usage": { "input_tokens": input, "output_tokens": output, "total_tokens": input + output },
        }));
    }
    let calls: Vec<Value> = calls
        .iter()
        .enumerate()
        .map(|(i, (name, args))| {
            json!({ "id": id(i), "type": "function",
            "function": { "name": name, "arguments": args.to_string() } })
        })
        .collect();
    json_response(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{ "index": 0, "message": { "role": "assistant", "content": null, "tool_calls": calls },
            "finish_reason": "tool_calls" }],
        "usage": { "prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output },
    }))
}

fn error(status: u16, retry_after: Option<&str>, message: &str, anthropic: bool) -> Response {
    let body = if anthropic {
        json!({ "type": "error", "error": { "type": "api_error", "message": message } })
    } else {
        json!({ "error": { "message": message, "type": "server_error", "code": null } })
    };
    let mut response = Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", "application/json");
    if let Some(wait) = retry_after {
        response = response.header("retry-after", wait);
    }
    response.body(Body::from(body.to_string())).unwrap()
}

fn json_response(v: Value) -> Response {
    Response::builder()
        .header("content-type", "application/json")
        .body(Body::from(v.to_string()))
        .unwrap()
}

fn sse(events: Vec<(Option<&str>, String)>) -> Response {
    let mut text = String::new();
    for (event, data) in events {
        if let Some(e) = event {
            text.push_str(&format!("event: {e}\n"));
        }
        text.push_str(&format!("data: {data}\n\n"));
    }
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from(text))
        .unwrap()
}

/// The answer in pieces of a few characters, as a model writes it.
fn pieces(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(7).map(|c| c.iter().collect()).collect()
}

fn chat_completions(text: &str, model: &str, input: u64, stream: bool) -> Response {
    let output = tokens(text);
    let usage = json!({ "prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output });
    if !stream {
        return json_response(json!({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{ "index": 0, "message": { "role": "assistant", "content": text, "refusal": null }, "finish_reason": "stop" }],
            "usage": usage,
        }));
    }
    let mut events: Vec<(Option<&str>, String)> = pieces(text)
        .into_iter()
        .map(|p| {
            (
                None,
                json!({ "id": "chatcmpl-1", "object": "chat.completion.chunk", "model": model,
            "choices": [{ "index": 0, "delta": { "content": p }, "finish_reason": null }] })
                .to_string(),
            )
        })
        .collect();
    events.push((
        None,
        json!({ "id": "chatcmpl-1", "object": "chat.completion.chunk", "model": model,
        "choices": [{ "index": 0, "delta": {}, "finish_reason": "stop" }] })
        .to_string(),
    ));
    events.push((
        None,
        json!({ "id": "chatcmpl-1", "object": "chat.completion.chunk", "model": model,
        "choices": [], "usage": usage })
        .to_string(),
    ));
    events.push((None, "[DONE]".into()));
    sse(events)
}

fn responses(text: &str, model: &str, input: u64, stream: bool) -> Response {
    let output = tokens(text);
    let whole = json!({
        "id": "resp_1", "object": "response", "status": "completed", "model": model,
        "output": [{ "type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
            "content": [{ "type": "output_text", "text": text, "annotations": [] }] }],
        "usage": { "input_tokens": input, "output_tokens": output, "total_tokens": input + output },
    });
    if !stream {
        return json_response(whole);
    }
    let mut events = vec![(Some("response.created"), json!({ "type": "response.created", "response": { "id": "resp_1", "status": "in_progress" } }).to_string())];
    for p in pieces(text) {
        events.push((Some("response.output_text.delta"), json!({ "type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": p }).to_string()));
    }
    events.push((
        Some("response.completed"),
        json!({ "type": "response.completed", "response": whole }).to_string(),
    ));
    sse(events)
}

fn messages(text: &str, tool: Option<String>, model: &str, input: u64, stream: bool) -> Response {
    let output = tokens(text);
    let structured = tool
        .as_ref()
        .and_then(|_| serde_json::from_str::<Value>(text).ok());
    let (block, stop) = match (&tool, &structured) {
        (Some(name), Some(input)) => (
            json!({ "type": "tool_use", "id": "toolu_1", "name": name, "input": input }),
            "tool_use",
        ),
        _ => (json!({ "type": "text", "text": text }), "end_turn"),
    };
    if !stream {
        return json_response(json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": model,
            "content": [block], "stop_reason": stop, "stop_sequence": null,
            "usage": { "input_tokens": input, "output_tokens": output },
        }));
    }
    let start_block = match &block["type"].as_str() {
        Some("tool_use") => {
            json!({ "type": "tool_use", "id": "toolu_1", "name": block["name"], "input": {} })
        }
        _ => json!({ "type": "text", "text": "" }),
    };
    let delta_kind = if structured.is_some() {
        "input_json_delta"
    } else {
        "text_delta"
    };
    let delta_field = if structured.is_some() {
        "partial_json"
    } else {
        "text"
    };
    let mut events = vec![
        (Some("message_start"), json!({ "type": "message_start", "message": { "id": "msg_1", "type": "message", "role": "assistant",
            "model": model, "content": [], "stop_reason": null, "usage": { "input_tokens": input, "output_tokens": 1 } } }).to_string()),
        (Some("content_block_start"), json!({ "type": "content_block_start", "index": 0, "content_block": start_block }).to_string()),
        (Some("ping"), json!({ "type": "ping" }).to_string()),
    ];
    for p in pieces(text) {
        events.push((
            Some("content_block_delta"),
            json!({ "type": "content_block_delta", "index": 0,
            "delta": { "type": delta_kind, delta_field: p } })
            .to_string(),
        ));
    }
    events.push((
        Some("content_block_stop"),
        json!({ "type": "content_block_stop", "index": 0 }).to_string(),
    ));
    events.push((
        Some("message_delta"),
        json!({ "type": "message_delta", "delta": { "stop_reason": stop, "stop_sequence": null },
        "usage": { "output_tokens": output } })
        .to_string(),
    ));
    events.push((
        Some("message_stop"),
        json!({ "type": "message_stop" }).to_string(),
    ));
    sse(events)
}

/// A usage gate for AI tokens that records what it is told, refusing once `limit` tokens are counted.
#[derive(Default)]
pub struct TokenGate {
    /// Refuses admissions past this many tokens.
    pub limit: Option<u64>,
    /// (usage id, quantity, admitted rather than recorded)
    pub told: Mutex<Vec<(String, u64, bool)>>,
}

impl TokenGate {
    pub fn used(&self) -> u64 {
        self.told.lock().unwrap().iter().map(|t| t.1).sum()
    }
}

impl UsageGate for TokenGate {
    fn admit<'a>(&'a self, _: TenantId, usage: Usage<'a>) -> GateFuture<'a> {
        Box::pin(async move {
            assert_eq!(usage.meter, Meter::AiTokens);
            if self.limit.is_some_and(|l| self.used() + usage.quantity > l) {
                return Err(GateError::Refused(Refusal::QuotaExhausted {
                    plan: "Free".into(),
                    meter: Meter::AiTokens,
                    included: 10,
                    resets: "2026-12-01T00:00:00Z".into(),
                }));
            }
            self.told
                .lock()
                .unwrap()
                .push((usage.id.to_string(), usage.quantity, true));
            Ok(())
        })
    }
    fn admit_recorded_by_caller<'a>(&'a self, t: TenantId, usage: Usage<'a>) -> GateFuture<'a> {
        self.admit(t, usage)
    }
    fn record<'a>(&'a self, _: TenantId, usage: Usage<'a>) -> GateFuture<'a> {
        Box::pin(async move {
            self.told
                .lock()
                .unwrap()
                .push((usage.id.to_string(), usage.quantity, false));
            Ok(())
        })
    }
    fn check_limit(&self, _: TenantId, _: Limit, _: u64) -> GateFuture<'_> {
        Box::pin(async { Ok(()) })
    }
}
