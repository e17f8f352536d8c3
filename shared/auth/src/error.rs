use agente_core::{Classified, ErrorKind};
use agente_store::StoreError;
use thiserror::Error;

/// Why an auth operation was refused or failed. The server maps each variant to one HTTP
/// status in one place; messages are safe to show to the caller.
#[derive(Debug, Error)]
pub enum AuthError {
    #[error("{0}")]
    Validation(String),
    #[error("e-mail or password is wrong")]
    InvalidCredentials,
    #[error("a one-time code from your authenticator app is required")]
    MfaRequired,
    #[error("the one-time code is wrong or expired")]
    InvalidMfaCode,
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("authentication required")]
    Unauthenticated,
    #[error("the token is invalid or expired")]
    InvalidToken,
    #[error("this refresh token was already used; every session of its family was revoked")]
    TokenReused,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// The tenant's plan allows no more (members).
    #[error(transparent)]
    PlanLimit(agente_core::Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("rate limiter unavailable: {0}")]
    Limiter(String),
}

impl Classified for AuthError {
    fn kind(&self) -> ErrorKind {
        match self {
            AuthError::Validation(_) => ErrorKind::Invalid,
            AuthError::InvalidCredentials
            | AuthError::MfaRequired
            | AuthError::InvalidMfaCode
            | AuthError::Unauthenticated
            | AuthError::InvalidToken
            | AuthError::TokenReused => ErrorKind::Unauthenticated,
            AuthError::RateLimited { .. } => ErrorKind::TooMany,
            AuthError::Forbidden(_) => ErrorKind::Forbidden,
            AuthError::NotFound(_) => ErrorKind::NotFound,
            AuthError::Conflict(_) => ErrorKind::Conflict,
            AuthError::PlanLimit(_) => ErrorKind::PaymentRequired,
            AuthError::Store(e) => e.kind(),
            AuthError::Limiter(_) => ErrorKind::Unavailable,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AuthError::Validation(_) => "validation",
            AuthError::InvalidCredentials => "invalid_credentials",
            AuthError::MfaRequired => "mfa_required",
            AuthError::InvalidMfaCode => "invalid_mfa_code",
            AuthError::RateLimited { .. } => "rate_limited",
            AuthError::Unauthenticated => "unauthenticated",
            AuthError::InvalidToken => "invalid_token",
            AuthError::TokenReused => "token_reused",
            AuthError::Forbidden(_) => "forbidden",
            AuthError::NotFound(_) => "not_found",
            AuthError::Conflict(_) => "conflict",
            AuthError::PlanLimit(_) => "plan_limit",
            AuthError::Store(e) => e.code(),
            AuthError::Limiter(_) => "unavailable",
        }
    }

    fn public_message(&self) -> String {
        match self {
            AuthError::Store(e) => e.public_message(),
            AuthError::Limiter(_) => "a backing service is unavailable; try again".into(),
            other => other.to_string(),
        }
    }

    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AuthError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl AuthError {
    pub(crate) fn forbidden(why: impl Into<String>) -> Self {
        AuthError::Forbidden(why.into())
    }
}

impl From<agente_store::sqlx::Error> for AuthError {
    fn from(err: agente_store::sqlx::Error) -> Self {
        AuthError::Store(err.into())
    }
}
