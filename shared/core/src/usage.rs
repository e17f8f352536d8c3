//! The port through which domain crates ask billing before they act: may this tenant run
//! one more execution, spend more AI tokens, activate one more workflow? Billing implements
//! [`UsageGate`]; a crate that holds none (tests, tools) lets everything through.

use crate::TenantId;
use std::future::Future;
use std::pin::Pin;

/// What is metered, per tenant and billing period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Meter {
    /// Production executions (webhook, schedule, trigger, error workflow); manual test runs
    /// and sub-workflow runs are not counted, as in n8n Cloud.
    Executions,
    /// AI tokens, input plus output.
    AiTokens,
    /// Marketplace sales, in cents of the sale.
    MarketplaceSales,
}

impl Meter {
    pub const ALL: [Meter; 3] = [Meter::Executions, Meter::AiTokens, Meter::MarketplaceSales];

    pub fn as_str(self) -> &'static str {
        match self {
            Meter::Executions => "executions",
            Meter::AiTokens => "ai_tokens",
            Meter::MarketplaceSales => "marketplace_sales",
        }
    }

    pub fn parse(s: &str) -> Option<Meter> {
        Meter::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// What a plan caps by count rather than by use over a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    ActiveWorkflows,
    Members,
}

impl Limit {
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::ActiveWorkflows => "active_workflows",
            Limit::Members => "members",
        }
    }
}

/// One use to meter: `quantity` of `meter`, identified by `id` (an execution id, an AI call
/// id, a sale id) so that telling it twice counts it once.
#[derive(Clone, Copy, Debug)]
pub struct Usage<'a> {
    pub meter: Meter,
    pub quantity: u64,
    pub id: &'a str,
}

/// Why billing said no, in words for the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The period's included use of a meter is spent and the plan allows no overage.
    #[error(
        "the {plan} plan includes {included} {} per billing period and they are used up; upgrade the plan or wait until {resets}",
        .meter.as_str().replace('_', " ")
    )]
    QuotaExhausted {
        plan: String,
        meter: Meter,
        included: u64,
        /// When the period ends (ISO-8601).
        resets: String,
    },
    /// A count limit of the plan is reached.
    #[error("the {plan} plan allows at most {max} {}; upgrade the plan to add more", .limit.as_str().replace('_', " "))]
    LimitReached {
        plan: String,
        limit: Limit,
        max: u64,
    },
}

/// A gate's answer when it is not a yes.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Billing could not decide (its database failed); the caller does not act.
    #[error("usage could not be checked: {0}")]
    Unavailable(String),
}

pub type GateFuture<'a> = Pin<Box<dyn Future<Output = Result<(), GateError>> + Send + 'a>>;

pub type ConcurrencyFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<u32>, GateError>> + Send + 'a>>;

/// Billing, as the engine, the queue and the AI service see it.
pub trait UsageGate: Send + Sync {
    /// Records `usage` unless it would pass a hard limit of the tenant's plan, in which case
    /// it refuses. Told again with the same id, it answers yes without counting again.
    fn admit<'a>(&'a self, tenant: TenantId, usage: Usage<'a>) -> GateFuture<'a>;

    /// Like `admit`, for a use the caller's own write records (an execution: a trigger on
    /// its row inserts the usage event in the same transaction). Only a hard limit costs a
    /// write here, as its check and count must be one step across processes.
    fn admit_recorded_by_caller<'a>(&'a self, tenant: TenantId, usage: Usage<'a>)
    -> GateFuture<'a>;

    /// Records `usage` that already happened (tokens an AI call spent, a sale); never
    /// refuses on quota. Idempotent on the id as `admit` is.
    fn record<'a>(&'a self, tenant: TenantId, usage: Usage<'a>) -> GateFuture<'a>;

    /// Refuses when the tenant already has `current` of `limit` and its plan allows no more.
    fn check_limit(&self, tenant: TenantId, limit: Limit, current: u64) -> GateFuture<'_>;

    /// How many of the tenant's runs may run at once, by its plan; `None`: no cap of its
    /// own (the queue's applies).
    fn concurrency(&self, tenant: TenantId) -> ConcurrencyFuture<'_> {
        let _ = tenant;
        Box::pin(async { Ok(None) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meters_round_trip_their_names() {
        for m in Meter::ALL {
            assert_eq!(Meter::parse(m.as_str()), Some(m));
        }
        assert_eq!(Meter::parse("nope"), None);
    }

    #[test]
    fn refusals_say_what_to_do() {
        let r = Refusal::QuotaExhausted {
            plan: "Free".into(),
            meter: Meter::Executions,
            included: 1000,
            resets: "2026-12-01T00:00:00Z".into(),
        };
        let text = r.to_string();
        assert!(text.contains("1000 executions"), "{text}");
        assert!(text.contains("upgrade"), "{text}");
        let r = Refusal::LimitReached {
            plan: "Free".into(),
            limit: Limit::ActiveWorkflows,
            max: 5,
        };
        assert!(r.to_string().contains("at most 5 active workflows"));
    }
}
