//! The AI service. Chat models from three kinds of provider sit behind one port
//! ([`ChatModel`]): OpenAI (Chat Completions or Responses; also any OpenAI-compatible server
//! by base URL), Anthropic (Messages), and an offline provider that needs no network.
//! Requests are retried on 429/5xx/timeouts honouring `Retry-After` (`http.rs`), streamed as
//! server-sent events (`sse.rs`, `streaming.rs`), and keys are never logged.

mod anthropic;
pub mod chat;
mod config;
mod error;
pub mod evaluation;
pub mod explain;
pub mod generate;
mod http;
mod node_models;
pub mod offline;
mod openai;
pub mod optimise;
pub mod pricing;
mod service;
pub mod sse;
mod streaming;
mod tenant;
#[cfg(feature = "testing")]
pub mod testing;
pub mod workflow_check;

pub use anthropic::Anthropic;
pub use chat::{
    ChatModel, ChatRequest, ChatResponse, Message, OutputSchema, Role, Spend, Spent, StreamEvent,
    TokenUsage, ToolCall, ToolSpec,
};
pub use config::{ApiKey, ProviderConfig};
pub use error::AiError;
pub use http::RetryPolicy;
pub use openai::{OpenAi, OpenAiApi};
pub use service::{ADVICE_EXECUTIONS, AiService, ExplainedExecution, ProviderSpec};
pub use tenant::{AiCall, AiCallsReport, MAX_CALLS_LISTED, ProviderChoice, TenantAiSettings};
