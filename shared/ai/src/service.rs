//! The AI service as the app uses it: the configured providers in order, each caller's
//! permission checked, AI tokens admitted and metered through billing's `UsageGate`.
//!
//! Metering: before a model is asked, billing admits one token under the call's id (so a
//! tenant whose plan's AI tokens are used up is refused *before* anything is spent); after
//! the call, the rest of the tokens the providers counted are recorded under the call's own
//! id. Both are idempotent on their ids; a call that spent nothing still counts its one
//! admitted token.

use crate::chat::ChatModel;
use crate::config::ProviderConfig;
use crate::explain::{Explanation, explain, failure_context};
use crate::generate::{Generated, ProgressSink, check_description, generate_with};
use crate::optimise::{Advice, advise, stats};
use crate::tenant::Task;
use crate::{AiError, Anthropic, OpenAi, OpenAiApi};
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::{
    ExecutionId, ExecutionStatus, GateError, Meter, TenantId, Usage, UsageGate, WorkflowId,
};
use agente_network::{NetworkPolicy, OutboundHttp};
use agente_workflows::{ExecutionQuery, WorkflowService, WorkflowServiceError};
use std::sync::Arc;

/// A provider to set up: its wire format and settings.
#[derive(Clone, Debug)]
pub enum ProviderSpec {
    OpenAi {
        api: OpenAiApi,
        config: ProviderConfig,
    },
    Anthropic(ProviderConfig),
}

impl ProviderSpec {
    pub fn name(&self) -> &str {
        match self {
            ProviderSpec::OpenAi { config, .. } | ProviderSpec::Anthropic(config) => &config.name,
        }
    }

    fn model(&self) -> Arc<dyn ChatModel> {
        match self {
            ProviderSpec::OpenAi { api, config } => Arc::new(OpenAi::new(config.clone(), *api)),
            ProviderSpec::Anthropic(config) => Arc::new(Anthropic::new(config.clone())),
        }
    }
}

/// The providers named in `order` (all, as listed, when none), `offline` left out: it is
/// always last.
fn models_in_order(
    providers: &[ProviderSpec],
    order: Option<&[String]>,
) -> Result<Vec<Arc<dyn ChatModel>>, AiError> {
    match order {
        None => Ok(providers.iter().map(ProviderSpec::model).collect()),
        Some(order) => order
            .iter()
            .filter(|name| name.as_str() != "offline")
            .map(|name| {
                providers
                    .iter()
                    .find(|p| p.name() == name)
                    .map(ProviderSpec::model)
                    .ok_or_else(|| {
                        AiError::NotConfigured(format!(
                            "the AI provider `{name}` is not set up (set its API key or base URL)"
                        ))
                    })
            })
            .collect(),
    }
}

/// How long an AI node's call may wait for (more of) an answer, unless set.
const NODE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Executions looked at for optimisation advice.
pub const ADVICE_EXECUTIONS: u32 = 50;

/// An explained execution: the workflow it ran (what a fix applies to) and the explanation.
#[derive(Clone, Debug)]
pub struct ExplainedExecution {
    pub workflow_id: agente_workflows::WorkflowRef,
    pub explanation: Explanation,
}

/// The AI service. Cheap to clone.
#[derive(Clone)]
pub struct AiService {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Clone)]
pub(crate) struct Inner {
    /// Asked in this order to generate workflows; the offline planner comes after them.
    pub(crate) generation: Vec<Arc<dyn ChatModel>>,
    /// Asked in this order to explain failures; the offline rules come after them.
    pub(crate) analysis: Vec<Arc<dyn ChatModel>>,
    gate: Option<Arc<dyn UsageGate>>,
    /// Calls to tenant-given model URLs (AI nodes, own keys): their shared client under
    /// the tenant network policy (see `node_models.rs`) and its timeout.
    pub(crate) node_http: OutboundHttp,
    pub(crate) node_timeout: std::time::Duration,
    /// Tenants' settings and ledgers (`tenant.rs`); none: the deployment's providers for all.
    pub(crate) store: Option<crate::tenant::Store>,
}

