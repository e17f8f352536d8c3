//! Notifications. Senders: e-mail over SMTP (`agente_network::smtp`), Slack incoming webhooks (`slack`),
//! generic webhooks signed with HMAC-SHA256 (`webhook`) and Web Push to installed PWAs
//! (`push`), all through `agente-network`'s policy-checked client. The notifier
//! (`service`): a tenant's rules (which events, which channel), templates, and the delivery
//! log, driven by two queue jobs (`jobs`: `notify.event` fans an event out, `notify.deliver`
//! sends).
//!
//! A sender makes one attempt. Its error says whether another attempt can help
//! ([`NotifyError::Retry`], with the wait the receiver asked for) or not
//! ([`NotifyError::Permanent`]: a bad address, a revoked webhook); retrying is the job
//! queue's business. Senders that call URLs take the caller's HTTP client, so the caller's
//! network policy (no private addresses, timeouts) applies to user-given URLs.

mod event;
mod jobs;
pub mod push;
pub mod service;
pub mod slack;
mod template;
#[cfg(feature = "testing")]
pub mod testing;
pub mod webhook;

pub use event::{Event, EventKind};
pub use jobs::{DeliverJob, job_handlers};
pub use service::{DELIVER_ATTEMPTS, DELIVER_RETRY, Notifier, NotifierError, NotifierOptions};
pub use template::{Template, TemplateError};

use std::time::Duration;

/// Why a notification was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// A passing failure (network, timeout, 5xx, rate limit): worth another attempt, after
    /// `after` when the receiver said how long.
    #[error("{message}")]
    Retry {
        message: String,
        after: Option<Duration>,
    },
    /// Will fail again as it is (bad address or settings, a webhook that was removed).
    #[error("{0}")]
    Permanent(String),
    /// The receiver is gone for good (a push subscription that ended): forget it.
    #[error("{0}")]
    Gone(String),
}

impl From<agente_network::smtp::SmtpError> for NotifyError {
    fn from(e: agente_network::smtp::SmtpError) -> Self {
        use agente_network::smtp::SmtpError;
        match e {
            SmtpError::Retry(message) => NotifyError::retry(message),
            SmtpError::Permanent(message) => NotifyError::Permanent(message),
        }
    }
}

impl NotifyError {
    pub(crate) fn retry(message: impl Into<String>) -> Self {
        NotifyError::Retry {
            message: message.into(),
            after: None,
        }
    }

    /// Whether another attempt can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, NotifyError::Retry { .. })
    }
}

/// Most bytes of a receiver's answer quoted in an error.
const QUOTED: usize = 200;
/// Most bytes of an error answer read (the rest is never downloaded).
const ERROR_BODY_READ: usize = 8 * 1024;

/// An HTTP answer's body, shortened for an error message.
pub(crate) fn quote(body: &str) -> String {
    let body = body.trim();
    match body.char_indices().nth(QUOTED) {
        Some((at, _)) => format!("{}…", &body[..at]),
        None => body.to_string(),
    }
}

/// Maps an HTTP answer that is not a success: 408, 425, 429 and 5xx pass (with
/// `Retry-After` when given), other 4xx stay.
pub(crate) async fn http_failure(what: &str, answer: reqwest::Response) -> NotifyError {
    let status = answer.status();
    let after = agente_network::retry_after(answer.headers());
    let body = agente_network::text_prefix(answer, ERROR_BODY_READ).await;
    let message = format!("{what} answered {status}: {}", quote(&body));
    let passing = status.is_server_error() || [408, 425, 429].contains(&status.as_u16());
    if passing {
        NotifyError::Retry { message, after }
    } else {
        NotifyError::Permanent(message)
    }
}

/// A destination the network policy refuses (or a URL that is not one): another attempt
/// cannot help.
pub(crate) fn refused(e: agente_network::OutboundError) -> NotifyError {
    NotifyError::Permanent(e.to_string())
}

/// A request that got no answer (connection refused, timeout, TLS): worth another attempt.
/// The URL is left out of the message: webhook URLs carry their secret.
pub(crate) fn no_answer(what: &str, e: reqwest::Error) -> NotifyError {
    let e = e.without_url();
    let why = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    NotifyError::retry(format!("{what} {why}: {e}"))
}
