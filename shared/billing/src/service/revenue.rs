//! The operator's revenue report: monthly recurring revenue, subscriptions by plan, churn
//! and usage (overage) revenue for a calendar month. Reads across tenants, so operators only.

use super::{Billing, BillingError as E};
use crate::account::{Period, Status};
use agente_auth::{Principal, require_operator};
use agente_core::Meter;
use agente_store::sqlx::query;
use agente_store::{Backend, Row};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RevenueReport {
    /// The calendar month (UTC) the report covers.
    pub period: Period,
    /// Monthly recurring revenue in cents: paid plans of active and past-due subscriptions.
    pub mrr: i64,
    /// Active, trialing and past-due subscriptions per plan id.
    pub subscriptions: BTreeMap<String, u64>,
    /// Subscriptions that ended in the period.
    pub churned: u64,
    /// `churned` over the subscriptions at the period's start (those still running plus
    /// those that ended in it), in percent.
    pub churn_percent: f64,
    /// Use past what plans include, priced, in cents.
    pub usage_revenue: i64,
}

impl Billing {
    /// The report for the calendar month containing now.
    pub async fn revenue(&self, p: &Principal) -> Result<RevenueReport, E> {
        require_operator(&self.inner.db, p).await?;
        let period = Period::month_of(self.now_ms());
        let plans: HashMap<String, crate::Plan> = self
            .plans(true)
            .await?
            .into_iter()
            .map(|plan| (plan.id.clone(), plan))
            .collect();
        let (accounts_sql, usage_sql) = match self.inner.db.backend() {
            Backend::Postgres => (
                "SELECT tenant_id, plan_id, status, canceled_at FROM agente_billing_accounts()",
                "SELECT tenant_id, meter, used FROM agente_usage_totals($1, $2)",
            ),
            Backend::Sqlite => (
                "SELECT tenant_id, plan_id, status, canceled_at FROM billing_accounts",
                "SELECT tenant_id, meter, CAST(SUM(quantity) AS BIGINT) AS used FROM usage_events \
                 WHERE occurred_at >= $1 AND occurred_at < $2 GROUP BY tenant_id, meter",
            ),
        };
        let mut tx = self.inner.db.system_read().await?;
        let accounts = query(accounts_sql).fetch_all(&mut *tx).await?;
        let usage = query(usage_sql)
            .bind(period.start)
            .bind(period.end)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;

        let (mut mrr, mut running, mut churned) = (0, 0u64, 0u64);
        let mut subscriptions = BTreeMap::new();
        let mut plan_of: HashMap<String, String> = HashMap::new();
        for row in accounts {
            let tenant: String = row.try_get("tenant_id")?;
            let plan_id: String = row.try_get("plan_id")?;
            let status: String = row.try_get("status")?;
            let canceled_at: Option<i64> = row.try_get("canceled_at")?;
            let price = plans.get(&plan_id).map_or(0, |p| p.monthly_price);
            match Status::parse(&status) {
                Some(Status::Active | Status::PastDue | Status::Trialing) => {
                    *subscriptions.entry(plan_id.clone()).or_insert(0) += 1;
                    if status != "trialing" {
                        mrr += price;
                    }
                    if price > 0 {
                        running += 1;
                    }
                    plan_of.insert(tenant, plan_id);
                }
                _ if canceled_at.is_some_and(|t| t >= period.start && t < period.end) => {
                    churned += 1;
                }
                _ => {}
            }
        }
        let mut usage_revenue = 0;
        for row in usage {
            let tenant: String = row.try_get("tenant_id")?;
            let meter: String = row.try_get("meter")?;
            let used: i64 = row.try_get("used")?;
            let plan = plan_of
                .get(&tenant)
                .map(String::as_str)
                .unwrap_or(self.inner.options.default_plan.as_str());
            if let (Some(plan), Some(meter)) = (plans.get(plan), Meter::parse(&meter)) {
                usage_revenue += plan.overage_cost(meter, used.max(0) as u64);
            }
        }
        let at_start = running + churned;
        Ok(RevenueReport {
            period,
            mrr,
            subscriptions,
            churned,
            churn_percent: if at_start == 0 {
                0.0
            } else {
                (churned as f64 * 1000.0 / at_start as f64).round() / 10.0
            },
            usage_revenue,
        })
    }
}
