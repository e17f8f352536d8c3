//! `/ai`: generating a workflow from a description (previewed, then imported by the caller
//! through `POST /workflows`), explaining a failed execution, advice on a workflow, the
//! tenant's AI settings and its ledger of model calls.

use super::{ApiError, ApiJson, ApiQuery, Caller, PathId, Problem};
use crate::AppState;
use agente_ai::explain::Explanation;
use agente_ai::generate::Progress;
use agente_ai::optimise::{Suggestion, WorkflowStats};
use agente_app::api::{GeneratedBody, GenerationAttempt, GenerationDelta};
use agente_core::{ExecutionId, WorkflowId};
use agente_workflows::WorkflowRef;
use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateWorkflow {
    /// What the workflow should do, in plain words (at most 2,000 characters).
    description: String,
}

/// Generate a workflow from a description: always a valid, importable n8n workflow (a
/// configured model's, corrected against the validator, or the offline planner's). Not
/// saved: import it with `POST /api/v1/workflows`.
#[utoipa::path(post, path = "/api/v1/ai/workflows/generate", tag = "ai", security(("bearer" = [])),
    request_body = GenerateWorkflow,
    responses((status = 200, body = GeneratedBody), (status = 400, body = Problem), (status = 402, body = Problem),
        (status = 403, body = Problem)))]
pub async fn generate_workflow(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiJson(input): ApiJson<GenerateWorkflow>,
) -> Result<Json<GeneratedBody>, ApiError> {
    let generated = s.ai.generate_workflow(&p, &input.description).await?;
    Ok(Json(GeneratedBody::from(generated)))
}

/// [`generate_workflow`] as server-sent events while it happens: `attempt`
/// (`{"provider", "repair"}`), `delta` (`{"text"}`: the model's answer as it is written),
/// then `result` (the same body as the plain call) or `error` (a problem document).
/// Permission and input are checked before the stream starts (plain problems then).
#[utoipa::path(post, path = "/api/v1/ai/workflows/generate/stream", tag = "ai", security(("bearer" = [])),
    request_body = GenerateWorkflow,
    responses((status = 200, description = "text/event-stream"), (status = 400, body = Problem),
        (status = 403, body = Problem)))]
pub async fn generate_workflow_stream(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiJson(input): ApiJson<GenerateWorkflow>,
) -> Result<Sse<impl futures::Stream<Item = Result<Event, Infallible>>>, ApiError> {
    s.ai.check_generation(&p, &input.description)?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    tokio::spawn(async move {
        let events = tx.clone();
        let progress = move |step: Progress<'_>| {
            let told = match step {
                Progress::Attempt { provider, repair } => event(
                    "attempt",
                    &GenerationAttempt {
                        provider: provider.to_string(),
                        repair,
                    },
                ),
                Progress::Delta(text) => event(
                    "delta",
                    &GenerationDelta {
                        text: text.to_string(),
                    },
                ),
            };
            // A closed stream (the client left) only stops the telling, not the work.
            let _ = events.send(told);
        };
        let last = match s
            .ai
            .generate_workflow_with(&p, &input.description, Some(&progress))
            .await
        {
            Ok(generated) => event("result", &GeneratedBody::from(generated)),
            Err(e) => event("error", &ApiError::from(e).problem()),
        };
        let _ = tx.send(last);
    });
    let stream = futures::stream::poll_fn(move |cx| rx.poll_recv(cx)).map(Ok);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// One server-sent event carrying `data` as JSON.
fn event(name: &str, data: &impl Serialize) -> Event {
    Event::default()
        .event(name)
        .data(serde_json::to_string(data).unwrap_or_default())
}

