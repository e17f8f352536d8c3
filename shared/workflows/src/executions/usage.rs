//! Asking billing before acting: a production run is admitted (and counted once, by its
//! execution id) before it starts; an activation past the plan's active-workflow limit is
//! refused; the queue learns each tenant's cap on concurrent runs from its plan. Without a
//! gate (a service used alone) everything is allowed.

use super::Executions;
use crate::WorkflowService;
use crate::error::WorkflowServiceError as E;
use agente_core::{ExecutionId, ExecutionMode, GateError, Limit, Meter, TenantId, Usage};
use agente_store::sqlx::query;
use agente_store::{AnyConnection, Row};

/// How often a tenant's concurrency cap is taken from its plan again: a plan change reaches
/// the queue within this, and a Redis that lost its keys has them back.
const CAP_REFRESH_MS: i64 = 60_000;

impl Executions {
    /// Gives the queue `tenant`'s cap on concurrent runs from its plan, at most once per
    /// `CAP_REFRESH_MS` (called as its runs are queued). A failure is logged: the queue's
    /// own cap still applies.
    pub(crate) async fn sync_concurrency(&self, tenant: TenantId) {
        let Some(gate) = &self.usage_gate else {
            return;
        };
        let now = self.clock.now_ms();
        {
            let mut checked = self.caps_checked.lock().unwrap_or_else(|e| e.into_inner());
            if checked
                .get(&tenant)
                .is_some_and(|at| now - at < CAP_REFRESH_MS)
            {
                return;
            }
            checked.insert(tenant, now);
        }
        let result = match gate.concurrency(tenant).await {
            Ok(cap) => self
                .jobs
                .set_tenant_concurrency(tenant, cap)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(error) = result {
            tracing::warn!(%tenant, %error, "the tenant's concurrency cap could not be set");
            self.caps_checked
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&tenant);
        }
    }

    /// Admits execution `execution_id` of `mode` for `tenant`: counted once however often
    /// asked (a queued run is asked when queued and not again when claimed).
    pub(crate) async fn admit_run(
        &self,
        tenant: TenantId,
        execution_id: ExecutionId,
        mode: ExecutionMode,
    ) -> Result<(), E> {
        let Some(gate) = &self.usage_gate else {
            return Ok(());
        };
        if !mode.is_metered() {
            return Ok(());
        }
        let id = execution_id.to_string();
        let usage = Usage {
            meter: Meter::Executions,
            quantity: 1,
            id: &id,
        };
        // The execution's row records the use (a trigger in the same write): no write here
        // unless the plan's limit is hard.
        gate.admit_recorded_by_caller(tenant, usage)
            .await
            .map_err(refused)
    }

    /// Records a production run that leaves no row (`saveData…Execution: none`), so no
    /// trigger counted it.
    pub(crate) async fn record_unsaved_run(
        &self,
        tenant: TenantId,
        execution_id: ExecutionId,
        mode: ExecutionMode,
    ) {
        let Some(gate) = &self.usage_gate else {
            return;
        };
        if !mode.is_metered() {
            return;
        }
        let id = execution_id.to_string();
        let usage = Usage {
            meter: Meter::Executions,
            quantity: 1,
            id: &id,
        };
        if let Err(e) = gate.record(tenant, usage).await {
            tracing::warn!(error = %e, execution = %execution_id, "an unsaved run could not be metered");
        }
    }
}

impl WorkflowService {
    /// Refuses activating one more workflow when the plan's limit is reached.
    pub(crate) async fn check_activation(
        &self,
        conn: &mut AnyConnection,
        tenant: TenantId,
    ) -> Result<(), E> {
        let Some(gate) = &self.usage_gate else {
            return Ok(());
        };
        let row = query(
            "SELECT COUNT(*) AS n FROM workflows WHERE tenant_id = $1 AND active_at IS NOT NULL",
        )
        .bind(tenant.to_string())
        .fetch_one(conn)
        .await?;
        let active = row.try_get::<i64, _>("n")?.max(0) as u64;
        gate.check_limit(tenant, Limit::ActiveWorkflows, active)
            .await
            .map_err(refused)
    }
}

fn refused(e: GateError) -> E {
    match e {
        GateError::Refused(r) => E::Refused(r),
        GateError::Unavailable(msg) => E::Internal(msg),
    }
}
