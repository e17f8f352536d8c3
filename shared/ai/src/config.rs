//! How to reach one provider: where, with which key and model, how patiently.

use crate::http::RetryPolicy;
use agente_network::{HttpSettings, NetworkPolicy, OutboundHttp};
use std::fmt;
use std::time::Duration;

/// Where a provider is reached when a credential or setting names no URL.
pub(crate) const OPENAI_URL: &str = "https://api.openai.com/v1";
pub(crate) const ANTHROPIC_URL: &str = "https://api.anthropic.com";

/// An API key. Its `Debug` never shows it, and nothing but the request header reads it.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(…)")
    }
}

/// One provider's settings.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// The name in logs, settings and errors (`openai`, `anthropic`, or e.g. `ollama`).
    pub name: String,
    /// `https://api.openai.com/v1`, `https://api.anthropic.com`, or a compatible server.
    pub base_url: String,
    /// None: a local server that takes no key.
    pub api_key: Option<ApiKey>,
    pub model: String,
    /// Longest silence while waiting for (more of) an answer.
    pub timeout: Duration,
    pub retry: RetryPolicy,
}

impl ProviderConfig {
    pub fn new(name: &str, base_url: &str, api_key: Option<ApiKey>, model: &str) -> Self {
        Self {
            name: name.into(),
            base_url: base_url.into(),
            api_key,
            model: model.into(),
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
        }
    }

    /// One client per provider: connections are reused; a read that waits longer than the
    /// timeout fails (a stream may run long, but never stall). The deployment's providers
    /// are the operator's choice, so any address is allowed (a model server on the same
    /// host); a tenant's own URL goes through the tenant policy's client instead.
    pub(crate) fn client(&self) -> OutboundHttp {
        OutboundHttp::new(
            NetworkPolicy::allow_private(),
            &HttpSettings {
                proxy: None,
                connect_timeout: Some(Duration::from_secs(10).min(self.timeout)),
                read_timeout: Some(self.timeout),
            },
        )
        .expect("a client with these settings builds")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_never_shows_in_debug() {
        let c = ProviderConfig::new("openai", "http://x", Some(ApiKey::new("sk-secret")), "m");
        assert!(!format!("{c:?}").contains("sk-secret"));
    }
}
