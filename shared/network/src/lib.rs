//! Calls to destinations users give (HTTP Request and integration nodes, AI providers on a
//! tenant's key, notification webhooks, Slack, Web Push, SMTP servers): the one
//! outbound-network policy (`policy`), the HTTP client that enforces it at every hop
//! (`http`), and redaction of what such calls leave in errors (`redact`).

pub mod http;
pub mod policy;
pub mod redact;

pub use http::{HttpSettings, OutboundError, OutboundHttp, read_capped, text_prefix};
pub use policy::{NetworkPolicy, Refused, is_public};
