//! The usage gate: record each use once, refuse what passes a hard limit, warn at 80 % and
//! 100 % of what the plan includes.
//!
//! Unlimited and overage-priced allowances cost no read and at most one write per use
//! (through the group commit on Postgres); none for executions, whose row's trigger records
//! them: the process's count, refreshed with its plan, decides the warnings. A hard allowance is checked in the database, serialised per tenant and meter,
//! so that across all processes the first use past it is the one refused.

use super::accounts::used;
use super::{Billing, BillingError as E, Standing};
use crate::account::iso;
use crate::plan::Allowance;
use agente_core::{
    ConcurrencyFuture, GateError, GateFuture, Limit, Meter, Refusal, TenantId, Usage, UsageGate,
};
use agente_notify::{Event, EventKind};
use agente_store::sqlx::query;
use agente_store::{Backend, Statement};
use std::sync::atomic::Ordering;

const INSERT: &str = "INSERT INTO usage_events (tenant_id, meter, source_id, quantity, occurred_at) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, meter, source_id) DO NOTHING";

/// The longest id a use may carry.
const MAX_ID: usize = 200;

impl UsageGate for Billing {
    fn admit<'a>(&'a self, tenant: TenantId, usage: Usage<'a>) -> GateFuture<'a> {
        Box::pin(async move {
            self.meter(tenant, usage, Mode::Admit)
                .await
                .map_err(gate_error)
        })
    }

    fn admit_recorded_by_caller<'a>(
        &'a self,
        tenant: TenantId,
        usage: Usage<'a>,
    ) -> GateFuture<'a> {
        Box::pin(async move {
            self.meter(tenant, usage, Mode::AdmitOnly)
                .await
                .map_err(gate_error)
        })
    }

    fn record<'a>(&'a self, tenant: TenantId, usage: Usage<'a>) -> GateFuture<'a> {
        Box::pin(async move {
            self.meter(tenant, usage, Mode::Record)
                .await
                .map_err(gate_error)
        })
    }

    fn check_limit(&self, tenant: TenantId, limit: Limit, current: u64) -> GateFuture<'_> {
        Box::pin(async move {
            let s = self.standing(tenant).await.map_err(gate_error)?;
            match s.plan.limit(limit) {
                Some(max) if current >= max => Err(GateError::Refused(Refusal::LimitReached {
                    plan: s.plan.name.clone(),
                    limit,
                    max,
                })),
                _ => Ok(()),
            }
        })
    }

    fn concurrency(&self, tenant: TenantId) -> ConcurrencyFuture<'_> {
        Box::pin(async move {
            let s = self.standing(tenant).await.map_err(gate_error)?;
            Ok(s.plan
                .max_concurrent_runs
                .map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
        })
    }
}

fn gate_error(e: E) -> GateError {
    match e {
        E::Refused(r) => GateError::Refused(r),
        other => GateError::Unavailable(other.to_string()),
    }
}

/// What a call to the gate asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Check against hard limits and record.
    Admit,
    /// Check against hard limits; the caller's write records (except under a hard limit,
    /// where the check records).
    AdmitOnly,
    /// Record without checking.
    Record,
}

impl Billing {
    async fn meter(&self, tenant: TenantId, usage: Usage<'_>, mode: Mode) -> Result<(), E> {
        if usage.id.is_empty() || usage.id.len() > MAX_ID {
            return Err(E::BadInput(format!("a use's id is 1–{MAX_ID} bytes")));
        }
        let s = self.standing(tenant).await?;
        let allowance = s.plan.allowance(usage.meter);
        if let (Allowance::Hard(included), Mode::Admit | Mode::AdmitOnly) = (allowance, mode) {
            return self.admit_hard(tenant, &s, usage, included).await;
        }
        if usage.quantity == 0 {
            return Ok(());
        }
        if mode == Mode::AdmitOnly {
            // Counted when the caller's write lands; warn on this process's count now.
            self.count(tenant, &s, usage, allowance).await;
            return Ok(());
        }
        let inserted = self
            .inner
            .db
            .tenant_execute_grouped(
                tenant,
                Statement::new(INSERT)
                    .bind(tenant.to_string())
                    .bind(usage.meter.as_str())
                    .bind(usage.id)
                    .bind(usage.quantity as i64)
                    .bind(self.now_ms()),
            )
            .await?
            == 1;
        if inserted {
            self.count(tenant, &s, usage, allowance).await;
        }
        Ok(())
    }

