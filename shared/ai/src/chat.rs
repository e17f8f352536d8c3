//! The chat-model port: one request and answer shape for every provider, and the trait each
//! adapter implements. Providers differ on the wire (`openai.rs`, `anthropic.rs`), not here.

use crate::AiError;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use serde_json::Value;

pub use agente_core::llm::{Message, Role, TokenUsage, ToolCall, ToolSpec};

/// An answer constrained to a JSON Schema: OpenAI's structured output
/// (`response_format`/`text.format` with `json_schema`), Anthropic's forced tool call.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputSchema {
    /// `^[a-zA-Z0-9_-]{1,64}$` (both providers' rule for names).
    pub name: &'static str,
    pub description: &'static str,
    pub schema: Value,
}

/// What to ask a model.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatRequest {
    /// Instructions (OpenAI: a system message or `instructions`; Anthropic: `system`).
    pub system: String,
    pub messages: Vec<Message>,
    /// Most tokens the answer may have.
    pub max_tokens: u32,
    pub temperature: Option<f64>,
    /// Ask for JSON of this shape instead of free text.
    pub schema: Option<OutputSchema>,
    /// A model other than the provider's configured one.
    pub model: Option<String>,
    /// Tools the model may call (a schema, when set, takes precedence on Anthropic).
    pub tools: Vec<ToolSpec>,
    /// Ask for a JSON object (without a schema): OpenAI's `json_object` format; told in the
    /// instructions elsewhere.
    pub json: bool,
}

impl ChatRequest {
    pub fn new(system: impl Into<String>, user: impl Into<String>) -> Self {
        Self {
            system: system.into(),
            messages: vec![Message::user(user)],
            max_tokens: 1_024,
            temperature: None,
            schema: None,
            model: None,
            tools: Vec::new(),
            json: false,
        }
    }
}

/// A model's whole answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChatResponse {
    /// The answer's text; with a schema, the JSON text of the structured answer.
    pub text: String,
    pub usage: TokenUsage,
    /// The model that answered, as the provider named it.
    pub model: String,
    /// Why it stopped (`stop`, `length`, `end_turn`, `max_tokens`, `tool_use`, …).
    pub stop_reason: Option<String>,
    /// Tools the model asked to be run (never with a schema's answer).
    pub tool_calls: Vec<ToolCall>,
}

/// One model answer's spend.
#[derive(Clone, Debug, PartialEq)]
pub struct Spent {
    pub provider: String,
    /// As the provider named it (what prices it).
    pub model: String,
    pub usage: TokenUsage,
}

/// What a task's model answers spent, answer by answer (a task may ask several models, and
/// one model several times).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spend(pub Vec<Spent>);

impl Spend {
    pub fn add(&mut self, provider: &str, answer: &ChatResponse) {
        self.0.push(Spent {
            provider: provider.to_string(),
            model: answer.model.clone(),
            usage: answer.usage,
        });
    }

    /// Tokens across every answer.
    pub fn usage(&self) -> TokenUsage {
        self.0
            .iter()
            .fold(TokenUsage::default(), |sum, s| TokenUsage {
                input: sum.input + s.usage.input,
                output: sum.output + s.usage.output,
            })
    }

    pub fn total(&self) -> u64 {
        self.usage().total()
    }
}

/// A piece of a streamed answer.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamEvent {
    /// More text (with a schema: more of the JSON text).
    Delta(String),
    /// The end: the whole answer with its token counts.
    Done(ChatResponse),
}

/// A chat model behind some provider's API.
pub trait ChatModel: Send + Sync {
    /// A short name for logs, settings and usage records: `openai`, `anthropic`, ….
    fn provider(&self) -> &str;

    /// The whole answer (retried on 429/5xx/timeouts as the provider allows).
    fn complete<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<ChatResponse, AiError>>;

    /// The answer as it is written. Retries happen only before the first event; the last
    /// event is `Done` unless an error ends the stream.
    fn stream<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<BoxStream<'a, Result<StreamEvent, AiError>>, AiError>>;
}

/// The text at a JSON Pointer of a provider's answer, if it is text.
pub(crate) fn text_at(v: &Value, path: &str) -> Option<String> {
    v.pointer(path).and_then(Value::as_str).map(str::to_string)
}

/// The JSON object a model's answer holds: from its first `{` to its last `}` (fences and
/// chatter around it tolerated); a cut-off answer runs to its end, so the parser says where.
pub(crate) fn json_part(answer: &str) -> Option<&str> {
    let start = answer.find('{')?;
    let end = answer
        .rfind('}')
        .filter(|end| *end > start)
        .map_or(answer.len(), |end| end + 1);
    Some(&answer[start..end])
}
