//! A tenant's dead-lettered jobs (runs that failed every attempt): list, retry, purge. The
//! queue is shared by all tenants; every call here is scoped to the caller's, except with
//! `?all=true`, which an operator of the platform may ask for: every tenant's and the
//! system's dead jobs (each names its tenant).

use super::bodies::{Deleted, Listed};
use super::{ApiError, ApiPath, ApiQuery, Caller, Problem};
use crate::AppState;
use agente_auth::{Action, Principal, Resource, check_permission, require_operator};
use agente_jobs::scaling::ScaleAdvice;
use agente_jobs::{DeadJob, DeadJobs, Queue, QueueError, QueueStats, Scope, TenantLoad};
use agente_workflows::WorkflowServiceError;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
pub struct DeadQuery {
    pub queue: Option<String>,
    pub limit: Option<u32>,
    /// Every tenant's (operators only).
    #[serde(default)]
    pub all: bool,
}

/// `?all=true` on one dead job's routes.
#[derive(Debug, Default, Deserialize)]
pub struct ScopeQuery {
    #[serde(default)]
    pub all: bool,
}

fn queue(s: &AppState) -> &Queue {
    s.workflows.jobs()
}

/// The caller's tenant, or every tenant's when an operator asks for all.
async fn scope(s: &AppState, p: &Principal, all: bool) -> Result<Scope, ApiError> {
    if all {
        require_operator(&s.db, p).await?;
        Ok(Scope::All)
    } else {
        Ok(Scope::Tenant(p.tenant_id))
    }
}

fn queue_error(e: QueueError) -> ApiError {
    match e {
        QueueError::Store(e) => ApiError::Workflow(WorkflowServiceError::Store(e)),
        other => ApiError::Workflow(WorkflowServiceError::Internal(other.to_string())),
    }
}

/// The caller's dead jobs, newest first: kind, queue, payload, attempts, last error.
#[utoipa::path(get, path = "/api/v1/jobs/dead", tag = "jobs", security(("bearer" = []), ("n8n_api_key" = [])), params(("queue" = Option<String>, Query), ("limit" = Option<u32>, Query), ("all" = Option<bool>, Query, description = "every tenant's (operators)")), responses((status = 200, body = Listed<DeadJob>), (status = 403, body = Problem)))]
pub async fn list_dead(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiQuery(q): ApiQuery<DeadQuery>,
) -> Result<Json<Listed<DeadJob>>, ApiError> {
    check_permission(&p, Resource::Executions, Action::Read)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let dead = queue(&s)
        .dead_jobs(scope(&s, &p, q.all).await?, q.queue.as_deref(), limit)
        .await
        .map_err(queue_error)?;
    Ok(Json(dead.into()))
}

/// Puts a dead job back in its queue with fresh attempts.
#[utoipa::path(post, path = "/api/v1/jobs/dead/{id}/retry", tag = "jobs", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path), ("all" = Option<bool>, Query)), responses((status = 200, body = Retried), (status = 404, body = Problem)))]
pub async fn retry_dead(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ScopeQuery>,
) -> Result<Json<Retried>, ApiError> {
    check_permission(&p, Resource::Workflows, Action::Execute)?;
    if !queue(&s)
        .retry_dead(scope(&s, &p, q.all).await?, &id)
        .await
        .map_err(queue_error)?
    {
        return Err(ApiError::not_found("dead job not found"));
    }
    Ok(Json(Retried { id, retried: true }))
}

/// A dead job put back in its queue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Retried {
    pub id: String,
    /// Always `true` (a job not found answers 404).
    pub retried: bool,
}

/// Deletes one dead job.
#[utoipa::path(delete, path = "/api/v1/jobs/dead/{id}", tag = "jobs", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path), ("all" = Option<bool>, Query)), responses((status = 200, body = Deleted), (status = 404, body = Problem)))]
pub async fn delete_dead(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ScopeQuery>,
) -> Result<Json<Deleted>, ApiError> {
    check_permission(&p, Resource::Executions, Action::Delete)?;
    let deleted = queue(&s)
        .purge_dead(scope(&s, &p, q.all).await?, DeadJobs::One(&id))
        .await
        .map_err(queue_error)?;
    if deleted == 0 {
        return Err(ApiError::not_found("dead job not found"));
    }
    Ok(Json(Deleted { deleted }))
}

/// Deletes all of the caller's dead jobs (of one queue when given).
#[utoipa::path(delete, path = "/api/v1/jobs/dead", tag = "jobs", security(("bearer" = []), ("n8n_api_key" = [])), params(("queue" = Option<String>, Query), ("all" = Option<bool>, Query)), responses((status = 200, body = Deleted), (status = 403, body = Problem)))]
pub async fn purge_dead(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiQuery(q): ApiQuery<DeadQuery>,
) -> Result<Json<Deleted>, ApiError> {
    check_permission(&p, Resource::Executions, Action::Delete)?;
    let which = DeadJobs::All {
        queue: q.queue.as_deref(),
    };
    let deleted = queue(&s)
        .purge_dead(scope(&s, &p, q.all).await?, which)
        .await
        .map_err(queue_error)?;
    Ok(Json(Deleted { deleted }))
}

/// The deployment's queues as an operator watches them: per queue depth, delayed, running,
/// dead and the age of the oldest due job; the busiest tenants; and whether to add or remove
/// workers (the same figures an autoscaler reads from `/metrics`). Operators only.
#[utoipa::path(get, path = "/api/v1/ops/queues", tag = "jobs", security(("bearer" = [])), responses((status = 200, body = QueuesBody), (status = 403, body = Problem)))]
pub async fn queues(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<QueuesBody>, ApiError> {
    require_operator(&s.db, &p).await?;
    let stats = queue(&s).stats().await.map_err(queue_error)?;
    let tenants = queue(&s).tenant_load(20).await.map_err(queue_error)?;
    let advice = agente_jobs::scaling::advise(&stats);
    Ok(Json(QueuesBody {
        queues: stats,
        tenants,
        advice,
    }))
}

/// The queues' load, the busiest tenants and the scaling advice.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueuesBody {
    pub queues: Vec<QueueStats>,
    /// The 20 tenants with the most jobs waiting or running.
    pub tenants: Vec<TenantLoad>,
    pub advice: ScaleAdvice,
}
