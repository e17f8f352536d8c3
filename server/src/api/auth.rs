//! `/auth/*` and `/me`: sessions for API clients (tokens in the body) and browsers (cookies).

use super::{ApiError, ApiJson, Caller, Problem};
use crate::AppState;
use agente_auth::{ClientIp, LoginInput, Me, Session, SignupInput, cookies};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// OAuth-style token answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

/// Body of refresh and logout; browsers may send `{}` and rely on the cookie.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RefreshInput {
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// Answers the tokens in the body and as cookies.
pub(super) fn session_response(state: &AppState, status: StatusCode, session: Session) -> Response {
    let cookies = cookies::session_cookies(&session, state.config.secure());
    let body = TokenResponse {
        access_token: session.access_token,
        refresh_token: session.refresh_token,
        token_type: "Bearer",
        expires_in: session.expires_in,
    };
    let mut response = (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response();
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The refresh token from an optional JSON body, else from the cookie.
fn refresh_token_of(headers: &HeaderMap, body: &[u8]) -> Result<Option<String>, ApiError> {
    let from_body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let input: RefreshInput = serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request("malformed_json", format!("invalid body: {e}")))?;
        input.refresh_token
    };
    Ok(from_body.or_else(|| {
        let header = headers.get(header::COOKIE)?.to_str().ok()?;
        cookies::read_cookie(header, cookies::REFRESH_COOKIE).map(str::to_string)
    }))
}

/// Create a tenant and its owner.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupInput,
    responses((status = 201, body = TokenResponse), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn signup(
    State(state): State<AppState>,
    ip: Option<axum::Extension<ClientIp>>,
    ApiJson(input): ApiJson<SignupInput>,
) -> Result<Response, ApiError> {
    let session = state.auth.signup(input, ip.map(|i| i.0.0)).await?;
    Ok(session_response(&state, StatusCode::CREATED, session))
}

/// Log in with e-mail, password and, when enrolled, a TOTP code.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginInput,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ip: Option<axum::Extension<ClientIp>>,
    ApiJson(input): ApiJson<LoginInput>,
) -> Result<Response, ApiError> {
    let session = state.auth.login(input, ip.map(|i| i.0.0)).await?;
    Ok(session_response(&state, StatusCode::OK, session))
}

/// Exchange a refresh token (body or cookie) for a new pair; the old one is consumed.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshInput,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem)))]
pub async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = refresh_token_of(&headers, &body)?.ok_or(agente_auth::AuthError::InvalidToken)?;
    let session = state.auth.refresh(&token).await?;
    Ok(session_response(&state, StatusCode::OK, session))
}

/// End the session family of a refresh token (body or cookie) and clear the cookies.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshInput,
    responses((status = 204)))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    if let Some(token) = refresh_token_of(&headers, &body)? {
        state.auth.logout(&token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    for cookie in cookies::cleared_cookies(state.config.secure()) {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

/// The caller: member or API key, tenant and role.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.auth.me(&principal).await?))
}
