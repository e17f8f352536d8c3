//! `POST /api/v1/billing/stripe/webhook`: Stripe tells billing what happened. The signature
//! is checked (`Stripe-Signature`: HMAC-SHA256 over `t.payload`, several `v1` values, 300 s
//! tolerance, constant-time: the same scheme as our own outgoing webhooks, so the same
//! verifier); each event id is processed once; the subscription an event concerns is fetched
//! again rather than taken from the event, so events arriving out of order leave the
//! account as Stripe has it now.

use super::stripe_flow::stripe_error;
use super::{Billing, BillingError as E};
use crate::stripe::objects::id_of;
use agente_core::TenantId;
use agente_notify::Event;
use agente_store::TenantLookup;
use agente_store::sqlx::query;
use serde_json::Value;
use stripe_billing::subscription::RetrieveSubscription;

/// How far a signature's timestamp may be from now.
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;

/// What became of a webhook event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookOutcome {
    Processed,
    /// Seen and processed before: nothing done.
    Duplicate,
    /// A type billing does not act on, or about a customer that is not ours.
    Ignored,
}

impl Billing {
    /// Verifies, records and acts on one Stripe webhook delivery. An error other than a bad
    /// signature leaves the event unprocessed, so Stripe's retry processes it again.
    pub async fn stripe_webhook(&self, signature: &str, body: &[u8]) -> Result<WebhookOutcome, E> {
        let stripe = self.stripe()?;
        let secret = stripe
            .config
            .webhook_secret
            .as_deref()
            .ok_or_else(|| E::Conflict("STRIPE_WEBHOOK_SECRET is not set".into()))?;
        let now_s = self.now_ms() / 1000;
        agente_notify::webhook::verify(
            secret.as_bytes(),
            signature,
            body,
            now_s,
            SIGNATURE_TOLERANCE_SECS,
        )
        .map_err(|e| E::BadSignature(e.to_string()))?;
        let event: Value = serde_json::from_slice(body)
            .map_err(|_| E::BadInput("the event is not JSON".into()))?;
        let (Some(id), Some(kind)) = (
            event.get("id").and_then(Value::as_str),
            event.get("type").and_then(Value::as_str),
        ) else {
            return Err(E::BadInput("the event has no id or type".into()));
        };
        if id.len() > 255 {
            return Err(E::BadInput("the event id is too long".into()));
        }
        if self.event_processed(id, kind).await? {
            return Ok(WebhookOutcome::Duplicate);
        }
        let object = event.pointer("/data/object").unwrap_or(&Value::Null);
        let tenant = match kind {
            "checkout.session.completed" => match id_of(object, "subscription") {
                Some(subscription) => self.sync_subscription(&subscription).await?,
                None => None,
            },
            "customer.subscription.created"
            | "customer.subscription.updated"
            | "customer.subscription.deleted" => match id_of(object, "id") {
                Some(subscription) => self.sync_subscription(&subscription).await?,
                None => None,
            },
            "invoice.paid" | "invoice.payment_failed" | "invoice.finalized" => {
                let tenant = match id_of(object, "subscription") {
                    Some(subscription) => self.sync_subscription(&subscription).await?,
                    None => self.tenant_of_customer(object).await?,
                };
                if let (Some(tenant), "invoice.payment_failed") = (tenant, kind) {
                    self.announce_payment_failed(tenant, object).await;
                }
                tenant
            }
            _ => None,
        };
        self.mark_processed(id, tenant).await?;
        Ok(match tenant {
            Some(_) => WebhookOutcome::Processed,
            None => WebhookOutcome::Ignored,
        })
    }

    /// Fetches subscription `id` from Stripe and applies it to its tenant's account;
    /// answers the tenant (none when the customer is not ours).
    async fn sync_subscription(&self, id: &str) -> Result<Option<TenantId>, E> {
        let json = self
            .stripe()?
            .send(RetrieveSubscription::new(id), None)
            .await
            .map_err(stripe_error)?;
        let Some(tenant) = self.tenant_of_customer(&json).await? else {
            return Ok(None);
        };
        self.apply_subscription(tenant, &json).await?;
        Ok(Some(tenant))
    }

    /// The tenant whose Stripe customer `object.customer` is (we store the customer before
    /// any Checkout, so a customer we do not know is not ours).
    async fn tenant_of_customer(&self, object: &Value) -> Result<Option<TenantId>, E> {
        if let Some(customer) = id_of(object, "customer")
            && let Some(tenant) = self
                .inner
                .db
                .tenant_of(TenantLookup::StripeCustomer, &customer)
                .await?
        {
            return Ok(Some(tenant));
        }
        Ok(None)
    }

    async fn announce_payment_failed(&self, tenant: TenantId, invoice: &Value) {
        let Some(notifier) = &self.inner.notifier else {
            return;
        };
        let amount = match (
            invoice.get("amount_due").and_then(Value::as_i64),
            invoice.get("currency").and_then(Value::as_str),
        ) {
            (Some(cents), Some(currency)) => format!(
                "{}.{:02} {}",
                cents / 100,
                cents % 100,
                currency.to_uppercase()
            ),
            _ => "the amount due".into(),
        };
        let event = Event::payment_failed(
            invoice
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("invoice"),
            &amount,
            invoice.get("hosted_invoice_url").and_then(Value::as_str),
            self.now_ms(),
        );
        if let Err(e) = notifier.emit(tenant, &event).await {
            tracing::warn!(error = %e, tenant = %tenant, "could not announce a failed payment");
        }
    }

    /// Records event `id` as received; answers whether it was processed already.
    async fn event_processed(&self, id: &str, kind: &str) -> Result<bool, E> {
        let mut tx = self.inner.db.system_tx().await?;
        query(
            "INSERT INTO stripe_events (id, type, received_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(kind)
        .bind(self.now_ms())
        .execute(&mut *tx)
        .await?;
        let row = query("SELECT processed_at FROM stripe_events WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        let processed: Option<i64> = agente_store::Row::try_get(&row, "processed_at")?;
        Ok(processed.is_some())
    }

    async fn mark_processed(&self, id: &str, tenant: Option<TenantId>) -> Result<(), E> {
        let mut tx = self.inner.db.system_tx().await?;
        query("UPDATE stripe_events SET processed_at = $1, tenant_id = $2 WHERE id = $3")
            .bind(self.now_ms())
            .bind(tenant.map(|t| t.to_string()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
