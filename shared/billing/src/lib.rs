//! Billing: plans as data ([`plan`]), each tenant's subscription state ([`account`]),
//! metered usage and quotas, and the payment provider.
//!
//! [`Billing`] is the [`agente_core::UsageGate`] the engine, the queue and the AI service ask
//! before they act: it records each use once (idempotent on the use's own id), refuses what
//! would pass a hard limit, and warns the tenant at 80 % and 100 % of what its plan
//! includes.

pub mod account;
pub mod plan;
pub mod recommend;
pub mod service;
pub mod stripe;
#[cfg(feature = "testing")]
pub mod testing;

pub use account::{Account, Period, ProviderKind, Status};
pub use plan::{Allowance, Plan};
pub use service::{
    Billing, BillingError, BillingOptions, BillingOverview, LimitUsage, MeterUsage, RevenueReport,
    WebhookOutcome,
};
pub use stripe::{Stripe, StripeConfig};
