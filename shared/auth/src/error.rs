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

impl AuthError {
    /// The HTTP status this failure means, for every edge that answers over HTTP (the REST
    /// API's problem documents, server functions).
    pub fn http_status(&self) -> u16 {
        match self {
            AuthError::Validation(_) => 422,
            AuthError::InvalidCredentials
            | AuthError::MfaRequired
            | AuthError::InvalidMfaCode
            | AuthError::Unauthenticated
            | AuthError::InvalidToken
            | AuthError::TokenReused => 401,
            AuthError::RateLimited { .. } => 429,
            AuthError::Forbidden(_) => 403,
            AuthError::NotFound(_) => 404,
            AuthError::Conflict(_) => 409,
            AuthError::PlanLimit(_) => 402,
            AuthError::Store(e) if e.is_transient() => 503,
            AuthError::Store(_) => 500,
            AuthError::Limiter(_) => 503,
        }
    }

    pub(crate) fn forbidden(why: impl Into<String>) -> Self {
        AuthError::Forbidden(why.into())
    }
}

impl From<agente_store::sqlx::Error> for AuthError {
    fn from(err: agente_store::sqlx::Error) -> Self {
        AuthError::Store(err.into())
    }
}
