//! The notifier: a tenant's rules (which events, over which channel, to whom), its message
//! templates, its own SMTP server, members' push subscriptions, and the delivery log.
//!
//! Flow: a producer enqueues an event's job ([`crate::Event::job`]); `notify.event`
//! ([`Notifier::fan_out`]) finds the rules that want it, renders the message, writes one
//! delivery row per rule (throttled per rule and group) and, in the same transaction, one
//! `notify.deliver` job per row; `notify.deliver` ([`Notifier::deliver`]) sends it and
//! records the outcome. Passing failures retry through the queue (after the receiver's
//! `Retry-After` when it gave one); the row says what happened at every step. Events the
//! owners must hear of (`EventKind::reaches_owners`) that no rule wants go to the owners by
//! e-mail (`owner_notice`).

mod deliver;
mod deliveries;
mod owner_notice;
mod push_subscriptions;
mod rules;
mod settings;

pub use deliveries::{DELIVER_ATTEMPTS, DELIVER_RETRY, DeliveryInfo, DeliveryQuery};
pub use push_subscriptions::PushSubscriptionInfo;
pub use rules::{NewRule, RuleInfo, RulePatch};
pub use settings::{SmtpSettings, SmtpSettingsBody, SmtpShown, TemplateBody, TemplateInfo};

use crate::push::Vapid;
use agente_auth::AuthError;
use agente_core::{Clock, SecretBox};
use agente_jobs::{Queue, QueueError};
use agente_network::smtp::SmtpConfig;
use agente_network::{HttpSettings, NetworkPolicy, OutboundHttp};
use agente_store::{Db, StoreError};
use std::sync::Arc;
use std::time::Duration;

/// Why a notifier operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum NotifierError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("{0}")]
    BadInput(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

impl agente_core::Classified for NotifierError {
    fn kind(&self) -> agente_core::ErrorKind {
        use agente_core::ErrorKind;
        match self {
            NotifierError::Auth(e) => e.kind(),
            NotifierError::BadInput(_) => ErrorKind::BadInput,
            NotifierError::NotFound(_) => ErrorKind::NotFound,
            NotifierError::Store(e) => e.kind(),
            NotifierError::Queue(_) => ErrorKind::Internal,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            NotifierError::Auth(e) => e.code(),
            NotifierError::BadInput(_) => "bad_input",
            NotifierError::NotFound(_) => "not_found",
            NotifierError::Store(e) => e.code(),
            NotifierError::Queue(_) => "internal",
        }
    }

    fn public_message(&self) -> String {
        match self {
            NotifierError::Auth(e) => e.public_message(),
            NotifierError::Store(e) => e.public_message(),
            NotifierError::Queue(_) => "an internal error occurred".into(),
            other => other.to_string(),
        }
    }

    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            NotifierError::Auth(e) => e.retry_after_secs(),
            _ => None,
        }
    }
}

impl From<agente_store::sqlx::Error> for NotifierError {
    fn from(err: agente_store::sqlx::Error) -> Self {
        NotifierError::Store(err.into())
    }
}

/// How this deployment sends.
#[derive(Clone, Debug, Default)]
pub struct NotifierOptions {
    /// Absolute links in messages (`AGENTE_PUBLIC_URL`); without it links are paths.
    pub public_url: Option<String>,
    /// The server's SMTP relay (`SMTP_URL`), for tenants without their own. An operator's
    /// setting: the network policy does not apply to it.
    pub smtp: Option<SmtpConfig>,
    /// The key Web Push is signed with; none: push is off.
    pub vapid: Option<Vapid>,
    /// Where tenant-given addresses (webhooks, Slack, push endpoints, SMTP hosts) may be.
    pub network: NetworkPolicy,
    /// The operator's egress proxy for those calls (`AGENTE_OUTBOUND_PROXY`).
    pub proxy: Option<String>,
}

/// Sends a tenant's notifications. Cheap to clone.
#[derive(Clone)]
pub struct Notifier {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    jobs: Queue,
    secrets: SecretBox,
    clock: Arc<dyn Clock>,
    /// Under the network policy, 15 s per request; senders never follow redirects.
    http: OutboundHttp,
    options: NotifierOptions,
}

impl Notifier {
    pub fn new(
        db: Db,
        jobs: Queue,
        secrets: SecretBox,
        clock: Arc<dyn Clock>,
        options: NotifierOptions,
    ) -> Self {
        let http = OutboundHttp::new(
            options.network.clone(),
            &HttpSettings {
                proxy: options.proxy.clone(),
                connect_timeout: Some(Duration::from_secs(10)),
                read_timeout: Some(Duration::from_secs(15)),
            },
        )
        .expect("the notification client builds");
        Self {
            inner: Arc::new(Inner {
                db,
                jobs,
                secrets,
                clock,
                http,
                options,
            }),
        }
    }

    /// The public key browsers subscribe to push with; `None` when push is off.
    pub fn vapid_public_key(&self) -> Option<String> {
        self.inner.options.vapid.as_ref().map(Vapid::public_key)
    }

    /// Tells the notifier about `event` (enqueues its fan-out; told twice, it runs once).
    pub async fn emit(
        &self,
        tenant: agente_core::TenantId,
        event: &crate::Event,
    ) -> Result<(), NotifierError> {
        match self.inner.jobs.enqueue(event.job(tenant)).await {
            Ok(_) | Err(QueueError::Duplicate) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes delivery log rows older than `max_age`.
    pub async fn prune_deliveries(&self, max_age: Duration) -> Result<u64, NotifierError> {
        let before = self.inner.clock.now_ms() - max_age.as_millis() as i64;
        Ok(self.inner.db.prune_deliveries(before).await?)
    }

    fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    /// An app path as a link: absolute when the public URL is known.
    fn link(&self, path: &str) -> String {
        match &self.inner.options.public_url {
            Some(base) => format!("{}{path}", base.trim_end_matches('/')),
            None => path.to_string(),
        }
    }
}

/// A new row id.
fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
