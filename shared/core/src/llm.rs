//! The language-model port: what a workflow's AI node asks of the AI service, and the chat
//! vocabulary (messages, tool calls, token counts) the AI service's providers speak. The
//! engine cannot depend on the AI crate (that crate depends on the engine), so both meet
//! here. The AI service implements [`LanguageModels`]; the workflow service hands it to the
//! engine per run, bound to the run's tenant.

use crate::{Refusal, TenantId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// Who said a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
    /// A tool's result, answering the assistant's call `tool_call_id`.
    Tool,
}

/// A model asking for a tool to be run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's id for the call; the result names it.
    pub id: String,
    pub name: String,
    /// The arguments as the model wrote them (an object, or the text when it was not JSON).
    pub arguments: Value,
}

/// A tool a model may call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    /// `^[a-zA-Z0-9_-]{1,64}$`, the providers' rule for names.
    pub name: String,
    pub description: String,
    /// JSON Schema of the arguments (an object schema).
    pub parameters: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
    /// The assistant's tool calls (its content may then be empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// For `Role::Tool`: the call this answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl Message {
    fn new(role: Role, content: String) -> Self {
        Self {
            role,
            content,
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }

    pub fn user(content: impl Into<String>) -> Self {
        Self::new(Role::User, content.into())
    }

    pub fn assistant(content: impl Into<String>) -> Self {
        Self::new(Role::Assistant, content.into())
    }

    /// The assistant's turn that asked for tools.
    pub fn tool_calls(content: impl Into<String>, calls: Vec<ToolCall>) -> Self {
        Self {
            tool_calls: calls,
            ..Self::new(Role::Assistant, content.into())
        }
    }

    /// A tool's answer to `call_id`.
    pub fn tool_result(call_id: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            tool_call_id: Some(call_id.into()),
            ..Self::new(Role::Tool, content.into())
        }
    }
}

/// Tokens a call spent, as the provider counted them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    pub input: u64,
    pub output: u64,
}

impl TokenUsage {
    pub fn total(self) -> u64 {
        self.input + self.output
    }
}

/// Which provider API a node's credential is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelApi {
    /// OpenAI's Chat Completions (or a compatible server at the credential's URL).
    OpenAi,
    /// Anthropic's Messages.
    Anthropic,
}

/// One model call from a workflow node, with the tenant's own credential.
#[derive(Clone, PartialEq)]
pub struct ModelCall {
    pub api: ModelApi,
    /// The API's base URL (`https://api.openai.com/v1`, …); the provider's own when `None`.
    pub base_url: Option<String>,
    /// From the node's decrypted credential. Never logged (see `Debug`).
    pub api_key: String,
    pub model: String,
    pub system: String,
    pub messages: Vec<Message>,
    pub tools: Vec<ToolSpec>,
    pub max_tokens: u32,
    pub temperature: Option<f64>,
    /// Ask for a JSON object as the answer.
    pub json: bool,
    /// Names the call for metering: the same id is counted once (a re-run execution's call
    /// is not billed twice).
    pub usage_id: String,
}

impl fmt::Debug for ModelCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelCall")
            .field("api", &self.api)
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("messages", &self.messages.len())
            .field("tools", &self.tools.len())
            .field("usage_id", &self.usage_id)
            .finish_non_exhaustive()
    }
}

/// A model's answer to a node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelReply {
    pub text: String,
    pub tool_calls: Vec<ToolCall>,
    pub usage: TokenUsage,
    /// The model that answered, as the provider named it.
    pub model: String,
    /// Why it stopped (`stop`, `length`, `tool_calls`, `end_turn`, `tool_use`, …).
    pub stop_reason: Option<String>,
}

/// Why a node's model call failed, in words for the execution's error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The plan's AI tokens are used up.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("{0}")]
    Failed(String),
}

pub type ModelFuture<'a> =
    Pin<Box<dyn Future<Output = Result<ModelReply, ModelError>> + Send + 'a>>;

/// Language models as a workflow run sees them: the call is metered for `tenant`.
pub trait LanguageModels: Send + Sync {
    fn chat(&self, tenant: TenantId, call: ModelCall) -> ModelFuture<'_>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_never_shows_its_key() {
        let call = ModelCall {
            api: ModelApi::OpenAi,
            base_url: None,
            api_key: "sk-very-secret".into(),
            model: "m".into(),
            system: String::new(),
            messages: vec![Message::user("hi")],
            tools: Vec::new(),
            max_tokens: 16,
            temperature: None,
            json: false,
            usage_id: "x".into(),
        };
        assert!(!format!("{call:?}").contains("sk-very-secret"));
    }

    #[test]
    fn messages_keep_tool_calls_and_results_apart() {
        let call = ToolCall {
            id: "c1".into(),
            name: "lookup".into(),
            arguments: serde_json::json!({ "q": 1 }),
        };
        let asked = Message::tool_calls("", vec![call.clone()]);
        assert_eq!((asked.role, asked.tool_calls.len()), (Role::Assistant, 1));
        let answered = Message::tool_result("c1", "42");
        assert_eq!(answered.role, Role::Tool);
        assert_eq!(answered.tool_call_id.as_deref(), Some("c1"));
        assert_eq!(
            serde_json::to_value(Message::user("x")).unwrap(),
            serde_json::json!({ "role": "user", "content": "x" })
        );
    }
}
