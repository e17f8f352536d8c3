//! The AI service per tenant: which providers each task uses — the deployment's, the
//! offline provider alone (nothing leaves the server), or the tenant's own key from one of
//! its sealed credentials — and the ledger of model answers with what they cost.
//!
//! A tenant's own key comes with its own model and no fallback to the deployment's
//! providers (the deployment does not pay for a tenant who chose to pay); the offline
//! provider still answers when that key fails. Tokens are metered on the plan either way.

use crate::chat::{ChatModel, Spend};
use crate::config::{ApiKey, ProviderConfig};
use crate::pricing::cost_micros;
use crate::{AiError, AiService, Anthropic, OpenAi, OpenAiApi};
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::{Clock, SecretBox, TenantId};
use agente_store::sqlx::query;
use agente_store::{Db, Row};
use agente_workflows::{WorkflowServiceError, open_credential};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Where the AI service keeps tenants' settings and ledgers.
#[derive(Clone)]
pub(crate) struct Store {
    pub db: Db,
    pub secrets: SecretBox,
    pub clock: Arc<dyn Clock>,
}

/// Which providers answer one task for a tenant.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "use", rename_all = "camelCase")]
pub enum ProviderChoice {
    /// The deployment's providers in its order, then offline.
    #[default]
    Server,
    /// The offline provider only: nothing is sent anywhere.
    Offline,
    /// The tenant's own key (an `openAiApi` or `anthropicApi` credential) and model, then
    /// offline.
    #[serde(rename_all = "camelCase")]
    Own {
        credential_id: String,
        model: String,
    },
}

/// A tenant's AI settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantAiSettings {
    #[serde(default)]
    pub generation: ProviderChoice,
    #[serde(default)]
    pub analysis: ProviderChoice,
}

/// The task a model call serves (the ledger's `task`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    Generation,
    Analysis,
    /// An AI node in a workflow.
    Node,
}

impl Task {
    fn as_str(self) -> &'static str {
        match self {
            Task::Generation => "generation",
            Task::Analysis => "analysis",
            Task::Node => "node",
        }
    }
}

/// One model answer in the ledger.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AiCall {
    pub call_id: String,
    pub task: String,
    pub provider: String,
    pub model: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// US dollars × 1,000,000; absent for a model without a price.
    pub cost_micros: Option<u64>,
    /// The tenant's own key paid the provider.
    pub own_key: bool,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// The recent ledger and its sums.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AiCallsReport {
    /// Newest first.
    pub calls: Vec<AiCall>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Sum over the calls with a price.
    pub cost_micros: u64,
}

/// Longest model name a tenant may give.
const MAX_MODEL: usize = 200;
/// Most ledger rows answered at once.
pub const MAX_CALLS_LISTED: u32 = 500;

