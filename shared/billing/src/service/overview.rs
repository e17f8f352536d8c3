//! What a tenant sees on its billing page: the plan in force, the period, use against each
//! allowance and count limits.

use super::accounts::used;
use super::{Billing, BillingError as E};
use crate::account::{Period, ProviderKind, Status};
use crate::plan::{Allowance, Plan};
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::{Limit, Meter, TenantId};
use agente_store::sqlx::query;
use agente_store::{AnyConnection, Row};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BillingOverview {
    /// The plan whose limits apply now.
    pub plan: Plan,
    /// The plan subscribed to (differs from `plan` when the subscription lapsed).
    pub subscribed_plan: String,
    pub status: Status,
    pub provider: ProviderKind,
    pub period: Period,
    pub cancel_at_period_end: bool,
    pub trial_end: Option<i64>,
    pub meters: Vec<MeterUsage>,
    pub limits: Vec<LimitUsage>,
    /// A plan that serves the use projected to the period's end for less (or at all).
    pub recommendation: Option<crate::recommend::Recommendation>,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MeterUsage {
    pub meter: Meter,
    pub used: u64,
    /// None: unlimited.
    pub included: Option<u64>,
    /// Past `included` is refused (rather than charged).
    pub hard: bool,
    /// What the use past `included` costs so far, in cents.
    pub overage_cost: i64,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LimitUsage {
    pub limit: Limit,
    pub current: u64,
    pub max: Option<u64>,
}

impl Billing {
    /// The caller's tenant's plan, period and use.
    pub async fn overview(&self, p: &Principal) -> Result<BillingOverview, E> {
        check_permission(p, Resource::Billing, Action::Read)?;
        let tenant = p.tenant_id;
        let mut tx = self.inner.db.tenant_read(tenant).await?;
        let (account, plan) = self.account_and_plan(&mut tx, tenant).await?;
        let period = account.period(self.now_ms());
        let mut meters = Vec::new();
        for meter in Meter::ALL {
            let n = used(&mut tx, tenant, meter, period.start, period.end).await?;
            let allowance = plan.allowance(meter);
            meters.push(MeterUsage {
                meter,
                used: n,
                included: allowance.included(),
                hard: matches!(allowance, Allowance::Hard(_)),
                overage_cost: plan.overage_cost(meter, n),
            });
        }
        let mut limits = Vec::new();
        for limit in [Limit::ActiveWorkflows, Limit::Members] {
            limits.push(LimitUsage {
                limit,
                current: count(&mut tx, tenant, limit).await?,
                max: plan.limit(limit),
            });
        }
        tx.commit().await?;
        let now = self.now_ms();
        let elapsed = (now - period.start) as f64 / (period.end - period.start).max(1) as f64;
        let metered: Vec<(Meter, u64)> = meters.iter().map(|m| (m.meter, m.used)).collect();
        let counts: Vec<(Limit, u64)> = limits.iter().map(|l| (l.limit, l.current)).collect();
        let usage = crate::recommend::Use {
            metered: &metered,
            elapsed,
            counts: &counts,
        };
        let recommendation = crate::recommend::recommend(&plan, &self.plans(false).await?, &usage);
        Ok(BillingOverview {
            recommendation,
            subscribed_plan: account.plan_id.clone(),
            status: account.status,
            provider: account.provider,
            cancel_at_period_end: account.cancel_at_period_end,
            trial_end: account.trial_end,
            period,
            plan,
            meters,
            limits,
        })
    }
}

/// How many of `limit` the tenant has: active workflows, or members.
pub async fn count(conn: &mut AnyConnection, tenant: TenantId, limit: Limit) -> Result<u64, E> {
    let sql = match limit {
        Limit::ActiveWorkflows => {
            "SELECT COUNT(*) AS n FROM workflows WHERE tenant_id = $1 AND active_at IS NOT NULL"
        }
        Limit::Members => "SELECT COUNT(*) AS n FROM users WHERE tenant_id = $1",
    };
    let row = query(sql).bind(tenant.to_string()).fetch_one(conn).await?;
    Ok(row.try_get::<i64, _>("n")?.max(0) as u64)
}
