//! Server functions (`/sfn/<name>`, routed by leptos) read their whole body before they
//! decode it. Past the limit that must be a clear 413, not the 500 a failed decode gives:
//! the body is read here, up to the limit, and handed on whole.

use crate::api::{ApiError, MAX_WORKFLOW_BYTES};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest server-function body: a pasted workflow document.
pub const MAX_BODY: usize = MAX_WORKFLOW_BYTES;

/// The limit the extractors inside the handlers apply (axum's default is 2 MiB).
pub fn extractor_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_BODY)
}

pub async fn limit_bodies(request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/sfn/") {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) => ApiError::Request {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "body_too_large",
            detail: format!("a request to the app is limited to {MAX_BODY} bytes"),
        }
        .into_response(),
    }
}
