//! `/workflows` and `/executions`, in the shape of n8n's public API.

use super::{ApiError, ApiPath, ApiQuery, Caller};
use crate::AppState;
use agente_workflows::service::{ExecutionQuery, ListQuery};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

fn text(body: &Bytes) -> Result<&str, ApiError> {
    std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("bad_input", "the body is not UTF-8"))
}

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

pub async fn get(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(s.workflows.get(&p, &id).await?.to_api()))
}

pub async fn update(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        s.workflows.update(&p, &id, text(&body)?).await?.to_api(),
    ))
}

pub async fn delete(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(s.workflows.delete(&p, &id).await?.to_api()))
}

pub async fn activate(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(s.workflows.activate(&p, &id).await?.to_api()))
}

pub async fn deactivate(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(s.workflows.deactivate(&p, &id).await?.to_api()))
}

/// Body of a manual run: optional input items.
#[derive(Debug, Default, Deserialize)]
pub struct RunInput {
    #[serde(default)]
    pub items: Vec<Value>,
}

/// Run now (manual mode); answers the execution with its data.
pub async fn run(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let input: RunInput = if body.iter().all(u8::is_ascii_whitespace) {
        RunInput::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request("malformed_json", format!("invalid body: {e}")))?
    };
    Ok(Json(s.workflows.run(&p, &id, input.items).await?.to_api()))
}

pub async fn list_executions(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiQuery(q): ApiQuery<ExecutionQuery>,
) -> Result<Json<Value>, ApiError> {
    let page = s.workflows.list_executions(&p, &q).await?;
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

pub async fn get_execution(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<IncludeData>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        s.workflows
            .get_execution(&p, &id, q.include_data)
            .await?
            .to_api(),
    ))
}

/// Retry a failed execution (n8n's `POST /executions/{id}/retry`).
pub async fn retry_execution(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(s.workflows.retry_execution(&p, &id).await?.to_api()))
}

/// Stop a running execution; answers it as it stopped (`canceled`).
pub async fn stop_execution(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(s.workflows.stop_execution(&p, &id).await?.to_api()))
}

/// Listen for one test call on `/webhook-test/…` of each Webhook node (two minutes).
pub async fn listen(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let routes = s.workflows.listen_for_test_call(&p, &id).await?;
    Ok(Json(json!({
        "listening": routes,
        "expiresInSeconds": agente_workflows::service::TEST_WEBHOOK_TTL_MS / 1000,
    })))
}

pub async fn delete_execution(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(s.workflows.delete_execution(&p, &id).await?.to_api()))
}

/// Credentials, never returned with their data.
pub async fn list_credentials(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<Value>, ApiError> {
    let list = s.workflows.list_credentials(&p).await?;
    Ok(Json(
        json!({ "data": list.iter().map(|c| c.to_api()).collect::<Vec<_>>(), "nextCursor": null }),
    ))
}

pub async fn create_credential(
    State(s): State<AppState>,
    Caller(p): Caller,
    super::ApiJson(input): super::ApiJson<agente_workflows::service::NewCredential>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        s.workflows.create_credential(&p, input).await?.to_api(),
    ))
}

pub async fn delete_credential(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(s.workflows.delete_credential(&p, &id).await?.to_api()))
}
