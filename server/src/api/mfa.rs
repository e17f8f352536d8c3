//! `/me/mfa/*`: TOTP enrolment for the calling member.

use super::{ApiError, ApiJson, Caller, Problem};
use crate::AppState;
use agente_auth::MfaEnrolment;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

/// A code from the authenticator app, and the member's password.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CodeInput {
    pub code: String,
    pub password: String,
}

/// The password stays out of logs.
impl std::fmt::Debug for CodeInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeInput").finish_non_exhaustive()
    }
}

/// Start enrolment: answers the secret (shown once).
#[utoipa::path(post, path = "/api/v1/me/mfa/enrol", tag = "mfa", security(("bearer" = [])),
    responses((status = 200, body = MfaEnrolment), (status = 409, body = Problem)))]
pub async fn enrol(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<MfaEnrolment>, ApiError> {
    Ok(Json(state.auth.mfa_enrol(&p).await?))
}

/// Confirm enrolment with a first code and the password; log-in then requires codes. Failed
/// attempts are limited like log-ins.
#[utoipa::path(post, path = "/api/v1/me/mfa/confirm", tag = "mfa", security(("bearer" = [])), request_body = CodeInput,
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    Caller(p): Caller,
    ApiJson(input): ApiJson<CodeInput>,
) -> Result<StatusCode, ApiError> {
    state
        .auth
        .mfa_confirm(&p, &input.code, &input.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turn MFA off with the password and a current code.
#[utoipa::path(post, path = "/api/v1/me/mfa/disable", tag = "mfa", security(("bearer" = [])), request_body = CodeInput,
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn disable(
    State(state): State<AppState>,
    Caller(p): Caller,
    ApiJson(input): ApiJson<CodeInput>,
) -> Result<StatusCode, ApiError> {
    state
        .auth
        .mfa_disable(&p, &input.code, &input.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