impl AiService {
    /// Keeps tenants' settings and ledgers in `db`; tenants' own keys are opened with
    /// `secrets`. Without a store every tenant uses the deployment's providers.
    pub fn with_store(self, db: Db, secrets: SecretBox, clock: Arc<dyn Clock>) -> Self {
        let mut inner = (*self.inner).clone();
        inner.store = Some(Store { db, secrets, clock });
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The tenant's AI settings (every member may read them).
    pub async fn settings(&self, p: &Principal) -> Result<TenantAiSettings, AiError> {
        check_permission(p, Resource::Workflows, Action::Read)?;
        self.load_settings(p.tenant_id).await
    }

    /// Changes the tenant's AI settings (admins). An own key must name a credential of the
    /// tenant's of type `openAiApi` or `anthropicApi`, and a model.
    pub async fn set_settings(
        &self,
        p: &Principal,
        settings: TenantAiSettings,
    ) -> Result<TenantAiSettings, AiError> {
        check_permission(p, Resource::Tenant, Action::Write)?;
        let store = self.store()?;
        for choice in [&settings.generation, &settings.analysis] {
            if let ProviderChoice::Own {
                credential_id,
                model,
            } = choice
            {
                if model.trim().is_empty() || model.len() > MAX_MODEL {
                    return Err(AiError::BadInput(format!(
                        "an own key needs a model name of 1 to {MAX_MODEL} characters"
                    )));
                }
                self.own_model(p.tenant_id, credential_id, model).await?;
            }
        }
        let mut tx = store.db.tenant_tx(p.tenant_id).await?;
        query(
            "INSERT INTO ai_settings (tenant_id, settings, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
        )
        .bind(p.tenant_id.to_string())
        .bind(serde_json::to_string(&settings).unwrap_or_default())
        .bind(store.clock.now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(settings)
    }

    /// The tenant's recent model answers (up to `limit`, newest first) with their cost.
    /// Members who may read billing.
    pub async fn calls(&self, p: &Principal, limit: u32) -> Result<AiCallsReport, AiError> {
        check_permission(p, Resource::Billing, Action::Read)?;
        let mut report = AiCallsReport {
            calls: Vec::new(),
            input_tokens: 0,
            output_tokens: 0,
            cost_micros: 0,
        };
        let Some(store) = &self.inner.store else {
            return Ok(report);
        };
        let mut tx = store.db.tenant_read(p.tenant_id).await?;
        let rows = query(
            "SELECT call_id, task, provider, model, input_tokens, output_tokens, cost_micros, own_key, created_at \
             FROM ai_calls WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(p.tenant_id.to_string())
        .bind(i64::from(limit.clamp(1, MAX_CALLS_LISTED)))
        .fetch_all(&mut *tx)
        .await?;
        for row in rows {
            let count = |name: &str| -> Result<u64, AiError> {
                Ok(row.try_get::<i64, _>(name)?.max(0) as u64)
            };
            let call = AiCall {
                call_id: row.try_get("call_id")?,
                task: row.try_get("task")?,
                provider: row.try_get("provider")?,
                model: row.try_get("model")?,
                input_tokens: count("input_tokens")?,
                output_tokens: count("output_tokens")?,
                cost_micros: row
                    .try_get::<Option<i64>, _>("cost_micros")?
                    .map(|c| c.max(0) as u64),
                own_key: row.try_get::<i64, _>("own_key")? != 0,
                created_at: row.try_get("created_at")?,
            };
            report.input_tokens += call.input_tokens;
            report.output_tokens += call.output_tokens;
            report.cost_micros += call.cost_micros.unwrap_or(0);
            report.calls.push(call);
        }
        Ok(report)
    }

    fn store(&self) -> Result<&Store, AiError> {
        self.inner
            .store
            .as_ref()
            .ok_or_else(|| AiError::NotConfigured("AI settings are not kept on this server".into()))
    }

    async fn load_settings(&self, tenant: TenantId) -> Result<TenantAiSettings, AiError> {
        let Some(store) = &self.inner.store else {
            return Ok(TenantAiSettings::default());
        };
        let mut tx = store.db.tenant_read(tenant).await?;
        let row = query("SELECT settings FROM ai_settings WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        Ok(match row {
            // Settings written by this code always read back; anything else is the default.
            Some(row) => {
                serde_json::from_str(&row.try_get::<String, _>("settings")?).unwrap_or_default()
            }
            None => TenantAiSettings::default(),
        })
    }

    /// The models `task` asks for `tenant`, first to last (offline comes after them), and
    /// whether they run on the tenant's own key.
    pub(crate) async fn models_for(
        &self,
        tenant: TenantId,
        task: Task,
    ) -> Result<(Vec<Arc<dyn ChatModel>>, bool), AiError> {
        let settings = self.load_settings(tenant).await?;
        let (choice, server) = match task {
            Task::Analysis => (settings.analysis, &self.inner.analysis),
            _ => (settings.generation, &self.inner.generation),
        };
        Ok(match choice {
            ProviderChoice::Server => (server.clone(), false),
            ProviderChoice::Offline => (Vec::new(), false),
            ProviderChoice::Own {
                credential_id,
                model,
            } => (
                vec![self.own_model(tenant, &credential_id, &model).await?],
                true,
            ),
        })
    }

    /// A model on the tenant's own key.
    async fn own_model(
        &self,
        tenant: TenantId,
        credential_id: &str,
        model: &str,
    ) -> Result<Arc<dyn ChatModel>, AiError> {
        let store = self.store()?;
        let mut tx = store.db.tenant_read(tenant).await?;
        let (kind, data) = open_credential(&mut tx, &store.secrets, tenant, credential_id)
            .await
            .map_err(|e| match e {
                WorkflowServiceError::NotFound(_) => {
                    AiError::BadInput(format!("the credential `{credential_id}` does not exist"))
                }
                other => other.into(),
            })?;
        let text = |key: &str| {
            data.get(key)
                .and_then(|v| v.as_str())
                .filter(|v| !v.trim().is_empty())
        };
        let key = text("apiKey").map(ApiKey::new);
        if key.is_none() {
            return Err(AiError::BadInput(format!(
                "the credential `{credential_id}` has no API key"
            )));
        }
        let http = self.inner.node_http.clone();
        let model: Arc<dyn ChatModel> = match kind.as_str() {
            "openAiApi" => {
                let base = text("url").unwrap_or(crate::config::OPENAI_URL);
                let mut config = ProviderConfig::new("openai", base, key, model);
                config.timeout = self.inner.node_timeout;
                Arc::new(OpenAi::with_client(
                    config,
                    OpenAiApi::ChatCompletions,
                    http,
                ))
            }
            "anthropicApi" => {
                let base = text("url").unwrap_or(crate::config::ANTHROPIC_URL);
                let mut config = ProviderConfig::new("anthropic", base, key, model);
                config.timeout = self.inner.node_timeout;
                Arc::new(Anthropic::with_client(config, http))
            }
            other => {
                return Err(AiError::BadInput(format!(
                    "the credential `{credential_id}` is of type `{other}`; use an openAiApi or anthropicApi credential"
                )));
            }
        };
        Ok(model)
    }

    /// Writes what a task's answers spent to the ledger. Tokens were spent whatever happens
    /// here: a failure is logged, and the caller still gets its answer.
    pub(crate) async fn log_spend(
        &self,
        tenant: TenantId,
        call_id: &str,
        task: Task,
        spend: &Spend,
        own_key: bool,
    ) {
        let Some(store) = &self.inner.store else {
            return;
        };
        if spend.0.is_empty() {
            return;
        }
        let result: Result<(), AiError> = async {
            let mut tx = store.db.tenant_tx(tenant).await?;
            let now = store.clock.now_ms();
            for (i, spent) in spend.0.iter().enumerate() {
                query(
                    "INSERT INTO ai_calls (tenant_id, id, call_id, task, provider, model, input_tokens, \
                     output_tokens, cost_micros, own_key, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
                )
                .bind(tenant.to_string())
                .bind(format!("{call_id}:{i}"))
                .bind(call_id)
                .bind(task.as_str())
                .bind(&spent.provider)
                .bind(&spent.model)
                .bind(spent.usage.input as i64)
                .bind(spent.usage.output as i64)
                .bind(cost_micros(&spent.model, spent.usage).map(|c| c as i64))
                .bind(i64::from(own_key))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        }
        .await;
        if let Err(e) = result {
            tracing::error!(%tenant, call_id, error = %e, "AI calls could not be written to the ledger");
        }
    }
}