impl AiService {
    /// `generation` and `analysis` name the providers to ask for each task, first to last
    /// (default: as listed); a name that is not set up is an error, found at start.
    pub fn new(
        providers: &[ProviderSpec],
        generation: Option<&[String]>,
        analysis: Option<&[String]>,
        gate: Option<Arc<dyn UsageGate>>,
    ) -> Result<Self, AiError> {
        Ok(Self {
            inner: Arc::new(Inner {
                generation: models_in_order(providers, generation)?,
                analysis: models_in_order(providers, analysis)?,
                gate,
                node_http: crate::node_models::node_client(
                    NetworkPolicy::public_only(),
                    NODE_TIMEOUT,
                ),
                node_timeout: NODE_TIMEOUT,
                store: None,
            }),
        })
    }

    /// Where AI nodes' calls may go (default: public addresses only) and how long they
    /// may stay silent.
    pub fn with_node_network(self, policy: NetworkPolicy, timeout: std::time::Duration) -> Self {
        let mut inner = (*self.inner).clone();
        inner.node_http = crate::node_models::node_client(policy, timeout);
        inner.node_timeout = timeout;
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The providers asked to generate workflows, in order (`offline` always last).
    pub fn generation_providers(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .inner
            .generation
            .iter()
            .map(|m| m.provider().to_string())
            .collect();
        names.push("offline".into());
        names
    }

    /// A workflow for `description`, always valid (see [`crate::generate::generate`]). Members who may edit
    /// workflows only. When the plan's AI tokens are used up the offline planner writes it
    /// and the answer says so.
    pub async fn generate_workflow(
        &self,
        p: &Principal,
        description: &str,
    ) -> Result<Generated, AiError> {
        self.generate_workflow_with(p, description, None).await
    }

    /// May `p` generate from `description`? (Checked again by the generation itself; a
    /// stream checks first, before it answers 200.)
    pub fn check_generation(&self, p: &Principal, description: &str) -> Result<(), AiError> {
        check_permission(p, Resource::Workflows, Action::Write)?;
        check_description(description).map(|_| ())
    }

    /// [`Self::generate_workflow`], telling `progress` what happens as it happens.
    pub async fn generate_workflow_with(
        &self,
        p: &Principal,
        description: &str,
        progress: Option<ProgressSink<'_>>,
    ) -> Result<Generated, AiError> {
        self.check_generation(p, description)?;
        let call = format!("ai:{}", uuid::Uuid::now_v7());
        let (wanted, own_key) = self.models_for(p.tenant_id, Task::Generation).await?;
        let (models, refusal) = self.admitted(&wanted, p.tenant_id, &call).await?;
        let notices: Vec<String> = refusal
            .map(|r| format!("{r} — this workflow was written by the offline planner"))
            .into_iter()
            .collect();
        let mut generated = generate_with(models, description, progress).await?;
        self.record(p.tenant_id, &call, generated.usage.total())
            .await;
        self.log_spend(
            p.tenant_id,
            &call,
            Task::Generation,
            &generated.usage,
            own_key,
        )
        .await;
        generated.notices.extend(notices);
        Ok(generated)
    }

    /// Why execution `id` failed and how to fix it (only a failed execution is explained).
    /// Members who may read executions; tokens metered as for generation.
    pub async fn explain_execution(
        &self,
        p: &Principal,
        workflows: &WorkflowService,
        id: ExecutionId,
    ) -> Result<ExplainedExecution, AiError> {
        let execution = workflows.executions().get(p, id, true).await?;
        if execution.status != ExecutionStatus::Error {
            return Err(AiError::BadInput(format!(
                "only a failed execution can be explained; this one is {}",
                execution.status
            )));
        }
        let workflow_id = execution
            .workflow_id
            .stored()
            .ok_or(WorkflowServiceError::NotFound("workflow"))?;
        let stored = workflows.get(p, workflow_id).await?;
        let explanation = self
            .explain_failure(
                p,
                &stored.workflow,
                execution.data.as_ref(),
                execution.error.as_deref(),
            )
            .await?;
        Ok(ExplainedExecution {
            workflow_id: execution.workflow_id,
            explanation,
        })
    }

    /// Advice on workflow `id` from its last [`ADVICE_EXECUTIONS`] executions.
    pub async fn optimise_workflow(
        &self,
        p: &Principal,
        workflows: &WorkflowService,
        id: WorkflowId,
    ) -> Result<Advice, AiError> {
        let stored = workflows.get(p, id).await?;
        let query = ExecutionQuery {
            workflow_id: Some(id.to_string()),
            limit: Some(ADVICE_EXECUTIONS),
            include_data: Some(true),
            ..Default::default()
        };
        let executions = workflows.executions().list(p, &query).await?.data;
        self.advise_on(
            p,
            &stored.workflow,
            executions
                .iter()
                .map(|e| (e.status.as_str(), e.data.as_ref())),
        )
        .await
    }

    /// The explanation of a failure, from its stored `data` and error and the workflow it ran.
    async fn explain_failure(
        &self,
        p: &Principal,
        workflow: &agente_workflow_model::Workflow,
        data: Option<&serde_json::Value>,
        error: Option<&str>,
    ) -> Result<Explanation, AiError> {
        check_permission(p, Resource::Executions, Action::Read)?;
        let context = failure_context(workflow, data, error).ok_or_else(|| {
            AiError::BadInput("this execution did not fail in a node of its workflow".into())
        })?;
        let call = format!("ai:{}", uuid::Uuid::now_v7());
        let (wanted, own_key) = self.models_for(p.tenant_id, Task::Analysis).await?;
        let (models, _) = self.admitted(&wanted, p.tenant_id, &call).await?;
        let (explanation, usage) = explain(models, &context).await;
        self.record(p.tenant_id, &call, usage.total()).await;
        self.log_spend(p.tenant_id, &call, Task::Analysis, &usage, own_key)
            .await;
        Ok(explanation)
    }

    /// Advice from a workflow's recent executions (given as status and stored data): the
    /// offline rules', then a model's when one is configured. Tokens metered as above.
    async fn advise_on<'a>(
        &self,
        p: &Principal,
        workflow: &agente_workflow_model::Workflow,
        executions: impl IntoIterator<Item = (&'a str, Option<&'a serde_json::Value>)>,
    ) -> Result<Advice, AiError> {
        check_permission(p, Resource::Workflows, Action::Read)?;
        let figures = stats(workflow, executions);
        let call = format!("ai:{}", uuid::Uuid::now_v7());
        // Without figures there is nothing to ask a model about.
        let (wanted, own_key) = if figures.executions == 0 {
            (Vec::new(), false)
        } else {
            self.models_for(p.tenant_id, Task::Analysis).await?
        };
        let (models, _) = self.admitted(&wanted, p.tenant_id, &call).await?;
        let (advice, usage) = advise(models, figures).await;
        self.record(p.tenant_id, &call, usage.total()).await;
        self.log_spend(p.tenant_id, &call, Task::Analysis, &usage, own_key)
            .await;
        Ok(advice)
    }

