//! Reporting metered use to Stripe as Billing Meter events (the current way; usage records
//! were removed in API 2025-03-31). Run with housekeeping, every 15 minutes.
//!
//! Per tenant that has a Stripe customer and per meter, unreported usage events of hours
//! that have ended are summed per hour and sent as one meter event whose `identifier` is
//! derived from exactly the events it sums. The events are then marked reported by their
//! keys. A run that dies between sending and marking sends the same identifier next time,
//! which Stripe refuses as a duplicate (taken as done): nothing is counted twice. Events
//! that arrive late for an hour already reported form a new set, so a new identifier.
//! Stripe's meters are set up by the operator with event names `agente_<meter>` and the
//! customer mapping `stripe_customer_id`, value `value`; a plan's included use is a free
//! first tier of its metered price.

use super::stripe_flow::stripe_error;
use super::{Billing, BillingError as E};
use agente_core::{Meter, TenantId};
use agente_store::sqlx::query;
use agente_store::{Backend, Row};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use stripe_billing::billing_meter_event::CreateBillingMeterEvent;

const HOUR_MS: i64 = 3_600_000;
/// How far back unreported use is looked for (by the period index; an index of unreported
/// events would cost every execution a write). Use left unreported longer — Stripe down
/// for a week — stays in the database, unsent.
const LOOK_BACK_MS: i64 = 7 * 24 * HOUR_MS;
/// Events marked per statement.
const MARK_CHUNK: usize = 500;

/// What one reporting run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UsageReport {
    /// Meter events Stripe accepted (or already had).
    pub sent: u64,
    /// Usage events now marked reported.
    pub events: u64,
}

/// One meter event to send: an hour of one meter of one tenant.
struct Batch {
    meter: Meter,
    hour: i64,
    total: i64,
    keys: Vec<String>,
}

impl Billing {
    /// Sends every Stripe tenant's unreported use of past hours; see the module comment.
    /// A tenant whose report fails is left for the next run; the others go on.
    pub async fn report_usage(&self) -> Result<UsageReport, E> {
        let stripe = self.stripe()?;
        let before = self.now_ms().div_euclid(HOUR_MS) * HOUR_MS;
        let mut report = UsageReport::default();
        let mut failed = None;
        for (tenant, customer) in self.stripe_customers().await? {
            for batch in self.unreported(tenant, before).await? {
                let identifier = identifier(tenant, &batch);
                let mut payload = HashMap::new();
                payload.insert("stripe_customer_id".to_string(), customer.clone());
                payload.insert("value".to_string(), batch.total.to_string());
                let request = CreateBillingMeterEvent::new(
                    format!("agente_{}", batch.meter.as_str()),
                    payload,
                )
                .identifier(identifier.clone())
                .timestamp(batch.hour / 1000);
                match stripe.send(request, Some(&identifier)).await {
                    Ok(_) => {}
                    // Sent before, by a run that died before marking.
                    Err(crate::stripe::StripeFailure::Refused { message, .. })
                        if message.contains("already exists") => {}
                    Err(e) => {
                        tracing::warn!(tenant = %tenant, error = %e, "usage could not be reported; next run tries again");
                        failed = Some(stripe_error(e));
                        break;
                    }
                }
                report.sent += 1;
                report.events += self.mark_reported(tenant, batch.meter, &batch.keys).await?;
            }
        }
        match (failed, report.sent) {
            (Some(e), 0) => Err(e),
            _ => Ok(report),
        }
    }

    /// Tenants with a Stripe customer, across tenants.
    async fn stripe_customers(&self) -> Result<Vec<(TenantId, String)>, E> {
        let sql = match self.inner.db.backend() {
            Backend::Postgres => "SELECT tenant_id, customer_id FROM agente_stripe_customers()",
            Backend::Sqlite => {
                "SELECT tenant_id, customer_id FROM billing_accounts WHERE customer_id IS NOT NULL"
            }
        };
        let mut tx = self.inner.db.system_read().await?;
        let rows = query(sql).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let tenant: String = row.try_get("tenant_id")?;
            out.push((
                agente_store::parse_id(&tenant)?,
                row.try_get("customer_id")?,
            ));
        }
        Ok(out)
    }

    /// `tenant`'s unreported usage events before `before_ms`, per meter and hour.
    async fn unreported(&self, tenant: TenantId, before_ms: i64) -> Result<Vec<Batch>, E> {
        let mut tx = self.inner.db.tenant_read(tenant).await?;
        let mut rows = Vec::new();
        for meter in Meter::ALL {
            rows.extend(
                query(
                    "SELECT meter, source_id, quantity, occurred_at FROM usage_events \
                     WHERE tenant_id = $1 AND meter = $2 AND occurred_at >= $3 \
                       AND occurred_at < $4 AND reported_at IS NULL",
                )
                .bind(tenant.to_string())
                .bind(meter.as_str())
                .bind(before_ms - LOOK_BACK_MS)
                .bind(before_ms)
                .fetch_all(&mut *tx)
                .await?,
            );
        }
        tx.commit().await?;
        let mut batches: BTreeMap<(String, i64), Batch> = BTreeMap::new();
        for row in rows {
            let name: String = row.try_get("meter")?;
            let Some(meter) = Meter::parse(&name) else {
                continue;
            };
            let hour = row.try_get::<i64, _>("occurred_at")?.div_euclid(HOUR_MS) * HOUR_MS;
            let batch = batches.entry((name, hour)).or_insert_with(|| Batch {
                meter,
                hour,
                total: 0,
                keys: Vec::new(),
            });
            batch.total += row.try_get::<i64, _>("quantity")?;
            batch.keys.push(row.try_get("source_id")?);
        }
        // The identifier hashes the keys: the same events, in any order, give the same one.
        let mut batches: Vec<Batch> = batches.into_values().filter(|b| b.total > 0).collect();
        for batch in &mut batches {
            batch.keys.sort();
        }
        Ok(batches)
    }

    async fn mark_reported(
        &self,
        tenant: TenantId,
        meter: Meter,
        keys: &[String],
    ) -> Result<u64, E> {
        let mut marked = 0;
        for chunk in keys.chunks(MARK_CHUNK) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 4)).collect();
            let sql = format!(
                "UPDATE usage_events SET reported_at = $1 WHERE tenant_id = $2 AND meter = $3 \
                 AND source_id IN ({})",
                placeholders.join(", ")
            );
            let mut statement = query(&sql)
                .bind(self.now_ms())
                .bind(tenant.to_string())
                .bind(meter.as_str());
            for key in chunk {
                statement = statement.bind(key);
            }
            marked += self.inner.db.tenant_execute(tenant, statement).await?;
        }
        Ok(marked)
    }
}

/// The same events always give the same identifier (at most 100 characters for Stripe).
fn identifier(tenant: TenantId, batch: &Batch) -> String {
    let mut digest = Sha256::new();
    for key in &batch.keys {
        digest.update(key.as_bytes());
        digest.update([0]);
    }
    let hash = digest.finalize();
    let short: String = hash[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "agente-{}-{}-{}-{short}",
        tenant.to_string().replace('-', ""),
        batch.meter.as_str(),
        batch.hour / 1000
    )
}
