//! Paying through Stripe: a customer per tenant, Checkout for a new subscription, the
//! Customer Portal for payment methods, plan changes with proration, cancelling at the
//! period's end, and the invoice list. Every write carries an idempotency key derived from
//! what it does, so a retry after a lost answer does not act twice.

use super::accounts::{load_account, store_account};
use super::plans::load_plan;
use super::{Billing, BillingError as E};
use crate::account::{Account, ProviderKind, Status};
use crate::stripe::objects::{InvoiceView, SubscriptionView};
use crate::stripe::{Stripe, StripeFailure};
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::TenantId;
use serde_json::Value;
use std::collections::HashMap;
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_billing::invoice::ListInvoice;
use stripe_billing::subscription::{
    RetrieveSubscription, UpdateSubscription, UpdateSubscriptionItems,
    UpdateSubscriptionProrationBehavior,
};
use stripe_checkout::CheckoutSessionMode;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionSubscriptionData,
};
use stripe_core::customer::CreateCustomer;

impl Billing {
    pub(super) fn stripe(&self) -> Result<&Stripe, E> {
        self.inner
            .stripe
            .as_ref()
            .ok_or_else(|| E::Conflict("payments are not set up on this installation".into()))
    }

    /// Whether plan changes go through Stripe.
    pub fn takes_payments(&self) -> bool {
        self.inner.stripe.is_some()
    }

    fn link(&self, path: &str) -> Result<String, E> {
        match &self.inner.options.public_url {
            Some(base) => Ok(format!("{}{path}", base.trim_end_matches('/'))),
            None => Err(E::Conflict(
                "AGENTE_PUBLIC_URL must be set for Stripe to send customers back".into(),
            )),
        }
    }

    /// A Checkout page for subscribing to `plan_id` (owners only): answers its URL. The
    /// subscription takes effect when Stripe's webhook says it was paid.
    pub async fn checkout(&self, p: &Principal, plan_id: &str, email: &str) -> Result<String, E> {
        check_permission(p, Resource::Billing, Action::Write)?;
        let stripe = self.stripe()?;
        let tenant = p.tenant_id;
        let (plan, account) = {
            let mut tx = self.inner.db.tenant_read(tenant).await?;
            let plan = load_plan(&mut tx, plan_id)
                .await?
                .filter(|plan| plan.available)
                .ok_or(E::NotFound("plan"))?;
            let account = load_account(&mut tx, tenant).await?;
            tx.commit().await?;
            (plan, account)
        };
        let Some(price) = plan.stripe_price.clone() else {
            return Err(E::Conflict(format!(
                "the {} plan has no Stripe price; an operator sets one first",
                plan.name
            )));
        };
        if let Some(a) = &account
            && a.provider == ProviderKind::Stripe
            && matches!(
                a.status,
                Status::Active | Status::Trialing | Status::PastDue
            )
        {
            return Err(E::Conflict(
                "this tenant already has a subscription; change its plan instead".into(),
            ));
        }
        let customer = self.customer(tenant, account, email).await?;
        let mut metadata = HashMap::new();
        metadata.insert("tenant_id".to_string(), tenant.to_string());
        let mut subscription = CreateCheckoutSessionSubscriptionData::new();
        subscription.metadata = Some(metadata);
        if plan.trial_days > 0 {
            subscription.trial_period_days = Some(plan.trial_days);
        }
        let item = CreateCheckoutSessionLineItems {
            price: Some(price),
            quantity: Some(1),
            ..CreateCheckoutSessionLineItems::new()
        };
        let request = CreateCheckoutSession::new()
            .customer(customer)
            .mode(CheckoutSessionMode::Subscription)
            .line_items(vec![item])
            .client_reference_id(tenant.to_string())
            .success_url(self.link("/billing?checkout=done")?)
            .cancel_url(self.link("/billing")?)
            .subscription_data(subscription);
        // One session per tenant, plan and minute: a double click opens the same page.
        let key = format!(
            "agente-checkout-{tenant}-{}-{}",
            plan.id,
            self.now_ms() / 60_000
        );
        let session = stripe
            .send(request, Some(&key))
            .await
            .map_err(stripe_error)?;
        text(&session, "url")
    }

