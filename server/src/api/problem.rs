//! The one place errors become HTTP: RFC 9457 `application/problem+json` bodies.

use agente_ai::AiError;
use agente_auth::AuthError;
use agente_billing::BillingError;
use agente_core::Refusal;
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

    fn parts(&self) -> (StatusCode, &'static str, String) {
        use StatusCode as S;
        let detail = self.to_string();
        match self {
            ApiError::Request {
                status,
                code,
                detail,
            } => (*status, code, detail.clone()),
            ApiError::RateLimited { detail, .. } => {
                (S::TOO_MANY_REQUESTS, "rate_limited", detail.clone())
            }
            ApiError::Auth(err) => auth_parts(err),
            ApiError::Notifier(err) => match err {
                NotifierError::Auth(auth) => auth_parts(auth),
                NotifierError::BadInput(_) => (S::BAD_REQUEST, "bad_input", detail),
                NotifierError::NotFound(_) => (S::NOT_FOUND, "not_found", detail),
                NotifierError::Store(e) if e.is_transient() => (
                    S::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the database is busy; try again".into(),
                ),
                NotifierError::Store(_) | NotifierError::Queue(_) => (
                    S::INTERNAL_SERVER_ERROR,
                    "internal",
                    "an internal error occurred".into(),
                ),
            },
            ApiError::Billing(err) => match err {
                BillingError::Auth(auth) => auth_parts(auth),
                BillingError::Refused(r) => refusal_parts(r),
                BillingError::BadInput(_) => (S::BAD_REQUEST, "bad_input", detail),
                BillingError::NotFound(_) => (S::NOT_FOUND, "not_found", detail),
                BillingError::Conflict(_) => (S::CONFLICT, "conflict", detail),
                BillingError::BadSignature(_) => (S::BAD_REQUEST, "bad_signature", detail),
                BillingError::Provider(_) => (S::BAD_GATEWAY, "payment_provider", detail),
                BillingError::Store(e) if e.is_transient() => (
                    S::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the database is busy; try again".into(),
                ),
                BillingError::Store(_) | BillingError::Corrupt(_) => (
                    S::INTERNAL_SERVER_ERROR,
                    "internal",
                    "an internal error occurred".into(),
                ),
            },
            ApiError::Ai(err) => match err {
                AiError::Auth(auth) => auth_parts(auth),
                AiError::Workflow(_) => (
                    S::INTERNAL_SERVER_ERROR,
                    "internal",
                    "an internal error occurred".into(),
                ),
                AiError::Refused(r) => refusal_parts(r),
                AiError::BadInput(_) => (S::BAD_REQUEST, "bad_input", detail),
                AiError::NotConfigured(_) => (S::SERVICE_UNAVAILABLE, "ai_not_configured", detail),
                AiError::Unavailable(_) => (
                    S::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "usage could not be checked; try again".into(),
                ),
                AiError::Provider { .. }
                | AiError::Unreachable { .. }
                | AiError::Timeout { .. }
                | AiError::BadAnswer { .. } => (S::BAD_GATEWAY, "ai_provider", detail),
            },
            ApiError::Workflow(err) => match err {
                WorkflowServiceError::Auth(auth) => auth_parts(auth),
                WorkflowServiceError::Invalid(_) => {
                    (S::UNPROCESSABLE_ENTITY, "invalid_workflow", detail)
                }
                WorkflowServiceError::BadInput(_) => (S::BAD_REQUEST, "bad_input", detail),
                WorkflowServiceError::NotFound(_) => (S::NOT_FOUND, "not_found", detail),
                WorkflowServiceError::Conflict(_) => (S::CONFLICT, "conflict", detail),
                WorkflowServiceError::Refused(r) => refusal_parts(r),
                WorkflowServiceError::Busy(_) => (S::TOO_MANY_REQUESTS, "too_many_runs", detail),
                WorkflowServiceError::Store(e) if e.is_transient() => (
                    S::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the database is busy; try again".into(),
                ),
                WorkflowServiceError::Store(_) | WorkflowServiceError::Internal(_) => (
                    S::INTERNAL_SERVER_ERROR,
                    "internal",
                    "an internal error occurred".into(),
                ),
            },
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
        if let ApiError::Auth(AuthError::RateLimited { retry_after_secs })
        | ApiError::RateLimited {
            retry_after_secs, ..
        } = &self
        {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Billing's no: 402 Payment Required, with what to do in the detail.
fn refusal_parts(r: &Refusal) -> (StatusCode, &'static str, String) {
    let code = match r {
        Refusal::QuotaExhausted { .. } => "quota_exceeded",
        Refusal::LimitReached { .. } => "plan_limit",
    };
    (StatusCode::PAYMENT_REQUIRED, code, r.to_string())
}

/// Status, code and message of an auth failure.
fn auth_parts(err: &AuthError) -> (StatusCode, &'static str, String) {
    let status =
        StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let detail = err.to_string();
    let (code, detail) = match err {
        AuthError::Validation(_) => ("validation", detail),
        AuthError::InvalidCredentials => ("invalid_credentials", detail),
        AuthError::MfaRequired => ("mfa_required", detail),
        AuthError::InvalidMfaCode => ("invalid_mfa_code", detail),
        AuthError::RateLimited { .. } => ("rate_limited", detail),
        AuthError::Unauthenticated => ("unauthenticated", detail),
        AuthError::InvalidToken => ("invalid_token", detail),
        AuthError::TokenReused => ("token_reused", detail),
        AuthError::Forbidden(_) => ("forbidden", detail),
        AuthError::NotFound(_) => ("not_found", detail),
        AuthError::Conflict(_) => ("conflict", detail),
        AuthError::PlanLimit(_) => ("plan_limit", detail),
        AuthError::Store(e) if e.is_transient() => {
            ("unavailable", "the database is busy; try again".into())
        }
        AuthError::Store(_) => ("internal", "an internal error occurred".into()),
        AuthError::Limiter(_) => (
            "unavailable",
            "a backing service is unavailable; try again".into(),
        ),
    };
    (status, code, detail)
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
