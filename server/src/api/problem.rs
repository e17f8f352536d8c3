//! The one place errors become HTTP: RFC 9457 `application/problem+json` bodies.

use agente_ai::AiError;
use agente_auth::AuthError;
use agente_billing::BillingError;
use agente_core::Classified;
use agente_notify::NotifierError;
use agente_workflows::WorkflowServiceError;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error body as the API returns it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:agente:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, machine-readable reason (e.g. `mfa_required`).
    pub code: &'static str,
    /// For `invalid_workflow`: every problem found, with node and JSON path.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub issues: Option<serde_json::Value>,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Workflow(#[from] WorkflowServiceError),
    #[error(transparent)]
    Notifier(#[from] NotifierError),
    #[error(transparent)]
    Billing(#[from] BillingError),
    /// Never `AiError::Workflow` (that becomes `ApiError::Workflow`: one mapping).
    #[error(transparent)]
    Ai(AiError),
    #[error("{detail}")]
    Request {
        status: StatusCode,
        code: &'static str,
        detail: String,
    },
    /// Too many requests from one caller or to one resource: 429 with `Retry-After`.
    #[error("{detail}")]
    RateLimited {
        retry_after_secs: u64,
        detail: String,
    },
}

impl ApiError {
    pub fn not_found(detail: impl Into<String>) -> Self {
        ApiError::Request {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            detail: detail.into(),
        }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::Request {
            status: StatusCode::BAD_REQUEST,
            code,
            detail: detail.into(),
        }
    }

    /// The domain error inside, which classifies itself (`agente_core::Classified`).
    fn classified(&self) -> Option<&dyn Classified> {
        match self {
            ApiError::Auth(e) => Some(e),
            ApiError::Workflow(e) => Some(e),
            ApiError::Notifier(e) => Some(e),
            ApiError::Billing(e) => Some(e),
            ApiError::Ai(e) => Some(e),
            ApiError::Request { .. } | ApiError::RateLimited { .. } => None,
        }
    }

    fn parts(&self) -> (StatusCode, &'static str, String) {
        if let Some(err) = self.classified() {
            let status = StatusCode::from_u16(err.kind().http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (status, err.code(), err.public_message());
        }
        match self {
            ApiError::Request {
                status,
                code,
                detail,
            } => (*status, code, detail.clone()),
            ApiError::RateLimited { detail, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                detail.clone(),
            ),
            _ => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "an internal error occurred".into(),
            ),
        }
    }

    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            ApiError::RateLimited {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            other => other.classified().and_then(|e| e.retry_after_secs()),
        }
    }
}

impl From<AiError> for ApiError {
    fn from(err: AiError) -> Self {
        match err {
            AiError::Workflow(e) => ApiError::Workflow(e),
            other => ApiError::Ai(other),
        }
    }
}

impl ApiError {
    /// The problem document for this error (logged when it is the server's fault). Also
    /// sent as the `error` event of a stream that already answered 200.
    pub fn problem(&self) -> Problem {
        let (status, code, detail) = self.parts();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        }
        let issues = match self {
            ApiError::Workflow(WorkflowServiceError::Invalid(issues)) => {
                serde_json::to_value(issues).ok()
            }
            _ => None,
        };
        Problem {
            kind: format!("urn:agente:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            code,
            issues,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.problem();
        let status = StatusCode::from_u16(body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after_secs() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::Request {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_query",
            detail: rejection.body_text(),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let (status, code) = match &rejection {
            JsonRejection::JsonDataError(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            JsonRejection::JsonSyntaxError(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            JsonRejection::MissingJsonContentType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
            }
            _ => (rejection.status(), "bad_body"),
        };
        ApiError::Request {
            status,
            code,
            detail: rejection.body_text(),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::Request {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_path",
            detail: rejection.body_text(),
        }
    }
}
