//! The AI providers from the environment: `OPENAI_API_KEY` / `OPENAI_BASE_URL` (any
//! OpenAI-compatible server; `AGENTE_OPENAI_MODEL`, `AGENTE_OPENAI_API=chat|responses`),
//! `ANTHROPIC_API_KEY` / `ANTHROPIC_BASE_URL` (`AGENTE_ANTHROPIC_MODEL`), and the order to
//! ask them in per task (`AGENTE_AI_GENERATION=anthropic,openai`, `AGENTE_AI_ANALYSIS`). None set:
//! the offline provider alone, no network.

use agente_ai::{ApiKey, OpenAiApi, ProviderConfig, ProviderSpec};
use std::time::Duration;

/// The AI settings of a deployment.
#[derive(Clone, Debug, Default)]
pub struct AiSettings {
    pub providers: Vec<ProviderSpec>,
    /// Provider names for workflow generation, first to last; none: as listed.
    pub generation_order: Option<Vec<String>>,
    /// … for explaining failures (`AGENTE_AI_ANALYSIS`).
    pub analysis_order: Option<Vec<String>>,
    /// Longest silence of a provider (`AGENTE_AI_TIMEOUT_SECS`, 60); also for AI nodes.
    /// `None`: the default.
    pub timeout: Option<Duration>,
}

impl AiSettings {
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let timeout =
            match env("AGENTE_AI_TIMEOUT_SECS") {
                Some(s) => Duration::from_secs(s.parse().map_err(|_| {
                    anyhow::anyhow!("AGENTE_AI_TIMEOUT_SECS is a number of seconds")
                })?),
                None => Duration::from_secs(60),
            };
        let mut providers = Vec::new();
        let openai_key = env("OPENAI_API_KEY");
        let openai_base = env("OPENAI_BASE_URL");
        if openai_key.is_some() || openai_base.is_some() {
            let base = openai_base.unwrap_or_else(|| "https://api.openai.com/v1".into());
            let model = env("AGENTE_OPENAI_MODEL").unwrap_or_else(|| "gpt-4.1-mini".into());
            let api = match env("AGENTE_OPENAI_API").as_deref() {
                None | Some("chat") => OpenAiApi::ChatCompletions,
                Some("responses") => OpenAiApi::Responses,
                Some(other) => {
                    anyhow::bail!("AGENTE_OPENAI_API is `chat` or `responses`, not `{other}`")
                }
            };
            let mut config =
                ProviderConfig::new("openai", &base, openai_key.map(ApiKey::new), &model);
            config.timeout = timeout;
            providers.push(ProviderSpec::OpenAi { api, config });
        }
        if let Some(key) = env("ANTHROPIC_API_KEY") {
            let base =
                env("ANTHROPIC_BASE_URL").unwrap_or_else(|| "https://api.anthropic.com".into());
            let model = env("AGENTE_ANTHROPIC_MODEL").unwrap_or_else(|| "claude-sonnet-4-5".into());
            let mut config =
                ProviderConfig::new("anthropic", &base, Some(ApiKey::new(key)), &model);
            config.timeout = timeout;
            providers.push(ProviderSpec::Anthropic(config));
        }
        let order = |name: &str| -> Option<Vec<String>> {
            env(name).map(|order| {
                order
                    .split(',')
                    .map(|p| p.trim().to_lowercase())
                    .filter(|p| !p.is_empty())
                    .collect()
            })
        };
        Ok(Self {
            providers,
            generation_order: order("AGENTE_AI_GENERATION"),
            analysis_order: order("AGENTE_AI_ANALYSIS"),
            timeout: Some(timeout),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> anyhow::Result<AiSettings> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        AiSettings::from_env(|name| vars.get(name).cloned())
    }

    #[test]
    fn providers_come_from_the_environment() {
        assert!(
            settings(&[]).unwrap().providers.is_empty(),
            "offline alone by default"
        );
        let s = settings(&[
            ("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1"),
            ("ANTHROPIC_API_KEY", "sk-ant"),
            ("AGENTE_AI_GENERATION", "anthropic, openai"),
        ])
        .unwrap();
        let names: Vec<&str> = s.providers.iter().map(ProviderSpec::name).collect();
        assert_eq!(names, ["openai", "anthropic"]);
        assert_eq!(s.generation_order.unwrap(), ["anthropic", "openai"]);
        assert!(
            !format!("{:?}", s.providers).contains("sk-ant"),
            "keys never show"
        );
        assert!(settings(&[("OPENAI_API_KEY", "k"), ("AGENTE_OPENAI_API", "soap")]).is_err());
    }
}
