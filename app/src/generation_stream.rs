//! The assistant's live view of a generation: `POST /api/v1/ai/workflows/generate/stream`
//! read with `fetch` as server-sent events (the browser's `EventSource` cannot POST), so the
//! model's answer shows as it is written. Hydrated builds only.

use crate::api::{GeneratedBody, GenerationAttempt, GenerationDelta};
use crate::sse_events::{EventBuffer, problem_words};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

const PATH: &str = "/api/v1/ai/workflows/generate/stream";

/// What the stream tells, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// A provider starts (again, to correct itself, when `repair` > 0).
    Attempt { provider: String, repair: usize },
    /// More of its answer.
    Delta(String),
    /// The generated workflow and how it was made (the plain call's body).
    Result(GeneratedBody),
}

/// Runs one generation, telling `on` each step; an error is the problem's words.
pub async fn generate(description: &str, on: impl Fn(Step)) -> Result<(), String> {
    let response = post(description).await.map_err(js_message)?;
    if !response.ok() {
        let text = read_text(&response).await.unwrap_or_default();
        return Err(problem_words(&text));
    }
    let reader: web_sys::ReadableStreamDefaultReader = response
        .body()
        .ok_or("the answer has no body")?
        .get_reader()
        .unchecked_into();
    let mut events = EventBuffer::default();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(js_message)?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Err("the stream ended before the workflow was written".into());
        }
        let bytes: js_sys::Uint8Array = js_sys::Reflect::get(&chunk, &"value".into())
            .map_err(js_message)?
            .unchecked_into();
        for (event, data) in events.push(&bytes.to_vec()) {
            match event.as_str() {
                "attempt" => {
                    let GenerationAttempt { provider, repair } = read(&event, &data)?;
                    on(Step::Attempt { provider, repair });
                }
                "delta" => on(Step::Delta(read::<GenerationDelta>(&event, &data)?.text)),
                "result" => {
                    on(Step::Result(read(&event, &data)?));
                    return Ok(());
                }
                "error" => return Err(problem_words(&data)),
                _ => {}
            }
        }
    }
}

/// One event's data as the type the server wrote it with.
fn read<T: DeserializeOwned>(event: &str, data: &str) -> Result<T, String> {
    serde_json::from_str(data)
        .map_err(|e| format!("the server's {event} event could not be read: {e}"))
}

async fn post(description: &str) -> Result<web_sys::Response, JsValue> {
    let headers = web_sys::Headers::new()?;
    headers.set("content-type", "application/json")?;
    headers.set("accept", "text/event-stream")?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let body = serde_json::json!({ "description": description }).to_string();
    init.set_body(&JsValue::from_str(&body));
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    JsFuture::from(window.fetch_with_str_and_init(PATH, &init))
        .await?
        .dyn_into()
}

async fn read_text(response: &web_sys::Response) -> Option<String> {
    JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()
}

fn js_message(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            js_sys::Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "the connection failed".into())
}
