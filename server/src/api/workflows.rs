//! `/workflows` and `/executions`, in the shape of n8n's public API.

use super::bodies::Listed;
use super::{ApiError, ApiQuery, Caller, PathId, Problem};
use crate::AppState;
use agente_jobs::Firing;
use agente_workflows::{
    CredentialBody, ExecutionBody, ExecutionQuery, ListQuery, Page, WorkflowBody,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::IF_MATCH;
use serde::{Deserialize, Serialize};
use serde_json::Value;

fn text(body: &Bytes) -> Result<&str, ApiError> {
    std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("bad_input", "the body is not UTF-8"))
}

#[utoipa::path(get, path = "/api/v1/workflows", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("active" = Option<bool>, Query), ("name" = Option<String>, Query), ("tags" = Option<String>, Query), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)), responses((status = 200, body = Page<WorkflowBody>), (status = 403, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<WorkflowBody>>, ApiError> {
    Ok(Json(s.workflows.list(&p, &q).await?.bodies()))
}

/// Create one workflow (n8n's `POST /workflows`).
#[utoipa::path(post, path = "/api/v1/workflows", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), request_body(content = Object, description = "an n8n workflow"), responses((status = 200, body = WorkflowBody), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    Caller(p): Caller,
    body: Bytes,
) -> Result<Json<WorkflowBody>, ApiError> {
    let created = s.workflows.create_one(&p, text(&body)?).await?;
    Ok(Json(WorkflowBody::from(&created)))
}

/// Import n8n JSON: one workflow or an array of them.
#[utoipa::path(post, path = "/api/v1/workflows/import", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), request_body(content = Object, description = "an n8n workflow or an array of them"), responses((status = 200, body = Listed<WorkflowBody>), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn import(
    State(s): State<AppState>,
    Caller(p): Caller,
    body: Bytes,
) -> Result<Json<Listed<WorkflowBody>>, ApiError> {
    let created = s.workflows.create(&p, text(&body)?).await?;
    Ok(Json(
        created
            .iter()
            .map(WorkflowBody::from)
            .collect::<Vec<_>>()
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/workflows/{id}", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = WorkflowBody), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
) -> Result<Json<WorkflowBody>, ApiError> {
    Ok(Json(WorkflowBody::from(&s.workflows.get(&p, id).await?)))
}

/// Replace a workflow (n8n's `PUT /workflows/{id}`). With `If-Match: "<versionId>"` only
/// that version is replaced; a newer one answers 409 `version_conflict` (an editor's save).
#[utoipa::path(put, path = "/api/v1/workflows/{id}", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "the versionId this change is based on")), request_body(content = Object), responses((status = 200, body = WorkflowBody), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WorkflowBody>, ApiError> {
    let expected = if_match_version(&headers)?;
    let updated = s.workflows.update(&p, id, text(&body)?, expected).await?;
    Ok(Json(WorkflowBody::from(&updated)))
}

/// The version an `If-Match` header names (`"3"`, `3` or `W/"3"`); `*` and no header mean any.
pub(super) fn if_match_version(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(IF_MATCH) else {
        return Ok(None);
    };
    let bad = || ApiError::bad_request("bad_input", "If-Match must name one versionId, as \"3\"");
    let value = value.to_str().map_err(|_| bad())?.trim();
    if value == "*" {
        return Ok(None);
    }
    let tag = value.strip_prefix("W/").unwrap_or(value);
    let tag = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(tag);
    tag.parse::<i64>().map(Some).map_err(|_| bad())
}

#[utoipa::path(delete, path = "/api/v1/workflows/{id}", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = WorkflowBody), (status = 404, body = Problem)))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
) -> Result<Json<WorkflowBody>, ApiError> {
    Ok(Json(WorkflowBody::from(&s.workflows.delete(&p, id).await?)))
}

#[utoipa::path(post, path = "/api/v1/workflows/{id}/activate", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = WorkflowBody), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn activate(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
) -> Result<Json<WorkflowBody>, ApiError> {
    Ok(Json(WorkflowBody::from(
        &s.workflows.activate(&p, id).await?,
    )))
}

#[utoipa::path(post, path = "/api/v1/workflows/{id}/deactivate", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = WorkflowBody), (status = 404, body = Problem)))]
pub async fn deactivate(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
) -> Result<Json<WorkflowBody>, ApiError> {
    Ok(Json(WorkflowBody::from(
        &s.workflows.deactivate(&p, id).await?,
    )))
}

/// `?limit=` of a history.
#[derive(Debug, Default, Deserialize)]
pub struct HistoryQuery {
    pub limit: Option<u32>,
}

/// The latest firings of the workflow's schedule triggers, newest first.
#[utoipa::path(get, path = "/api/v1/workflows/{id}/schedule-history", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path), ("limit" = Option<u32>, Query)), responses((status = 200, body = Listed<Firing>), (status = 404, body = Problem)))]
pub async fn schedule_history(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<Listed<Firing>>, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let firings = s.workflows.schedules().history(&p, id, limit).await?;
    Ok(Json(firings.into()))
}

/// Body of a manual run: optional input items.
#[derive(Debug, Default, Deserialize)]
pub struct RunInput {
    #[serde(default)]
    pub items: Vec<Value>,
}

