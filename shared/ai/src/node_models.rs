//! The AI service as the engine's language models: an AI node's call, with the node's own
//! credential (the tenant's key and URL), metered like every AI task — one token admitted
//! before the call (a plan whose AI tokens are used up is refused before anything is
//! spent), the rest recorded after. Calls reach only addresses the network policy allows,
//! checked after DNS resolution by the client they share.

use crate::chat::{ChatModel, ChatRequest, Spend};
use crate::config::{ANTHROPIC_URL, ApiKey, OPENAI_URL, ProviderConfig};
use crate::tenant::Task;
use crate::{AiError, AiService, Anthropic, OpenAi, OpenAiApi};
use agente_core::TenantId;
use agente_core::llm::{LanguageModels, ModelApi, ModelCall, ModelError, ModelFuture, ModelReply};
use agente_network::{HttpSettings, NetworkPolicy, OutboundHttp};
use std::time::Duration;

/// The client calls to tenant-given model URLs share (AI nodes, a tenant's own key): the
/// tenant network policy on every hop, and the provider timeouts.
pub(crate) fn node_client(policy: NetworkPolicy, timeout: Duration) -> OutboundHttp {
    OutboundHttp::new(
        policy,
        &HttpSettings {
            proxy: None,
            connect_timeout: Some(Duration::from_secs(10).min(timeout)),
            read_timeout: Some(timeout),
        },
    )
    .expect("the HTTP client builds with rustls")
}

impl AiService {
    fn node_model(&self, call: &ModelCall) -> Box<dyn ChatModel> {
        let (name, default_url) = match call.api {
            ModelApi::OpenAi => ("openai", OPENAI_URL),
            ModelApi::Anthropic => ("anthropic", ANTHROPIC_URL),
        };
        let key = (!call.api_key.is_empty()).then(|| ApiKey::new(call.api_key.clone()));
        let base = call.base_url.as_deref().unwrap_or(default_url);
        let mut config = ProviderConfig::new(name, base, key, &call.model);
        config.timeout = self.inner.node_timeout;
        let http = self.inner.node_http.clone();
        match call.api {
            ModelApi::OpenAi => Box::new(OpenAi::with_client(
                config,
                OpenAiApi::ChatCompletions,
                http,
            )),
            ModelApi::Anthropic => Box::new(Anthropic::with_client(config, http)),
        }
    }

    async fn node_chat(&self, tenant: TenantId, call: ModelCall) -> Result<ModelReply, ModelError> {
        // Checked before anything is admitted or metered (the client checks again, after
        // DNS and on every hop).
        if let Some(base) = &call.base_url {
            let url = reqwest::Url::parse(base).map_err(|_| {
                ModelError::Failed(format!(
                    "`{}` is not a URL",
                    agente_network::redact::url(base)
                ))
            })?;
            self.inner
                .node_http
                .policy()
                .check_url(&url)
                .map_err(|e| ModelError::Failed(format!("the model's URL: {e}")))?;
        }
        let id = format!("ai:node:{}", call.usage_id);
        self.admit(tenant, &id).await.map_err(|e| match e {
            AiError::Refused(refusal) => ModelError::Refused(refusal),
            other => ModelError::Failed(other.to_string()),
        })?;
        let model = self.node_model(&call);
        let request = ChatRequest {
            system: call.system,
            messages: call.messages,
            max_tokens: call.max_tokens,
            temperature: call.temperature,
            schema: None,
            model: Some(call.model),
            tools: call.tools,
            json: call.json,
        };
        let answer = model.complete(&request).await;
        let spent = answer.as_ref().map(|a| a.usage.total()).unwrap_or(0);
        self.record(tenant, &id, spent).await;
        let answer = answer.map_err(|e| ModelError::Failed(e.to_string()))?;
        let mut spend = Spend::default();
        spend.add(model.provider(), &answer);
        self.log_spend(tenant, &id, Task::Node, &spend, true).await;
        Ok(ModelReply {
            text: answer.text,
            tool_calls: answer.tool_calls,
            usage: answer.usage,
            model: answer.model,
            stop_reason: answer.stop_reason,
        })
    }
}

impl LanguageModels for AiService {
    fn chat(&self, tenant: TenantId, call: ModelCall) -> ModelFuture<'_> {
        Box::pin(self.node_chat(tenant, call))
    }
}
