//! `/webhook/<path>` (production webhooks of active workflows), `/webhook-test/<path>`
//! (one call while an editor listens) and `/webhook-waiting/<execution id>` (resumes an
//! execution whose Wait node waits for a call). No Agente credentials here: the path and the Webhook
//! node's own authentication are what callers know.

use crate::AppState;
use crate::api::ApiError;
use agente_workflows::service::WebhookCall;
use axum::Extension;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Map, Value};
use std::net::SocketAddr;

/// n8n's default payload limit.
const MAX_WEBHOOK_BODY: usize = 16 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/webhook/{*path}",
            any(handle).layer(DefaultBodyLimit::max(MAX_WEBHOOK_BODY)),
        )
        .route(
            "/webhook-test/{*path}",
            any(handle).layer(DefaultBodyLimit::max(MAX_WEBHOOK_BODY)),
        )
        .route(
            "/webhook-waiting/{*path}",
            any(handle).layer(DefaultBodyLimit::max(MAX_WEBHOOK_BODY)),
        )
}

async fn handle(
    State(state): State<AppState>,
    // The route (`/webhook` or `/webhook-test`) and the caller's socket address.
    (route, peer): (MatchedPath, Option<Extension<ConnectInfo<SocketAddr>>>),
    method: Method,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let test = route.as_str().starts_with("/webhook-test/");
    let waiting = route.as_str().starts_with("/webhook-waiting/");
    let call = WebhookCall {
        method: method.as_str().to_string(),
        path,
        test,
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
        // The socket's peer; behind a proxy that is the proxy (no X-Forwarded-For trust yet).
        remote_ip: peer.map(|Extension(ConnectInfo(addr))| addr.ip()),
    };
    let reply = if waiting {
        state.workflows.handle_waiting_webhook(call).await
    } else {
        state.workflows.handle_webhook(call).await
    };
    let reply = reply.map_err(|e| match e {
        agente_workflows::service::WorkflowServiceError::NotFound(_) => {
            ApiError::not_found(if waiting {
                format!("no execution waits for {method} /webhook-waiting/…")
            } else if test {
                format!("nobody listens for a test call on {method} /webhook-test/…")
            } else {
                format!("no active workflow listens on {method} /webhook/…")
            })
        }
        other => ApiError::Workflow(other),
    })?;
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let mut response = match reply.body {
        Value::String(text) => (status, text).into_response(),
        Value::Null => status.into_response(),
        other => (status, axum::Json(other)).into_response(),
    };
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            response.headers_mut().insert(name, value);
        }
    }
    Ok(response)
}

fn parse_query(raw: &str) -> Map<String, Value> {
    url_decode_pairs(raw)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect()
}

/// JSON bodies as JSON, forms as objects, anything else as text.
fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
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
}
