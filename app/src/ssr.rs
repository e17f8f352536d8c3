//! Server-side helpers for server functions: the context the server provides, the caller,
//! session cookies and security headers. Compiled only with the `ssr` feature.

use agente_auth::{AuthError, AuthService, ClientIp, Principal, Session, cookies};
use agente_core::{Classified, ErrorKind};
use http::header::{CONTENT_SECURITY_POLICY, SET_COOKIE};
use http::{HeaderValue, request::Parts};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// What the server gives every request's reactive context.
#[derive(Clone)]
pub struct ServerContext {
    pub auth: AuthService,
    pub workflows: agente_workflows::WorkflowService,
    pub notifier: agente_notify::Notifier,
    pub billing: agente_billing::Billing,
    pub ai: agente_ai::AiService,
    /// Mark cookies `Secure` (the app is served over HTTPS).
    pub secure_cookies: bool,
}

pub fn context() -> Result<ServerContext, ServerFnError> {
    use_context::<ServerContext>().ok_or_else(|| ServerFnError::new("server context missing"))
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The authenticated caller, if any (resolved by the server's authentication layer).
pub fn principal() -> Option<Principal> {
    parts().and_then(|p| p.extensions.get::<Principal>().cloned())
}

pub fn require_principal() -> Result<Principal, ServerFnError> {
    principal().ok_or_else(|| ServerFnError::new(AuthError::Unauthenticated.to_string()))
}

pub fn client_ip() -> Option<std::net::IpAddr> {
    parts().and_then(|p| p.extensions.get::<ClientIp>().map(|ip| ip.0))
}

/// The refresh token cookie of this request.
pub fn refresh_cookie() -> Option<String> {
    let parts = parts()?;
    let header = parts.headers.get(http::header::COOKIE)?.to_str().ok()?;
    cookies::read_cookie(header, cookies::REFRESH_COOKIE).map(str::to_string)
}

pub fn set_session_cookies(session: &Session, secure: bool) {
    append_cookies(cookies::session_cookies(session, secure));
}

pub fn clear_session_cookies(secure: bool) {
    append_cookies(cookies::cleared_cookies(secure));
}

fn append_cookies(values: [String; 2]) {
    if let Some(response) = use_context::<ResponseOptions>() {
        for value in values {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.append_header(SET_COOKIE, value);
            }
        }
    }
}

/// Turns a domain error into what the page shows, with the HTTP status its kind means (a
/// refusal is not a 500). Our own failures are logged with detail and shown without it.
pub fn server_error(err: impl Classified) -> ServerFnError {
    let kind = err.kind();
    if let (Some(response), Ok(status)) = (
        use_context::<ResponseOptions>(),
        http::StatusCode::from_u16(kind.http_status()),
    ) {
        response.set_status(status);
    }
    if matches!(kind, ErrorKind::Internal | ErrorKind::Unavailable) {
        tracing::error!(error = %err, "server function failed");
    }
    ServerFnError::new(err.public_message())
}

/// Content-Security-Policy for pages: scripts only from us or carrying this response's
/// nonce (the hydration bootstrap), WASM allowed, no framing.
pub fn set_security_headers() {
    let nonce = leptos::nonce::use_nonce()
        .map(|n| format!(" 'nonce-{n}'"))
        .unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&policy),
    ) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}
