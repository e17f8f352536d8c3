//! `/api-keys`.

use super::{ApiError, ApiJson, ApiPath, Caller, Problem};
use crate::AppState;
use agente_auth::{ApiKeyInfo, CreatedApiKey};
use agente_core::Role;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateInput {
    pub name: String,
    pub role: Role,
}

/// API keys of the tenant (without secrets).
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api-keys", security(("bearer" = [])),
    responses((status = 200, body = [ApiKeyInfo]), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<Vec<ApiKeyInfo>>, ApiError> {
    Ok(Json(state.auth.list_api_keys(&p).await?))
}

/// Create a key; the answer is the only time its secret is shown.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api-keys", security(("bearer" = [])), request_body = CreateInput,
    responses((status = 201, body = CreatedApiKey), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(p): Caller,
    ApiJson(input): ApiJson<CreateInput>,
) -> Result<(StatusCode, Json<CreatedApiKey>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .auth
                .create_api_key(&p, &input.name, input.role)
                .await?,
        ),
    ))
}

/// Revoke a key.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "api-keys", security(("bearer" = [])),
    params(("id" = String, Path, description = "key id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state.auth.revoke_api_key(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