    /// Adds `usage` to this process's count of a limited allowance and warns on crossing.
    async fn count(&self, tenant: TenantId, s: &Standing, usage: Usage<'_>, allowance: Allowance) {
        if let (Some(included), Some(count)) = (allowance.included(), s.used.get(&usage.meter)) {
            let before = count.fetch_add(usage.quantity, Ordering::Relaxed);
            let after = before + usage.quantity;
            self.warn(tenant, s, usage.meter, before, after, included)
                .await;
        }
    }

    async fn admit_hard(
        &self,
        tenant: TenantId,
        s: &Standing,
        usage: Usage<'_>,
        included: u64,
    ) -> Result<(), E> {
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        // SQLite's writer lock already serialises; Postgres needs a lock per tenant and meter.
        if self.inner.db.backend() == Backend::Postgres {
            query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(format!("usage:{tenant}:{}", usage.meter.as_str()))
                .execute(&mut *tx)
                .await?;
        }
        let seen = query(
            "SELECT 1 AS one FROM usage_events WHERE tenant_id = $1 AND meter = $2 AND source_id = $3",
        )
        .bind(tenant.to_string())
        .bind(usage.meter.as_str())
        .bind(usage.id)
        .fetch_optional(&mut *tx)
        .await?;
        if seen.is_some() {
            return Ok(());
        }
        let before = used(&mut tx, tenant, usage.meter, s.period.start, s.period.end).await?;
        let after = before + usage.quantity;
        if after > included || before >= included {
            drop(tx);
            self.announce(
                tenant,
                s,
                usage.meter,
                EventKind::QuotaExceeded,
                before,
                included,
            )
            .await;
            return Err(E::Refused(Refusal::QuotaExhausted {
                plan: s.plan.name.clone(),
                meter: usage.meter,
                included,
                resets: iso(s.period.end),
            }));
        }
        if usage.quantity > 0 {
            query(INSERT)
                .bind(tenant.to_string())
                .bind(usage.meter.as_str())
                .bind(usage.id)
                .bind(usage.quantity as i64)
                .bind(self.now_ms())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        if let Some(count) = s.used.get(&usage.meter) {
            count.store(after, Ordering::Relaxed);
        }
        self.warn(tenant, s, usage.meter, before, after, included)
            .await;
        Ok(())
    }

    /// Tells the tenant when use went from below to at or above 80 % or 100 % of what its
    /// plan includes (each once per period: the event id says which).
    async fn warn(
        &self,
        tenant: TenantId,
        s: &Standing,
        meter: Meter,
        before: u64,
        after: u64,
        included: u64,
    ) {
        let crossed = |percent: u64| {
            let line = included.saturating_mul(percent).div_ceil(100);
            before < line && after >= line
        };
        if included > 0 && crossed(100) {
            self.announce(tenant, s, meter, EventKind::QuotaExceeded, after, included)
                .await;
        } else if crossed(80) {
            self.announce(tenant, s, meter, EventKind::QuotaWarning, after, included)
                .await;
        }
    }

    async fn announce(
        &self,
        tenant: TenantId,
        s: &Standing,
        meter: Meter,
        kind: EventKind,
        used: u64,
        included: u64,
    ) {
        let Some(notifier) = &self.inner.notifier else {
            return;
        };
        let event = Event::quota(
            kind,
            meter.as_str(),
            used as i64,
            included as i64,
            &s.period.label(),
            self.now_ms(),
        );
        if let Err(e) = notifier.emit(tenant, &event).await {
            tracing::warn!(error = %e, tenant = %tenant, "could not announce a quota event");
        }
    }
}