/// Why an execution failed and how to fix it: cause, steps and, where a change to the
/// failed node would fix it, a patch (`parameters` to merge, node `settings` to set).
/// Credentials and secret parameters are never sent to a model.
#[utoipa::path(post, path = "/api/v1/ai/executions/{id}/explain", tag = "ai", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ExplanationBody), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn explain_execution(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::ExecutionId>,
) -> Result<Json<ExplanationBody>, ApiError> {
    let explained = s.ai.explain_execution(&p, &s.workflows, id).await?;
    Ok(Json(ExplanationBody {
        execution_id: id,
        workflow_id: explained.workflow_id,
        explanation: explained.explanation,
    }))
}

/// Why an execution failed: `node`, `cause`, `steps`, `patch`, `provider`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExplanationBody {
    pub execution_id: ExecutionId,
    /// The workflow's id, or `<parent execution id>:inline`.
    #[schema(value_type = String)]
    pub workflow_id: WorkflowRef,
    #[serde(flatten)]
    pub explanation: Explanation,
}

/// Advice to make a workflow faster or more reliable, from its last 50 executions: slow
/// steps, steps that fail often, large batches, unnoticed failures (the offline rules), plus
/// a model's advice on the same figures when one is configured.
#[utoipa::path(post, path = "/api/v1/ai/workflows/{id}/optimise", tag = "ai", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AdviceBody), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn optimise_workflow(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
) -> Result<Json<AdviceBody>, ApiError> {
    let advice = s.ai.optimise_workflow(&p, &s.workflows, id).await?;
    Ok(Json(AdviceBody {
        workflow_id: id,
        stats: advice.stats,
        suggestions: advice.suggestions,
        model_provider: advice.model_provider,
    }))
}

/// Advice on a workflow from its recent executions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdviceBody {
    pub workflow_id: WorkflowId,
    pub stats: WorkflowStats,
    pub suggestions: Vec<Suggestion>,
    /// The model whose advice was added, if any.
    pub model_provider: Option<String>,
}

/// The tenant's AI settings: for generation and for analysis (explanations, advice), the
/// deployment's providers (`{"use": "server"}`), the offline provider alone
/// (`{"use": "offline"}`), or the tenant's own key (`{"use": "own", "credentialId", "model"}`:
/// an `openAiApi` or `anthropicApi` credential).
#[utoipa::path(get, path = "/api/v1/ai/settings", tag = "ai", security(("bearer" = [])),
    responses((status = 200, body = agente_ai::TenantAiSettings), (status = 403, body = Problem)))]
pub async fn settings(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<agente_ai::TenantAiSettings>, ApiError> {
    Ok(Json(s.ai.settings(&p).await?))
}

/// Changes the tenant's AI settings (admins). An own key is checked: the credential must
/// exist, be of a provider's type and hold a key.
#[utoipa::path(put, path = "/api/v1/ai/settings", tag = "ai", security(("bearer" = [])),
    request_body = agente_ai::TenantAiSettings,
    responses((status = 200, body = agente_ai::TenantAiSettings), (status = 400, body = Problem),
        (status = 403, body = Problem)))]
pub async fn save_settings(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiJson(input): ApiJson<agente_ai::TenantAiSettings>,
) -> Result<Json<agente_ai::TenantAiSettings>, ApiError> {
    Ok(Json(s.ai.set_settings(&p, input).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CallsQuery {
    /// Most calls answered (1–500, default 100).
    limit: Option<u32>,
}

/// The tenant's latest model answers — generation, analysis and AI nodes — with tokens and
/// cost (US dollars × 1,000,000 at list prices; none for a model without one), newest first.
#[utoipa::path(get, path = "/api/v1/ai/calls", tag = "ai", security(("bearer" = [])),
    params(CallsQuery),
    responses((status = 200, body = agente_ai::AiCallsReport), (status = 403, body = Problem)))]
pub async fn calls(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiQuery(query): ApiQuery<CallsQuery>,
) -> Result<Json<agente_ai::AiCallsReport>, ApiError> {
    Ok(Json(s.ai.calls(&p, query.limit.unwrap_or(100)).await?))
}
