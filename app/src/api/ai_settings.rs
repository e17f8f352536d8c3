//! Settings → AI: which providers the workspace's AI tasks use, and what its model calls
//! cost.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::{context, require_principal, server_error};

/// One task's choice as the form shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChoiceView {
    /// `server`, `offline` or `own`.
    pub used: String,
    pub credential_id: String,
    pub model: String,
}

/// A credential that can hold a provider's key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyCredential {
    pub id: String,
    pub label: String,
}

/// One model answer in the ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AiCallView {
    pub at: i64,
    pub task: String,
    pub provider: String,
    pub model: String,
    pub tokens: u64,
    /// Dollars, formatted; empty when the model has no price.
    pub cost: String,
    pub own_key: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AiSettingsView {
    pub generation: ChoiceView,
    pub analysis: ChoiceView,
    pub credentials: Vec<KeyCredential>,
    /// The deployment's providers, first to last.
    pub server_providers: Vec<String>,
    pub can_change: bool,
    /// `None` when the member may not see billing.
    pub calls: Option<Vec<AiCallView>>,
    pub total_cost: String,
}

/// Millionths of a dollar as dollars, to the cent and below when small.
pub fn dollars(micros: u64) -> String {
    format!("${:.4}", micros as f64 / 1_000_000.0)
}

#[cfg(feature = "ssr")]
fn choice_view(choice: &agente_ai::ProviderChoice) -> ChoiceView {
    use agente_ai::ProviderChoice::*;
    match choice {
        Server => ChoiceView {
            used: "server".into(),
            ..ChoiceView::default()
        },
        Offline => ChoiceView {
            used: "offline".into(),
            ..ChoiceView::default()
        },
        Own {
            credential_id,
            model,
        } => ChoiceView {
            used: "own".into(),
            credential_id: credential_id.clone(),
            model: model.clone(),
        },
    }
}

#[cfg(feature = "ssr")]
fn choice(
    used: &str,
    credential_id: String,
    model: String,
) -> Result<agente_ai::ProviderChoice, ServerFnError> {
    use agente_ai::ProviderChoice::*;
    match used {
        "server" => Ok(Server),
        "offline" => Ok(Offline),
        "own" => Ok(Own {
            credential_id,
            model: model.trim().to_string(),
        }),
        other => Err(ServerFnError::new(format!("`{other}` is not a choice"))),
    }
}

#[server(prefix = "/sfn", endpoint = "ai_settings")]
pub async fn get_ai_settings() -> Result<AiSettingsView, ServerFnError> {
    let p = require_principal()?;
    let ctx = context()?;
    let settings = ctx.ai.settings(&p).await.map_err(server_error)?;
    // Members who may not list credentials choose nothing anyway.
    let credentials = ctx
        .workflows
        .credentials()
        .list(&p)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|c| matches!(c.kind.as_str(), "openAiApi" | "anthropicApi"))
        .map(|c| KeyCredential {
            label: format!(
                "{} ({})",
                c.name,
                if c.kind == "openAiApi" {
                    "OpenAI"
                } else {
                    "Anthropic"
                }
            ),
            id: c.id.to_string(),
        })
        .collect();
    let report = ctx.ai.calls(&p, 50).await.ok();
    Ok(AiSettingsView {
        generation: choice_view(&settings.generation),
        analysis: choice_view(&settings.analysis),
        credentials,
        server_providers: ctx.ai.generation_providers(),
        can_change: agente_auth::check_permission(
            &p,
            agente_auth::Resource::Tenant,
            agente_auth::Action::Write,
        )
        .is_ok(),
        total_cost: report
            .as_ref()
            .map(|r| dollars(r.cost_micros))
            .unwrap_or_default(),
        calls: report.map(|r| {
            r.calls
                .into_iter()
                .map(|c| AiCallView {
                    at: c.created_at,
                    task: c.task,
                    provider: c.provider,
                    model: c.model,
                    tokens: c.input_tokens + c.output_tokens,
                    cost: c.cost_micros.map(dollars).unwrap_or_default(),
                    own_key: c.own_key,
                })
                .collect()
        }),
    })
}

#[server(prefix = "/sfn", endpoint = "ai_save_settings")]
pub async fn save_ai_settings(
    generation_use: String,
    generation_credential: Option<String>,
    generation_model: Option<String>,
    analysis_use: String,
    analysis_credential: Option<String>,
    analysis_model: Option<String>,
) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    let settings = agente_ai::TenantAiSettings {
        generation: choice(
            &generation_use,
            generation_credential.unwrap_or_default(),
            generation_model.unwrap_or_default(),
        )?,
        analysis: choice(
            &analysis_use,
            analysis_credential.unwrap_or_default(),
            analysis_model.unwrap_or_default(),
        )?,
    };
    context()?
        .ai
        .set_settings(&p, settings)
        .await
        .map_err(server_error)?;
    Ok(())
}
