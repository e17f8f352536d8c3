//! `/workflows` and `/executions`, in the shape of n8n's public API.

use super::{ApiError, ApiQuery, Caller, PathId, Problem};
use crate::AppState;
use agente_workflows::{ExecutionQuery, ListQuery};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

fn text(body: &Bytes) -> Result<&str, ApiError> {
    std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("bad_input", "the body is not UTF-8"))
}

#[utoipa::path(get, path = "/api/v1/workflows", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("active" = Option<bool>, Query), ("name" = Option<String>, Query), ("tags" = Option<String>, Query), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)), responses((status = 200, body = Object), (status = 403, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let page = s.workflows.list(&p, &q).await?;
    Ok(Json(
        json!({ "data": page.data.iter().map(|w| w.to_api()).collect::<Vec<_>>(), "nextCursor": page.next_cursor }),
    ))
}

/// Create one workflow (n8n's `POST /workflows`).
#[utoipa::path(post, path = "/api/v1/workflows", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), request_body(content = Object, description = "an n8n workflow"), responses((status = 200, body = Object), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    Caller(p): Caller,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let mut created = s.workflows.create(&p, text(&body)?).await?;
    if created.len() != 1 {
        return Err(ApiError::bad_request(
            "bad_input",
            "send one workflow; use /workflows/import for several",
        ));
    }
    Ok(Json(created.remove(0).to_api()))
}

/// Import n8n JSON: one workflow or an array of them.
#[utoipa::path(post, path = "/api/v1/workflows/import", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), request_body(content = Object, description = "an n8n workflow or an array of them"), responses((status = 200, body = Object), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn import(
    State(s): State<AppState>,
    Caller(p): Caller,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let created = s.workflows.create(&p, text(&body)?).await?;
    Ok(Json(
        json!({ "data": created.iter().map(|w| w.to_api()).collect::<Vec<_>>() }),
    ))
}

#[utoipa::path(get, path = "/api/v1/workflows/{id}", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(s.workflows.get(&p, id).await?.to_api()))
}

#[utoipa::path(put, path = "/api/v1/workflows/{id}", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), request_body(content = Object), responses((status = 200, body = Object), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        s.workflows.update(&p, id, text(&body)?).await?.to_api(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/workflows/{id}", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(s.workflows.delete(&p, id).await?.to_api()))
}

#[utoipa::path(post, path = "/api/v1/workflows/{id}/activate", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn activate(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(s.workflows.activate(&p, id).await?.to_api()))
}

#[utoipa::path(post, path = "/api/v1/workflows/{id}/deactivate", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn deactivate(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(s.workflows.deactivate(&p, id).await?.to_api()))
}

/// `?limit=` of a history.
#[derive(Debug, Default, Deserialize)]
pub struct HistoryQuery {
    pub limit: Option<u32>,
}

/// The latest firings of the workflow's schedule triggers, newest first.
#[utoipa::path(get, path = "/api/v1/workflows/{id}/schedule-history", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path), ("limit" = Option<u32>, Query)), responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn schedule_history(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let firings = s.workflows.schedules().history(&p, id, limit).await?;
    Ok(Json(json!({ "data": firings })))
}

/// Body of a manual run: optional input items.
#[derive(Debug, Default, Deserialize)]
pub struct RunInput {
    #[serde(default)]
    pub items: Vec<Value>,
}

/// Run now (manual mode); answers the execution with its data.
#[utoipa::path(post, path = "/api/v1/workflows/{id}/run", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), request_body(content = Object, description = "optional `items`: input items"), responses((status = 200, body = Object), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn run(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let input: RunInput = if body.iter().all(u8::is_ascii_whitespace) {
        RunInput::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request("malformed_json", format!("invalid body: {e}")))?
    };
    Ok(Json(s.workflows.run(&p, id, input.items).await?.to_api()))
}

#[utoipa::path(get, path = "/api/v1/executions", tag = "executions", security(("bearer" = []), ("n8n_api_key" = [])), params(("workflowId" = Option<String>, Query), ("status" = Option<String>, Query), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query), ("includeData" = Option<bool>, Query)), responses((status = 200, body = Object), (status = 403, body = Problem)))]
pub async fn list_executions(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiQuery(q): ApiQuery<ExecutionQuery>,
) -> Result<Json<Value>, ApiError> {
    let page = s.workflows.executions().list(&p, &q).await?;
    Ok(Json(
        json!({ "data": page.data.iter().map(|e| e.to_api()).collect::<Vec<_>>(), "nextCursor": page.next_cursor }),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncludeData {
    #[serde(default)]
    pub include_data: bool,
}

#[utoipa::path(get, path = "/api/v1/executions/{id}", tag = "executions", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path), ("includeData" = Option<bool>, Query)), responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn get_execution(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::ExecutionId>,
    ApiQuery(q): ApiQuery<IncludeData>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        s.workflows
            .executions()
            .get(&p, id, q.include_data)
            .await?
            .to_api(),
    ))
}

/// Retry a failed execution (n8n's `POST /executions/{id}/retry`).
#[utoipa::path(post, path = "/api/v1/executions/{id}/retry", tag = "executions", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn retry_execution(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::ExecutionId>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(s.workflows.executions().retry(&p, id).await?.to_api()))
}

/// Stop a running execution; answers it as it stopped (`canceled`).
#[utoipa::path(post, path = "/api/v1/executions/{id}/stop", tag = "executions", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn stop_execution(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::ExecutionId>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(s.workflows.executions().stop(&p, id).await?.to_api()))
}

/// Listen for one test call on `/webhook-test/…` of each Webhook node (two minutes).
#[utoipa::path(post, path = "/api/v1/workflows/{id}/listen", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn listen(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::WorkflowId>,
) -> Result<Json<Value>, ApiError> {
    let routes = s.workflows.webhooks().listen_for_test_call(&p, id).await?;
    Ok(Json(json!({
        "listening": routes,
        "expiresInSeconds": agente_workflows::TEST_WEBHOOK_TTL_MS / 1000,
    })))
}

#[utoipa::path(delete, path = "/api/v1/executions/{id}", tag = "executions", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn delete_execution(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::ExecutionId>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        s.workflows.executions().delete(&p, id).await?.to_api(),
    ))
}

/// Credentials, never returned with their data.
#[utoipa::path(get, path = "/api/v1/credentials", tag = "credentials", security(("bearer" = []), ("n8n_api_key" = [])), responses((status = 200, body = Object), (status = 403, body = Problem)))]
pub async fn list_credentials(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<Value>, ApiError> {
    let list = s.workflows.credentials().list(&p).await?;
    Ok(Json(
        json!({ "data": list.iter().map(|c| c.to_api()).collect::<Vec<_>>(), "nextCursor": null }),
    ))
}

#[utoipa::path(post, path = "/api/v1/credentials", tag = "credentials", security(("bearer" = []), ("n8n_api_key" = [])), request_body(content = Object, description = "name, type and data (stored encrypted, never returned)"), responses((status = 200, body = Object), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn create_credential(
    State(s): State<AppState>,
    Caller(p): Caller,
    super::ApiJson(input): super::ApiJson<agente_workflows::NewCredential>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        s.workflows.credentials().create(&p, input).await?.to_api(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/credentials/{id}", tag = "credentials", security(("bearer" = []), ("n8n_api_key" = [])), params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = Problem), (status = 403, body = Problem)))]
pub async fn delete_credential(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<agente_core::CredentialId>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        s.workflows.credentials().delete(&p, id).await?.to_api(),
    ))
}
