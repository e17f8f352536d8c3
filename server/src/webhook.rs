//! `/webhook/<path>` (production webhooks of active workflows), `/webhook-test/<path>`
//! (one call while an editor listens) and `/webhook-waiting/<execution id>` (resumes an
//! execution whose Wait node waits for a call). No Agente credentials here: the path and the
//! Webhook node's own authentication are what callers know.
//!
//! What a webhook answers is written by a tenant's workflow, so it must never act as the
//! app. Where webhooks share the app's origin (the embedded default), every answer is
//! sandboxed (`Content-Security-Policy: sandbox`: an opaque origin, which reads no cookie,
//! storage or service worker of the app and whose requests the API treats as cross-site)
//! and the workflow cannot set headers that reach past its own answer (cookies, CSP,
//! service-worker scope, site data, credentialed CORS, HSTS, hop-by-hop). With
//! `AGENTE_WEBHOOK_URL` webhooks get an origin of their own (see `webhook_origin.rs`).
//!
//! A call is matched to its listener before its body is read (a call nobody listens for
//! costs a lookup, not 16 MiB), and limited per caller address and per listening node.

use crate::AppState;
use crate::api::ApiError;
use agente_auth::ClientIp;
use agente_workflows::{WebhookCall, WebhookReply, WebhookTarget, WorkflowServiceError};
use axum::Extension;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Map, Value};
use std::time::Duration;

/// n8n's default payload limit.
const MAX_WEBHOOK_BODY: usize = 16 * 1024 * 1024;

/// The path prefixes webhooks (and, later, forms) answer on. The service worker script
/// keeps the same list (`public/sw.js`).
pub const WEBHOOK_PREFIXES: &[&str] = &["/webhook", "/webhook-test", "/webhook-waiting"];

/// Whether `path` is one a tenant's workflow answers.
pub fn is_webhook_path(path: &str) -> bool {
    WEBHOOK_PREFIXES.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhook/{*path}", any(handle))
        .route("/webhook-test/{*path}", any(handle))
        .route("/webhook-waiting/{*path}", any(handle))
}

/// Which routes a call came on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Production,
    Test,
    Waiting,
}

#[allow(clippy::too_many_arguments)]
async fn handle(
    State(state): State<AppState>,
    route: MatchedPath,
    client: Option<Extension<ClientIp>>,
    method: Method,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let kind = match route.as_str() {
        r if r.starts_with("/webhook-test/") => Kind::Test,
        r if r.starts_with("/webhook-waiting/") => Kind::Waiting,
        _ => Kind::Production,
    };
    // A browser fetching a service-worker script says so: a webhook must never become one.
    if headers.contains_key("service-worker") {
        return Err(ApiError::Request {
            status: StatusCode::FORBIDDEN,
            code: "forbidden",
            detail: "a webhook cannot be a service worker script".into(),
        });
    }
    let remote_ip = client.map(|Extension(ClientIp(ip))| ip);
    if let Some(ip) = remote_ip {
        state
            .webhook_limits
            .check_ip(ip)
            .map_err(|wait| too_many(wait, "from this address"))?;
    }
    let workflows = &state.workflows;
    let target = match kind {
        Kind::Waiting => {
            workflows
                .executions()
                .find_waiting(method.as_str(), &path)
                .await
        }
        Kind::Test => workflows.find_webhook(method.as_str(), &path, true).await,
        Kind::Production => workflows.find_webhook(method.as_str(), &path, false).await,
    }
    .map_err(|e| not_found(e, kind, &method))?;
    state
        .webhook_limits
        .check_webhook(&target.limit_key())
        .map_err(|wait| too_many(wait, "to this webhook"))?;
    let body = axum::body::to_bytes(body, MAX_WEBHOOK_BODY)
        .await
        .map_err(|_| ApiError::Request {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "body_too_large",
            detail: format!("a webhook call's body is limited to {MAX_WEBHOOK_BODY} bytes"),
        })?;
    let call = WebhookCall {
        method: method.as_str().to_string(),
        path,
        test: kind == Kind::Test,
        // The caller's Agente session cookie is none of the workflow's business.
        headers: headers
            .iter()
            .filter(|(name, _)| *name != header::COOKIE)
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    Value::String(String::from_utf8_lossy(value.as_bytes()).into()),
                )
            })
            .collect(),
        query: parse_query(query.as_deref().unwrap_or_default()),
        body: parse_body(&headers, &body)?,
        raw_body: body,
        remote_ip,
    };
    let reply = run(&state, target, call).await?;
    Ok(respond(reply))
}

async fn run(
    state: &AppState,
    target: WebhookTarget,
    call: WebhookCall,
) -> Result<WebhookReply, ApiError> {
    state
        .workflows
        .run_webhook(target, call)
        .await
        .map_err(|e| match e {
            // Found a moment ago and gone now (deactivated, resumed by another call).
            WorkflowServiceError::NotFound(_) => {
                ApiError::not_found("no workflow listens here any more")
            }
            WorkflowServiceError::Conflict(message) => ApiError::Request {
                status: StatusCode::CONFLICT,
                code: "conflict",
                detail: message,
            },
            // Anything else stays in the logs and the execution: callers are anonymous.
            other => ApiError::Workflow(other),
        })
}