    /// The models a call may use: `wanted`, once billing admits the call; none (and the
    /// refusal) when the plan's AI tokens are used up, so the offline provider answers.
    async fn admitted<'m>(
        &self,
        wanted: &'m [Arc<dyn ChatModel>],
        tenant: TenantId,
        call: &str,
    ) -> Result<(&'m [Arc<dyn ChatModel>], Option<agente_core::Refusal>), AiError> {
        if wanted.is_empty() {
            return Ok((&[], None));
        }
        match self.admit(tenant, call).await {
            Ok(()) => Ok((wanted, None)),
            Err(AiError::Refused(refusal)) => Ok((&[], Some(refusal))),
            Err(e) => Err(e),
        }
    }

    pub(crate) async fn admit(&self, tenant: TenantId, call: &str) -> Result<(), AiError> {
        let Some(gate) = &self.inner.gate else {
            return Ok(());
        };
        let id = format!("{call}:admission");
        gate.admit(
            tenant,
            Usage {
                meter: Meter::AiTokens,
                quantity: 1,
                id: &id,
            },
        )
        .await
        .map_err(AiError::from)
    }

    /// Records what a call spent beyond its admitted token. Tokens were spent whatever
    /// happens here: a failure to record is logged, and the caller still gets its answer.
    pub(crate) async fn record(&self, tenant: TenantId, call: &str, tokens: u64) {
        let Some(gate) = &self.inner.gate else { return };
        if tokens <= 1 {
            return;
        }
        let usage = Usage {
            meter: Meter::AiTokens,
            quantity: tokens - 1,
            id: call,
        };
        if let Err(e) = gate.record(tenant, usage).await {
            match e {
                GateError::Refused(_) => {}
                GateError::Unavailable(m) => {
                    tracing::error!(%tenant, call, tokens, error = %m, "AI tokens could not be recorded")
                }
            }
        }
    }
}
