//! Authentication: turns the credentials on a request into a [`Principal`] in the request's
//! extensions, once, for every handler, page and server function.
//!
//! Accepted, in order: `Authorization: Bearer <JWT or API key>`, `X-N8N-API-KEY: <API key>`
//! (n8n's public-API header), and the browser's session cookies. When the access cookie has
//! expired but the refresh cookie is valid, the session is rotated here and the new cookies
//! ride on the response, so pages never see an expired session.

use crate::AppState;
use agente_auth::{AuthError, ClientIp, Principal, Session, cookies};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Credentials were presented but refused; the API answers 401 with this reason.
#[derive(Clone, Debug)]
pub struct RejectedCredentials(pub Arc<AuthError>);

/// A browser loading a page fires several requests at once; when its access cookie has just
/// expired they all carry the same refresh token. Rotating it once and handing the result to
/// the others for a few seconds keeps reuse detection from revoking a legitimate session.
///
/// Only the same client gets the shared result: the key binds the token to the client's
/// address and User-Agent, so someone replaying a stolen refresh token from elsewhere in
/// that window is not handed the new session — their presentation counts as reuse and
/// revokes the family.
#[derive(Clone, Default)]
pub struct RefreshCoalescer(Arc<Mutex<HashMap<String, (Instant, Session)>>>);

const COALESCE_WINDOW: Duration = Duration::from_secs(10);

impl RefreshCoalescer {
    async fn refresh(
        &self,
        state: &AppState,
        token: &str,
        client: &str,
    ) -> Result<Session, AuthError> {
        let key = agente_core::token::digest(&format!("{token}\n{client}"));
        let mut recent = self.0.lock().await;
        recent.retain(|_, (at, _)| at.elapsed() < COALESCE_WINDOW);
        if let Some((_, session)) = recent.get(&key) {
            return Ok(session.clone());
        }
        let session = state.auth.refresh(token).await?;
        recent.insert(key, (Instant::now(), session.clone()));
        Ok(session)
    }
}

pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let mut set_cookies: Option<[String; 2]> = None;
    let client = format!(
        "{}\n{}",
        request
            .extensions()
            .get::<ClientIp>()
            .map(|ip| ip.0.to_string())
            .unwrap_or_default(),
        request
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    );
    let (headers, path) = (request.headers().clone(), request.uri().path().to_string());
    let outcome = resolve(&state, &headers, &path, &client, &mut set_cookies).await;
    match outcome {
        Some(Ok(principal)) => {
            tracing::Span::current()
                .record("tenant_id", tracing::field::display(principal.tenant_id));
            request.extensions_mut().insert(principal);
        }
        Some(Err(err)) => {
            request
                .extensions_mut()
                .insert(RejectedCredentials(Arc::new(err)));
        }
        None => {}
    }
    let mut response = next.run(request).await;
    for cookie in set_cookies.into_iter().flatten() {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

async fn resolve(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    client: &str,
    set_cookies: &mut Option<[String; 2]>,
) -> Option<Result<Principal, AuthError>> {
    if let Some(bearer) = bearer(headers) {
        return Some(if bearer.starts_with("agk_") {
            state.auth.authenticate_api_key(bearer).await
        } else {
            state.auth.authenticate_access_token(bearer).await
        });
    }
    if let Some(key) = headers.get("x-n8n-api-key") {
        let key = key.to_str().unwrap_or_default();
        return Some(state.auth.authenticate_api_key(key).await);
    }
    let cookie_header = headers.get(header::COOKIE)?.to_str().ok()?;
    // Cross-site writes never get here (`cross_site.rs` refuses them).
    if is_static_asset(path) {
        return None;
    }
    if let Some(access) = cookies::read_cookie(cookie_header, cookies::ACCESS_COOKIE)
        && let Ok(principal) = state.auth.authenticate_access_token(access).await
    {
        return Some(Ok(principal));
    }
    let refresh = cookies::read_cookie(cookie_header, cookies::REFRESH_COOKIE)?;
    let secure = state.config.secure();
    match state.refreshes.refresh(state, refresh, client).await {
        Ok(session) => {
            *set_cookies = Some(cookies::session_cookies(&session, secure));
            Some(Ok(session.principal))
        }
        Err(err) => {
            tracing::debug!(error = %err, "session cookie refresh refused");
            *set_cookies = Some(cookies::cleared_cookies(secure));
            None
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/icons/")
        || path == "/sw.js"
        || path == "/favicon.ico"
}