fn not_found(e: WorkflowServiceError, kind: Kind, method: &Method) -> ApiError {
    match e {
        WorkflowServiceError::NotFound(_) => ApiError::not_found(match kind {
            Kind::Waiting => format!("no execution waits for {method} /webhook-waiting/…"),
            Kind::Test => format!("nobody listens for a test call on {method} /webhook-test/…"),
            Kind::Production => format!("no active workflow listens on {method} /webhook/…"),
        }),
        other => ApiError::Workflow(other),
    }
}

fn too_many(wait: Duration, what: &str) -> ApiError {
    ApiError::RateLimited {
        retry_after_secs: wait.as_secs().max(1),
        detail: format!("too many webhook calls {what}; slow down"),
    }
}

/// Headers a workflow may not send: they reach past its own answer (cookies, site data,
/// policies and service-worker scope of the whole origin, credentialed cross-origin reads,
/// reporting endpoints, alternative services) or belong to the connection.
const REFUSED_HEADERS: &[&str] = &[
    "set-cookie",
    "set-cookie2",
    "content-security-policy",
    "content-security-policy-report-only",
    "service-worker-allowed",
    "clear-site-data",
    "access-control-allow-credentials",
    "strict-transport-security",
    "alt-svc",
    "nel",
    "report-to",
    "reporting-endpoints",
    "origin-agent-cluster",
    "x-content-type-options",
    "x-frame-options",
    // hop-by-hop, and what the server computes itself
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
];

/// `sandbox`: an opaque origin that runs nothing. A page the workflow meant as HTML may run
/// its scripts and send its forms — still in an opaque origin.
const SANDBOX: &str = "sandbox";
const SANDBOX_HTML: &str = "sandbox allow-scripts allow-forms";

/// The HTTP answer for `reply`. The same rules hold on a webhook origin of its own
/// (`AGENTE_WEBHOOK_URL`), where they cost nothing and keep one behaviour.
fn respond(reply: WebhookReply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let mut response = match reply.body {
        Value::String(text) => (status, text).into_response(),
        Value::Null => status.into_response(),
        other => (status, axum::Json(other)).into_response(),
    };
    let headers = response.headers_mut();
    for (name, value) in reply.headers {
        let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value))
        else {
            continue;
        };
        if REFUSED_HEADERS.contains(&name.as_str()) {
            continue;
        }
        headers.insert(name, value);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if reply.html { SANDBOX_HTML } else { SANDBOX }),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Never kept by a browser or shared cache: answers are per call.
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

fn parse_query(raw: &str) -> Map<String, Value> {
    url_decode_pairs(raw)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect()
}

/// JSON bodies as JSON, forms as objects, anything else as text.
fn parse_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/json") || content_type.ends_with("+json") {
        return serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request("malformed_json", format!("invalid JSON body: {e}"))
        });
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok(parse_query(&String::from_utf8_lossy(body)).into());
    }
    Ok(Value::String(String::from_utf8_lossy(body).into_owned()))
}

/// `a=1&b=x%20y` → pairs, percent- and plus-decoded; undecodable input gives no pairs.
fn url_decode_pairs(raw: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(raw).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_queries_and_forms() {
        assert_eq!(
            url_decode_pairs("a=1&b=x%20y+z&c="),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y z".into()),
                ("c".into(), "".into())
            ]
        );
    }

    #[test]
    fn webhook_paths_are_told_apart_from_app_paths() {
        for p in [
            "/webhook",
            "/webhook/a",
            "/webhook-test/x/y",
            "/webhook-waiting/1",
        ] {
            assert!(is_webhook_path(p), "{p}");
        }
        for p in [
            "/webhooks",
            "/webhookx/a",
            "/api/v1/webhook",
            "/",
            "/workflows",
        ] {
            assert!(!is_webhook_path(p), "{p}");
        }
    }

    #[test]
    fn an_answer_cannot_set_cookies_policies_or_run_as_the_app() {
        let reply = WebhookReply {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "text/html".into()),
                ("Set-Cookie".into(), "agente_access=evil".into()),
                ("Content-Security-Policy".into(), "script-src *".into()),
                ("Service-Worker-Allowed".into(), "/".into()),
                ("Clear-Site-Data".into(), "\"*\"".into()),
                ("Access-Control-Allow-Credentials".into(), "true".into()),
                ("Transfer-Encoding".into(), "chunked".into()),
                ("X-Custom".into(), "kept".into()),
            ],
            body: Value::String("<script>alert(1)</script>".into()),
            html: false,
        };
        let response = respond(reply);
        let h = response.headers();
        assert_eq!(h["content-security-policy"], "sandbox");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["content-type"], "text/html");
        assert_eq!(h["x-custom"], "kept");
        for refused in [
            "set-cookie",
            "service-worker-allowed",
            "clear-site-data",
            "access-control-allow-credentials",
            "transfer-encoding",
        ] {
            assert!(!h.contains_key(refused), "{refused}");
        }
        let page = WebhookReply {
            status: 200,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: Value::String("<form></form>".into()),
            html: true,
        };
        assert_eq!(
            respond(page).headers()["content-security-policy"],
            "sandbox allow-scripts allow-forms"
        );
    }
}
