//! Why a workflow operation was refused or failed, classified once for every edge.

use WorkflowServiceError as E;
use agente_auth::AuthError;
use agente_core::{Classified, ErrorKind};
use agente_store::StoreError;
use agente_workflow_model::validate::{Issue, Severity};

/// Why a workflow operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowServiceError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("the workflow is not valid: {}", summary(.0))]
    Invalid(Vec<Issue>),
    #[error("{0}")]
    BadInput(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// A save based on an older version: someone saved in between.
    #[error(
        "the workflow was saved by someone else since version {expected} (it is at version {current} now)"
    )]
    VersionConflict { expected: i64, current: i64 },
    /// Billing said no: a quota is used up or a plan limit reached.
    #[error(transparent)]
    Refused(#[from] agente_core::Refusal),
    /// As many runs as the plan allows at once are running; try again when one ends.
    #[error("{0}")]
    Busy(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bug (a panicked task); details are logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<agente_store::sqlx::Error> for WorkflowServiceError {
    fn from(err: agente_store::sqlx::Error) -> Self {
        WorkflowServiceError::Store(err.into())
    }
}

impl Classified for WorkflowServiceError {
    fn kind(&self) -> ErrorKind {
        match self {
            E::Auth(e) => e.kind(),
            E::Invalid(_) => ErrorKind::Invalid,
            E::BadInput(_) => ErrorKind::BadInput,
            E::NotFound(_) => ErrorKind::NotFound,
            E::Conflict(_) | E::VersionConflict { .. } => ErrorKind::Conflict,
            E::Refused(r) => r.kind(),
            E::Busy(_) => ErrorKind::TooMany,
            E::Store(e) => e.kind(),
            E::Internal(_) => ErrorKind::Internal,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            E::Auth(e) => e.code(),
            E::Invalid(_) => "invalid_workflow",
            E::BadInput(_) => "bad_input",
            E::NotFound(_) => "not_found",
            E::Conflict(_) => "conflict",
            E::VersionConflict { .. } => "version_conflict",
            E::Refused(r) => r.code(),
            E::Busy(_) => "too_many_runs",
            E::Store(e) => e.code(),
            E::Internal(_) => "internal",
        }
    }

    fn public_message(&self) -> String {
        match self {
            E::Auth(e) => e.public_message(),
            E::Store(e) => e.public_message(),
            E::Internal(_) => "an internal error occurred".into(),
            other => other.to_string(),
        }
    }

    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            E::Auth(e) => e.retry_after_secs(),
            _ => None,
        }
    }
}

fn summary(issues: &[Issue]) -> String {
    let errors: Vec<String> = issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| match &i.node {
            Some(node) => format!("{} (node `{node}`, {})", i.message, i.path),
            None => format!("{} ({})", i.message, i.path),
        })
        .collect();
    errors.join("; ")
}
