//! One classification of failures. Each domain error says what kind of failure it is, which
//! stable code names it, and what a caller may read; the edges (the REST API's problem
//! documents, the app's server functions) turn that into their answer without deciding it
//! again.

/// What kind of failure an error is: each kind is one HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request is malformed or asks for something impossible (400).
    BadInput,
    /// The credentials are missing, wrong or expired (401).
    Unauthenticated,
    /// The plan allows no more, or its quota is used up (402).
    PaymentRequired,
    /// The caller may not do this (403).
    Forbidden,
    NotFound,
    /// The state does not allow it: a name taken, an execution already finished (409).
    Conflict,
    /// Well-formed but not valid: a form's fields, a workflow's nodes (422).
    Invalid,
    /// Too many requests or runs at once; try again later (429).
    TooMany,
    /// Our fault; details are logged, never shown (500).
    Internal,
    /// A provider we called (payments, a language model) failed (502).
    Upstream,
    /// A backing service is busy or down, or a feature is not set up; try again (503).
    Unavailable,
}

impl ErrorKind {
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::BadInput => 400,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::PaymentRequired => 402,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::Invalid => 422,
            ErrorKind::TooMany => 429,
            ErrorKind::Internal => 500,
            ErrorKind::Upstream => 502,
            ErrorKind::Unavailable => 503,
        }
    }
}

/// An error the edges can answer with.
pub trait Classified: std::error::Error {
    fn kind(&self) -> ErrorKind;

    /// A stable, machine-readable name for the reason (`mfa_required`, `quota_exceeded`).
    fn code(&self) -> &'static str;

    /// What the caller may read. By default the error's own message, except for our own
    /// failures, whose details are logged and not shown.
    fn public_message(&self) -> String {
        match self.kind() {
            ErrorKind::Internal => "an internal error occurred".into(),
            _ => self.to_string(),
        }
    }

    /// How long to wait before trying again, when the error knows.
    fn retry_after_secs(&self) -> Option<u64> {
        None
    }
}

impl Classified for crate::Refusal {
    fn kind(&self) -> ErrorKind {
        ErrorKind::PaymentRequired
    }

    fn code(&self) -> &'static str {
        match self {
            crate::Refusal::QuotaExhausted { .. } => "quota_exceeded",
            crate::Refusal::LimitReached { .. } => "plan_limit",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("secret table t_42 is locked")]
    struct Ours;

    impl Classified for Ours {
        fn kind(&self) -> ErrorKind {
            ErrorKind::Internal
        }
        fn code(&self) -> &'static str {
            "internal"
        }
    }

    #[test]
    fn our_own_failures_are_not_shown() {
        assert_eq!(Ours.public_message(), "an internal error occurred");
        assert_eq!(Ours.kind().http_status(), 500);
        assert_eq!(ErrorKind::Invalid.http_status(), 422);
    }
}