    /// A Customer Portal page for payment methods and invoices (owners only).
    pub async fn portal(&self, p: &Principal) -> Result<String, E> {
        check_permission(p, Resource::Billing, Action::Write)?;
        let stripe = self.stripe()?;
        let customer = self
            .account(p.tenant_id)
            .await?
            .and_then(|a| a.customer_id)
            .ok_or_else(|| E::Conflict("subscribe to a plan first".into()))?;
        let request = CreateBillingPortalSession::new()
            .customer(customer)
            .return_url(self.link("/billing")?);
        let key = format!("agente-portal-{}-{}", p.tenant_id, self.now_ms() / 60_000);
        let session = stripe
            .send(request, Some(&key))
            .await
            .map_err(stripe_error)?;
        text(&session, "url")
    }

    /// The tenant's invoices, newest first (admins and owners).
    pub async fn invoices(&self, p: &Principal) -> Result<Vec<InvoiceView>, E> {
        check_permission(p, Resource::Billing, Action::Read)?;
        let Some(stripe) = &self.inner.stripe else {
            return Ok(Vec::new());
        };
        let Some(customer) = self.account(p.tenant_id).await?.and_then(|a| a.customer_id) else {
            return Ok(Vec::new());
        };
        let list = stripe
            .send(ListInvoice::new().customer(customer).limit(24), None)
            .await
            .map_err(stripe_error)?;
        Ok(list
            .get("data")
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(InvoiceView::from_json).collect())
            .unwrap_or_default())
    }

    /// Moves a Stripe subscription to `plan_id` at once, prorated.
    pub(super) async fn stripe_change_plan(
        &self,
        tenant: TenantId,
        account: &Account,
        plan: &crate::Plan,
    ) -> Result<(), E> {
        let stripe = self.stripe()?;
        let subscription = account
            .subscription_id
            .clone()
            .ok_or_else(|| E::Conflict("there is no subscription to change".into()))?;
        let Some(price) = plan.stripe_price.clone() else {
            return Err(E::Conflict(format!(
                "the {} plan has no Stripe price",
                plan.name
            )));
        };
        let current = stripe
            .send(RetrieveSubscription::new(subscription.as_str()), None)
            .await
            .map_err(stripe_error)?;
        let item = current
            .pointer("/items/data/0/id")
            .and_then(Value::as_str)
            .ok_or_else(|| E::Conflict("the subscription has no item to change".into()))?;
        let change = UpdateSubscriptionItems {
            id: Some(item.to_string()),
            price: Some(price.clone()),
            ..UpdateSubscriptionItems::new()
        };
        let request = UpdateSubscription::new(subscription.as_str())
            .items(vec![change])
            .proration_behavior(UpdateSubscriptionProrationBehavior::CreateProrations)
            .cancel_at_period_end(false);
        self.update_subscription(tenant, request, &format!("change-{subscription}-{price}"))
            .await
    }

    /// Sets or clears cancelling a Stripe subscription at its period's end.
    pub(super) async fn stripe_set_cancel(
        &self,
        tenant: TenantId,
        account: &Account,
        cancel: bool,
    ) -> Result<(), E> {
        let subscription = account
            .subscription_id
            .clone()
            .ok_or_else(|| E::Conflict("there is no subscription to change".into()))?;
        let request = UpdateSubscription::new(subscription.as_str()).cancel_at_period_end(cancel);
        self.update_subscription(tenant, request, &format!("cancel-{subscription}-{cancel}"))
            .await
    }

    /// Sends a subscription update (the same one within a minute is sent once) and makes
    /// the account follow Stripe's answer.
    async fn update_subscription(
        &self,
        tenant: TenantId,
        request: UpdateSubscription,
        what: &str,
    ) -> Result<(), E> {
        let key = format!("agente-{what}-{}", self.now_ms() / 60_000);
        let updated = self
            .stripe()?
            .send(request, Some(&key))
            .await
            .map_err(stripe_error)?;
        self.apply_subscription(tenant, &updated).await
    }

    /// The tenant's Stripe customer, created (once, whatever the retries) when missing.
    async fn customer(
        &self,
        tenant: TenantId,
        account: Option<Account>,
        email: &str,
    ) -> Result<String, E> {
        if let Some(id) = account.as_ref().and_then(|a| a.customer_id.clone()) {
            return Ok(id);
        }
        let mut metadata = HashMap::new();
        metadata.insert("tenant_id".to_string(), tenant.to_string());
        let request = CreateCustomer::new().email(email).metadata(metadata);
        let created = self
            .stripe()?
            .send(request, Some(&format!("agente-customer-{tenant}")))
            .await
            .map_err(stripe_error)?;
        let id = text(&created, "id")?;
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        let mut account = load_account(&mut tx, tenant)
            .await?
            .unwrap_or_else(|| Account::default_for(&self.inner.options.default_plan));
        account.customer_id = Some(id.clone());
        store_account(&mut tx, tenant, &account, self.now_ms()).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn account(&self, tenant: TenantId) -> Result<Option<Account>, E> {
        let mut tx = self.inner.db.tenant_read(tenant).await?;
        let account = load_account(&mut tx, tenant).await?;
        tx.commit().await?;
        Ok(account)
    }

    /// Makes `tenant`'s account follow the subscription Stripe just described: plan (by its
    /// price), status, period, cancellation and trial. A canceled subscription that is not
    /// the tenant's current one changes nothing (events may arrive late).
    pub(super) async fn apply_subscription(&self, tenant: TenantId, json: &Value) -> Result<(), E> {
        let s = SubscriptionView::from_json(json).map_err(|e| E::Provider(e.to_string()))?;
        let plans = self.plans(true).await?;
        let now = self.now_ms();
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        let mut account = load_account(&mut tx, tenant)
            .await?
            .unwrap_or_else(|| Account::default_for(&self.inner.options.default_plan));
        let ended = matches!(s.status, Status::Canceled | Status::IncompleteExpired);
        if ended
            && account
                .subscription_id
                .as_deref()
                .is_some_and(|id| id != s.id)
        {
            return Ok(());
        }
        if let Some(plan) = s.price.as_deref().and_then(|price| {
            plans
                .iter()
                .find(|p| p.stripe_price.as_deref() == Some(price))
        }) {
            account.plan_id = plan.id.clone();
        } else {
            tracing::warn!(tenant = %tenant, price = ?s.price, "a subscription's price matches no plan; keeping the plan");
        }
        account.past_due_since = match (s.status, account.status, account.past_due_since) {
            (Status::PastDue, Status::PastDue, Some(since)) => Some(since),
            (Status::PastDue, _, _) => Some(now),
            _ => None,
        };
        if ended && account.status != s.status {
            account.canceled_at = Some(now);
        }
        account.status = s.status;
        account.provider = ProviderKind::Stripe;
        account.customer_id = Some(s.customer);
        account.subscription_id = Some(s.id);
        account.period_start = s.period_start;
        account.period_end = s.period_end;
        account.cancel_at_period_end = s.cancel_at_period_end;
        account.trial_end = s.trial_end;
        store_account(&mut tx, tenant, &account, now).await?;
        tx.commit().await?;
        self.forget(tenant);
        Ok(())
    }
}

fn text(v: &Value, key: &str) -> Result<String, E> {
    crate::stripe::objects::text(v, key)
        .ok_or_else(|| E::Provider(format!("Stripe's answer has no `{key}`")))
}

pub(super) fn stripe_error(e: StripeFailure) -> E {
    E::Provider(e.to_string())
}
