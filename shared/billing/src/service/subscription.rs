//! Changing a tenant's plan. With the local provider (no payment) the change applies at
//! once; with Stripe a subscription's plan changes there (prorated) and the account follows
//! Stripe's answer. Cancelling keeps the plan to the end of the period.

use super::accounts::{load_account, store_account};
use super::overview::count;
use super::plans::load_plan;
use super::{Billing, BillingError as E};
use crate::account::{Account, ProviderKind, Status};
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::Limit;

impl Billing {
    /// Moves the caller's tenant to `plan_id` (owners only). A plan whose count limits the
    /// tenant already exceeds is refused with what to remove first.
    pub async fn change_plan(&self, p: &Principal, plan_id: &str) -> Result<(), E> {
        check_permission(p, Resource::Billing, Action::Write)?;
        let tenant = p.tenant_id;
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        let plan = load_plan(&mut tx, plan_id)
            .await?
            .filter(|plan| plan.available)
            .ok_or(E::NotFound("plan"))?;
        let mut account = load_account(&mut tx, tenant)
            .await?
            .unwrap_or_else(|| Account::default_for(&self.inner.options.default_plan));
        for limit in [Limit::ActiveWorkflows, Limit::Members] {
            let current = count(&mut tx, tenant, limit).await?;
            if let Some(max) = plan.limit(limit)
                && current > max
            {
                let what = limit.as_str().replace('_', " ");
                return Err(E::Conflict(format!(
                    "the {} plan allows {max} {what} and this tenant has {current}; remove {} first",
                    plan.name,
                    current - max
                )));
            }
        }
        if self.takes_payments() {
            drop(tx);
            return match (account.provider, plan.monthly_price) {
                // Free is what a subscription becomes when it ends.
                (ProviderKind::Stripe, 0) => self.stripe_set_cancel(tenant, &account, true).await,
                (ProviderKind::Stripe, _) => self.stripe_change_plan(tenant, &account, &plan).await,
                (ProviderKind::Local, 0) => Err(E::Conflict(format!(
                    "this tenant is on the {} plan already",
                    plan.name
                ))),
                (ProviderKind::Local, _) => Err(E::Conflict(
                    "subscribe through checkout (POST /api/v1/billing/checkout)".into(),
                )),
            };
        }
        account = Account {
            plan_id: plan.id.clone(),
            status: Status::Active,
            cancel_at_period_end: false,
            period_start: None,
            period_end: None,
            ..account
        };
        store_account(&mut tx, tenant, &account, self.now_ms()).await?;
        tx.commit().await?;
        self.forget(tenant);
        tracing::info!(tenant = %tenant, plan = %plan.id, "plan changed");
        Ok(())
    }

    /// Ends the subscription at the end of the current period (owners only).
    pub async fn cancel_at_period_end(&self, p: &Principal) -> Result<(), E> {
        self.set_cancel(p, true).await
    }

    /// Undoes a cancellation that has not taken effect yet (owners only).
    pub async fn resume(&self, p: &Principal) -> Result<(), E> {
        self.set_cancel(p, false).await
    }

    async fn set_cancel(&self, p: &Principal, cancel: bool) -> Result<(), E> {
        check_permission(p, Resource::Billing, Action::Write)?;
        let tenant = p.tenant_id;
        let now = self.now_ms();
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        let Some(mut account) = load_account(&mut tx, tenant).await? else {
            return Err(E::Conflict("there is no subscription to change".into()));
        };
        if account.provider == ProviderKind::Stripe {
            drop(tx);
            return self.stripe_set_cancel(tenant, &account, cancel).await;
        }
        if account.effective_plan(now, self.grace_ms()) == crate::plan::FREE {
            return Err(E::Conflict("the free plan has nothing to cancel".into()));
        }
        let period = account.period(now);
        account.period_start = Some(period.start);
        account.period_end = Some(period.end);
        account.cancel_at_period_end = cancel;
        store_account(&mut tx, tenant, &account, now).await?;
        tx.commit().await?;
        self.forget(tenant);
        Ok(())
    }
}
