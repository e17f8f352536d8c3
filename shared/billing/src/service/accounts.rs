//! Reading and writing a tenant's billing account, and what a process keeps of it.

use super::plans::load_plan;
use super::{Billing, BillingError as E, Standing};
use crate::account::{Account, ProviderKind, Status};
use crate::plan::{Allowance, FREE, Plan};
use agente_core::{Meter, TenantId};
use agente_store::sqlx::query;
use agente_store::{AnyConnection, Row};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

const COLUMNS: &str = "plan_id, status, provider, customer_id, subscription_id, period_start, \
     period_end, cancel_at_period_end, trial_end, past_due_since, canceled_at";

pub(super) async fn load_account(
    conn: &mut AnyConnection,
    tenant: TenantId,
) -> Result<Option<Account>, E> {
    let sql = format!("SELECT {COLUMNS} FROM billing_accounts WHERE tenant_id = $1");
    let Some(row) = query(&sql)
        .bind(tenant.to_string())
        .fetch_optional(conn)
        .await?
    else {
        return Ok(None);
    };
    let status: String = row.try_get("status")?;
    let provider: String = row.try_get("provider")?;
    Ok(Some(Account {
        plan_id: row.try_get("plan_id")?,
        status: Status::parse(&status).ok_or_else(|| E::Corrupt(format!("status {status}")))?,
        provider: match provider.as_str() {
            "stripe" => ProviderKind::Stripe,
            _ => ProviderKind::Local,
        },
        customer_id: row.try_get("customer_id")?,
        subscription_id: row.try_get("subscription_id")?,
        period_start: row.try_get("period_start")?,
        period_end: row.try_get("period_end")?,
        cancel_at_period_end: row.try_get::<i32, _>("cancel_at_period_end")? != 0,
        trial_end: row.try_get("trial_end")?,
        past_due_since: row.try_get("past_due_since")?,
        canceled_at: row.try_get("canceled_at")?,
    }))
}

pub(super) async fn store_account(
    conn: &mut AnyConnection,
    tenant: TenantId,
    a: &Account,
    now_ms: i64,
) -> Result<(), E> {
    query(
        "INSERT INTO billing_accounts (tenant_id, plan_id, status, provider, customer_id, \
           subscription_id, period_start, period_end, cancel_at_period_end, trial_end, \
           past_due_since, canceled_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (tenant_id) DO UPDATE SET plan_id = excluded.plan_id, \
           status = excluded.status, provider = excluded.provider, \
           customer_id = excluded.customer_id, subscription_id = excluded.subscription_id, \
           period_start = excluded.period_start, period_end = excluded.period_end, \
           cancel_at_period_end = excluded.cancel_at_period_end, \
           trial_end = excluded.trial_end, past_due_since = excluded.past_due_since, \
           canceled_at = excluded.canceled_at, \
           updated_at = excluded.updated_at",
    )
    .bind(tenant.to_string())
    .bind(&a.plan_id)
    .bind(a.status.as_str())
    .bind(a.provider.as_str())
    .bind(&a.customer_id)
    .bind(&a.subscription_id)
    .bind(a.period_start)
    .bind(a.period_end)
    .bind(i32::from(a.cancel_at_period_end))
    .bind(a.trial_end)
    .bind(a.past_due_since)
    .bind(a.canceled_at)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sums `meter` for `tenant` over `[start, end)`.
pub(super) async fn used(
    conn: &mut AnyConnection,
    tenant: TenantId,
    meter: Meter,
    start: i64,
    end: i64,
) -> Result<u64, E> {
    let row = query(
        "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) AS used FROM usage_events \
         WHERE tenant_id = $1 AND meter = $2 AND occurred_at >= $3 AND occurred_at < $4",
    )
    .bind(tenant.to_string())
    .bind(meter.as_str())
    .bind(start)
    .bind(end)
    .fetch_one(conn)
    .await?;
    let used: i64 = row.try_get("used")?;
    Ok(used.max(0) as u64)
}

impl Billing {
    /// The tenant's account, plan in force and period, and its use so far: from this
    /// process's memory when fresh enough.
    pub(super) async fn standing(&self, tenant: TenantId) -> Result<Arc<Standing>, E> {
        {
            let cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(s) = cache.get(&tenant)
                && s.read_at.elapsed() < self.inner.options.cache_ttl
                && self.now_ms() < s.period.end
            {
                return Ok(s.clone());
            }
        }
        let mut tx = self.inner.db.tenant_read(tenant).await?;
        let (account, plan) = self.account_and_plan(&mut tx, tenant).await?;
        let period = account.period(self.now_ms());
        let mut counts = HashMap::new();
        for meter in Meter::ALL {
            if plan.allowance(meter) != Allowance::Unlimited {
                let n = used(&mut tx, tenant, meter, period.start, period.end).await?;
                counts.insert(meter, AtomicU64::new(n));
            }
        }
        tx.commit().await?;
        let standing = Arc::new(Standing {
            read_at: Instant::now(),
            plan,
            period,
            used: counts,
        });
        self.inner
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tenant, standing.clone());
        Ok(standing)
    }

    /// The stored account (or the default one) and the plan its state gives.
    pub(super) async fn account_and_plan(
        &self,
        conn: &mut AnyConnection,
        tenant: TenantId,
    ) -> Result<(Account, Plan), E> {
        let account = match load_account(conn, tenant).await? {
            Some(a) => a,
            None => Account::default_for(&self.inner.options.default_plan),
        };
        let id = account.effective_plan(self.now_ms(), self.grace_ms());
        let plan = match load_plan(conn, id).await? {
            Some(plan) => plan,
            None => {
                tracing::error!(plan = %id, tenant = %tenant, "a tenant's plan is missing; applying Free");
                load_plan(conn, FREE)
                    .await?
                    .ok_or(E::NotFound("the free plan"))?
            }
        };
        Ok((account, plan))
    }
}
