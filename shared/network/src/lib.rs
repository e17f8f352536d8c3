//! Calls to destinations users give (HTTP Request and integration nodes, AI providers on a
//! tenant's key, notification webhooks, Slack, Web Push, SMTP servers): the one
//! outbound-network policy (`policy`), the HTTP client that enforces it at every hop
//! (`http`), the SMTP transport (`smtp`), and redaction of what such calls leave in errors
//! (`redact`).
//!
//! Architecture invariant: no domain knowledge. The engine, the notifier and the AI crate
//! call out through here; nothing here knows workflows, tenants or notifications.

pub mod http;
pub mod policy;
pub mod redact;
pub mod smtp;
#[cfg(feature = "testing")]
pub mod testing;

pub use http::{HttpSettings, OutboundError, OutboundHttp, read_capped, retry_after, text_prefix};
pub use policy::{NetworkPolicy, Refused, is_public};