/// Run now (manual mode); answers the execution with its data.
#[utoipa::path(post, path = "/api/v1/workflows/{id}/run", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), request_body(content = Object, description = "optional `items`: input items"), responses((status = 200, body = ExecutionBody), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn run(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
    body: Bytes,
) -> Result<Json<ExecutionBody>, ApiError> {
    let input: RunInput = if body.iter().all(u8::is_ascii_whitespace) {
        RunInput::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request("malformed_json", format!("invalid body: {e}")))?
    };
    let run = s.workflows.run(&p, id, input.items).await?;
    Ok(Json(ExecutionBody::from(&run)))
}

#[utoipa::path(get, path = "/api/v1/executions", tag = "executions", security(("bearer" = []), ("n8n_api_key" = [])), params(("workflowId" = Option<String>, Query), ("status" = Option<String>, Query), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query), ("includeData" = Option<bool>, Query)), responses((status = 200, body = Page<ExecutionBody>), (status = 403, body = Problem)))]
pub async fn list_executions(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiQuery(q): ApiQuery<ExecutionQuery>,
) -> Result<Json<Page<ExecutionBody>>, ApiError> {
    Ok(Json(s.workflows.executions().list(&p, &q).await?.bodies()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncludeData {
    #[serde(default)]
    pub include_data: bool,
}

#[utoipa::path(get, path = "/api/v1/executions/{id}", tag = "executions", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path), ("includeData" = Option<bool>, Query)), responses((status = 200, body = ExecutionBody), (status = 404, body = Problem)))]
pub async fn get_execution(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::ExecutionId>,
    ApiQuery(q): ApiQuery<IncludeData>,
) -> Result<Json<ExecutionBody>, ApiError> {
    let execution = s.workflows.executions().get(&p, id, q.include_data).await?;
    Ok(Json(ExecutionBody::from(&execution)))
}

/// Retry a failed execution (n8n's `POST /executions/{id}/retry`).
#[utoipa::path(post, path = "/api/v1/executions/{id}/retry", tag = "executions", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = ExecutionBody), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn retry_execution(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::ExecutionId>,
) -> Result<Json<ExecutionBody>, ApiError> {
    Ok(Json(ExecutionBody::from(
        &s.workflows.executions().retry(&p, id).await?,
    )))
}

/// Stop a running execution; answers it as it stopped (`canceled`).
#[utoipa::path(post, path = "/api/v1/executions/{id}/stop", tag = "executions", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = ExecutionBody), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn stop_execution(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::ExecutionId>,
) -> Result<Json<ExecutionBody>, ApiError> {
    Ok(Json(ExecutionBody::from(
        &s.workflows.executions().stop(&p, id).await?,
    )))
}

/// Listen for one test call on `/webhook-test/…` of each Webhook node (two minutes).
#[utoipa::path(post, path = "/api/v1/workflows/{id}/listen", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = Listening), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn listen(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
) -> Result<Json<Listening>, ApiError> {
    let routes = s.workflows.webhooks().listen_for_test_call(&p, id).await?;
    Ok(Json(Listening {
        listening: routes,
        expires_in_seconds: agente_workflows::TEST_WEBHOOK_TTL_MS / 1000,
    }))
}

/// The test webhook URLs that wait for one call each.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Listening {
    /// Paths under `/webhook-test/`.
    pub listening: Vec<String>,
    pub expires_in_seconds: i64,
}

#[utoipa::path(delete, path = "/api/v1/executions/{id}", tag = "executions", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = ExecutionBody), (status = 404, body = Problem)))]
pub async fn delete_execution(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::ExecutionId>,
) -> Result<Json<ExecutionBody>, ApiError> {
    let deleted = s.workflows.executions().delete(&p, id).await?;
    Ok(Json(ExecutionBody::from(&deleted)))
}

/// Credentials, never returned with their data.
#[utoipa::path(get, path = "/api/v1/credentials", tag = "credentials", security(("bearer" = []), ("n8n_api_key" = [])), responses((status = 200, body = Page<CredentialBody>), (status = 403, body = Problem)))]
pub async fn list_credentials(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<Page<CredentialBody>>, ApiError> {
    let list = s.workflows.credentials().list(&p).await?;
    Ok(Json(Page {
        data: list.iter().map(CredentialBody::from).collect(),
        next_cursor: None,
    }))
}

#[utoipa::path(post, path = "/api/v1/credentials", tag = "credentials", security(("bearer" = []), ("n8n_api_key" = [])), request_body(content = Object, description = "name, type and data (stored encrypted, never returned)"), responses((status = 200, body = CredentialBody), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn create_credential(
    State(s): State<AppState>,
    Caller(p): Caller,
    super::ApiJson(input): super::ApiJson<agente_workflows::NewCredential>,
) -> Result<Json<CredentialBody>, ApiError> {
    let created = s.workflows.credentials().create(&p, input).await?;
    Ok(Json(CredentialBody::from(&created)))
}

#[utoipa::path(delete, path = "/api/v1/credentials/{id}", tag = "credentials", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = CredentialBody), (status = 404, body = Problem), (status = 403, body = Problem)))]
pub async fn delete_credential(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::CredentialId>,
) -> Result<Json<CredentialBody>, ApiError> {
    let deleted = s.workflows.credentials().delete(&p, id).await?;
    Ok(Json(CredentialBody::from(&deleted)))
}
