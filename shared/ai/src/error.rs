//! What can go wrong asking a model, in words a user can act on. Nothing here ever holds an
//! API key: provider messages are the provider's own error text, cut short.

use agente_core::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum AiError {
    #[error(transparent)]
    Auth(#[from] agente_auth::AuthError),
    /// Reading the workflow or executions asked about failed (not found, forbidden, …).
    #[error(transparent)]
    Workflow(#[from] agente_workflows::WorkflowServiceError),
    /// The provider answered with an error (after the retries it allowed).
    #[error("{provider} answered {status}: {message}")]
    Provider {
        provider: String,
        status: u16,
        message: String,
        /// Another attempt later (or another provider now) may succeed.
        retryable: bool,
    },
    /// The provider could not be reached.
    #[error("{provider} could not be reached: {message}")]
    Unreachable { provider: String, message: String },
    #[error("{provider} did not answer in time")]
    Timeout { provider: String },
    /// The answer was not what was asked for (not JSON, cut off, the wrong shape).
    #[error("{provider}'s answer could not be read: {message}")]
    BadAnswer { provider: String, message: String },
    /// No model is set up for this task (and the offline provider cannot do it).
    #[error("{0}")]
    NotConfigured(String),
    #[error("{0}")]
    BadInput(String),
    /// The plan's AI tokens are used up.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Billing could not decide; nothing was sent.
    #[error("usage could not be checked: {0}")]
    Unavailable(String),
}

impl agente_core::Classified for AiError {
    fn kind(&self) -> agente_core::ErrorKind {
        use agente_core::ErrorKind;
        match self {
            AiError::Auth(e) => e.kind(),
            AiError::Workflow(e) => e.kind(),
            AiError::Refused(r) => r.kind(),
            AiError::BadInput(_) => ErrorKind::BadInput,
            AiError::NotConfigured(_) | AiError::Unavailable(_) => ErrorKind::Unavailable,
            AiError::Provider { .. }
            | AiError::Unreachable { .. }
            | AiError::Timeout { .. }
            | AiError::BadAnswer { .. } => ErrorKind::Upstream,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AiError::Auth(e) => e.code(),
            AiError::Workflow(e) => e.code(),
            AiError::Refused(r) => r.code(),
            AiError::BadInput(_) => "bad_input",
            AiError::NotConfigured(_) => "ai_not_configured",
            AiError::Unavailable(_) => "unavailable",
            AiError::Provider { .. }
            | AiError::Unreachable { .. }
            | AiError::Timeout { .. }
            | AiError::BadAnswer { .. } => "ai_provider",
        }
    }

    fn public_message(&self) -> String {
        match self {
            AiError::Auth(e) => e.public_message(),
            AiError::Workflow(e) => e.public_message(),
            AiError::Unavailable(_) => "usage could not be checked; try again".into(),
            other => other.to_string(),
        }
    }

    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AiError::Auth(e) => e.retry_after_secs(),
            AiError::Workflow(e) => e.retry_after_secs(),
            _ => None,
        }
    }
}

impl AiError {
    /// Whether trying the next provider may help (the request itself was fine).
    pub fn falls_back(&self) -> bool {
        match self {
            AiError::Provider { retryable, .. } => *retryable,
            AiError::Unreachable { .. } | AiError::Timeout { .. } | AiError::BadAnswer { .. } => {
                true
            }
            AiError::NotConfigured(_) => true,
            AiError::Auth(_)
            | AiError::Workflow(_)
            | AiError::BadInput(_)
            | AiError::Refused(_)
            | AiError::Unavailable(_) => false,
        }
    }
}

impl From<agente_core::GateError> for AiError {
    fn from(e: agente_core::GateError) -> Self {
        match e {
            agente_core::GateError::Refused(r) => AiError::Refused(r),
            agente_core::GateError::Unavailable(m) => AiError::Unavailable(m),
        }
    }
}

impl From<agente_store::StoreError> for AiError {
    fn from(e: agente_store::StoreError) -> Self {
        AiError::Workflow(e.into())
    }
}

impl From<agente_store::sqlx::Error> for AiError {
    fn from(e: agente_store::sqlx::Error) -> Self {
        AiError::Workflow(e.into())
    }
}
