//! Stripe as billing's payment provider, through `async-stripe` 1.0: its typed request
//! builders encode Stripe's nested form parameters, and its client carries the secret key,
//! the API version, idempotency keys and timeouts. Answers are read as JSON and only the
//! fields billing uses are taken from them (`objects.rs`): the generated response types
//! require every field of the current API version, which older API versions (and
//! localstripe, which speaks 2017-08-15) do not send.

pub mod objects;

use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};

/// How to reach Stripe (`STRIPE_SECRET_KEY`, `STRIPE_WEBHOOK_SECRET`, `STRIPE_API_BASE`).
#[derive(Clone)]
pub struct StripeConfig {
    pub secret_key: String,
    /// Verifies `Stripe-Signature` on webhooks; without it webhooks are refused.
    pub webhook_secret: Option<String>,
    /// A local server that speaks Stripe's API, for tests; default Stripe's own.
    pub api_base: Option<String>,
}

impl std::fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeConfig")
            .field("secret_key", &"<redacted>")
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("api_base", &self.api_base)
            .finish()
    }
}

/// Why a call to Stripe failed, in words a user can act on; the key is never in them.
#[derive(Debug, thiserror::Error)]
pub enum StripeFailure {
    /// Stripe refused the request (4xx): its own message.
    #[error("Stripe refused: {message}")]
    Refused { status: u16, message: String },
    /// Stripe could not be reached or failed (5xx, network, timeout): worth retrying.
    #[error("Stripe is unavailable: {0}")]
    Unavailable(String),
    /// Stripe answered something billing cannot read.
    #[error("Stripe's answer could not be read: {0}")]
    Unreadable(String),
}

impl From<StripeError> for StripeFailure {
    fn from(e: StripeError) -> Self {
        match e {
            StripeError::Stripe(errors, status) if status < 500 => StripeFailure::Refused {
                status,
                message: errors
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("status {status}")),
            },
            StripeError::Stripe(_, status) => {
                StripeFailure::Unavailable(format!("status {status}"))
            }
            StripeError::JSONDeserialize(m) => StripeFailure::Unreadable(m),
            StripeError::ClientError(m) | StripeError::ConfigError(m) => {
                StripeFailure::Unavailable(m)
            }
            StripeError::Timeout => StripeFailure::Unavailable("timed out".into()),
        }
    }
}

/// A Stripe client. Cheap to clone.
#[derive(Clone)]
pub struct Stripe {
    client: Client,
    pub(crate) config: StripeConfig,
}

impl Stripe {
    pub fn new(config: StripeConfig) -> Result<Self, StripeFailure> {
        let mut builder = ClientBuilder::new(config.secret_key.clone())
            .timeout(std::time::Duration::from_secs(20));
        if let Some(base) = &config.api_base {
            builder = builder.url(base.trim_end_matches('/'));
        }
        let client = builder.build()?;
        Ok(Stripe { client, config })
    }

    /// Sends `request` (a write with `idempotency_key`, so that a retry after a lost answer
    /// does not act twice) and answers Stripe's JSON.
    pub(crate) async fn send(
        &self,
        request: impl StripeRequest,
        idempotency_key: Option<&str>,
    ) -> Result<serde_json::Value, StripeFailure> {
        let mut call = request.build().customize::<miniserde::json::Value>();
        if let Some(key) = idempotency_key {
            let key = IdempotencyKey::new(key)
                .map_err(|e| StripeFailure::Unavailable(format!("idempotency key: {e}")))?;
            call = call.request_strategy(RequestStrategy::Idempotent(key));
        }
        let answer = call.send(&self.client).await?;
        serde_json::from_str(&miniserde::json::to_string(&answer))
            .map_err(|e| StripeFailure::Unreadable(e.to_string()))
    }
}
