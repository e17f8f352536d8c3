//! The billing service: plans, accounts, the usage gate, the tenant's overview and plan
//! changes.

mod accounts;
mod gate;
mod overview;
mod plans;
mod revenue;
mod stripe_flow;
mod stripe_webhook;
mod subscription;
mod usage_report;

pub use overview::{BillingOverview, LimitUsage, MeterUsage};
pub use revenue::RevenueReport;
pub use stripe_webhook::{SIGNATURE_TOLERANCE_SECS, WebhookOutcome};
pub use usage_report::UsageReport;

use crate::account::Period;
use crate::plan::Plan;
use agente_auth::AuthError;
use agente_core::{Clock, Refusal, TenantId};
use agente_notify::Notifier;
use agente_store::{Db, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Why a billing operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("{0}")]
    BadInput(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The payment provider refused or failed; the message says which, never the key.
    #[error("{0}")]
    Provider(String),
    /// A webhook whose signature does not verify.
    #[error("the webhook signature is not valid: {0}")]
    BadSignature(String),
    /// Stored data that does not parse (a plan edited by hand in the database).
    #[error("stored billing data is damaged: {0}")]
    Corrupt(String),
}

impl agente_core::Classified for BillingError {
    fn kind(&self) -> agente_core::ErrorKind {
        use agente_core::ErrorKind;
        match self {
            BillingError::Auth(e) => e.kind(),
            BillingError::Refused(r) => r.kind(),
            BillingError::BadInput(_) | BillingError::BadSignature(_) => ErrorKind::BadInput,
            BillingError::NotFound(_) => ErrorKind::NotFound,
            BillingError::Conflict(_) => ErrorKind::Conflict,
            BillingError::Provider(_) => ErrorKind::Upstream,
            BillingError::Store(e) => e.kind(),
            BillingError::Corrupt(_) => ErrorKind::Internal,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            BillingError::Auth(e) => e.code(),
            BillingError::Refused(r) => r.code(),
            BillingError::BadInput(_) => "bad_input",
            BillingError::BadSignature(_) => "bad_signature",
            BillingError::NotFound(_) => "not_found",
            BillingError::Conflict(_) => "conflict",
            BillingError::Provider(_) => "payment_provider",
            BillingError::Store(e) => e.code(),
            BillingError::Corrupt(_) => "internal",
        }
    }

    fn public_message(&self) -> String {
        match self {
            BillingError::Auth(e) => e.public_message(),
            BillingError::Store(e) => e.public_message(),
            BillingError::Corrupt(_) => "an internal error occurred".into(),
            other => other.to_string(),
        }
    }

    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            BillingError::Auth(e) => e.retry_after_secs(),
            _ => None,
        }
    }
}

impl From<agente_store::sqlx::Error> for BillingError {
    fn from(err: agente_store::sqlx::Error) -> Self {
        BillingError::Store(err.into())
    }
}

/// How this deployment bills.
#[derive(Clone)]
pub struct BillingOptions {
    /// The plan of a tenant that never chose one (`AGENTE_DEFAULT_PLAN`, default `free`).
    pub default_plan: String,
    /// How long a past-due subscription keeps its plan.
    pub grace: Duration,
    /// How long a process trusts what it read of a tenant's plan and use; another process's
    /// plan change is seen within it. Hard limits are always checked in the database.
    pub cache_ttl: Duration,
    /// Stripe, when this installation takes payments; without it the local provider.
    pub stripe: Option<crate::stripe::Stripe>,
    /// Where customers come back to from Stripe's pages (`AGENTE_PUBLIC_URL`).
    pub public_url: Option<String>,
}

impl Default for BillingOptions {
    fn default() -> Self {
        Self {
            default_plan: crate::plan::FREE.into(),
            grace: Duration::from_secs(7 * 86_400),
            cache_ttl: Duration::from_secs(5),
            stripe: None,
            public_url: None,
        }
    }
}

/// Plans, accounts and metering. Cheap to clone.
#[derive(Clone)]
pub struct Billing {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    clock: Arc<dyn Clock>,
    notifier: Option<Notifier>,
    options: BillingOptions,
    stripe: Option<crate::stripe::Stripe>,
    cache: Mutex<HashMap<TenantId, Arc<Standing>>>,
}

/// What a process knows of a tenant for a short while: its plan and period, and
/// its use of each metered allowance in that period as last counted plus what this process
/// recorded since.
struct Standing {
    read_at: Instant,
    plan: Plan,
    period: Period,
    used: HashMap<agente_core::Meter, std::sync::atomic::AtomicU64>,
}

impl Billing {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        notifier: Option<Notifier>,
        options: BillingOptions,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                clock,
                notifier,
                stripe: options.stripe.clone(),
                options,
                cache: Mutex::default(),
            }),
        }
    }

    fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    fn grace_ms(&self) -> i64 {
        self.inner.options.grace.as_millis() as i64
    }

    /// Forgets what this process knew of `tenant` (after a change to its plan).
    fn forget(&self, tenant: TenantId) {
        self.inner
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&tenant);
    }

    /// Forgets every tenant (after an operator changed a plan).
    fn forget_all(&self) {
        self.inner
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
