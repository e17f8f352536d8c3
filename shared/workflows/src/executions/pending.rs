//! Executions that are not running: queued (`new`: recorded with their trigger, run by a
//! worker's `workflow.execute` job) and waiting (suspended at a Wait node). Both keep in
//! `resume_state` what they start or go on from, and both start the same way: a claim
//! (`new`/`waiting` → `running`, so one process runs them however many jobs arrive), then a
//! run whose row already exists.
//!
//! The database is the source of truth: the reaper finds executions whose progress stopped
//! (a silent process, a lost job) and enqueues them again, so losing the queue's contents
//! or a worker loses no work.

use super::Executions;
use crate::error::WorkflowServiceError as E;
use crate::executions::Start;
use crate::executions::lifecycle;
use crate::executions::run_data;
use crate::records::{ExecutionRecord, WorkflowRef};
use agente_auth::{AuthMethod, Principal};
use agente_core::{ExecutionId, ExecutionMode, ExecutionStatus, Role, TenantId};
use agente_engine::{Item, Resume, RunRequest, Suspended};
use agente_store::sqlx::{self, FromRow, query};
use agente_workflow_model::Workflow;
use serde::Deserialize;
use serde_json::json;

/// A running execution whose process has not beaten for this long is taken as dead (by
/// default: `WorkflowService::with_running_stale_after_ms`).
pub const RUNNING_STALE_MS: i64 = 60_000;
/// A queued or overdue waiting execution not started for this long is enqueued again.
pub const PENDING_STALE_MS: i64 = 5 * 60_000;

/// What a queued or waiting execution starts or goes on from, with the workflow as it was
/// when triggered (later edits do not change a run under way, as in n8n).
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(crate) enum PendingRun {
    Queued {
        workflow: Workflow,
        start: Option<String>,
        items: Vec<Item>,
        /// Sub-workflow nesting depth: kept so that workflows starting each other without
        /// waiting still stop at the limit.
        #[serde(default)]
        depth: u8,
    },
    Waiting {
        workflow: Workflow,
        suspended: Box<Suspended>,
    },
}

impl PendingRun {
    pub(crate) fn encode_queued(
        workflow: &Workflow,
        request: &RunRequest,
        cap: usize,
    ) -> Result<Vec<u8>, String> {
        let run = json!({ "kind": "queued", "workflow": workflow, "start": request.start,
            "items": request.items, "depth": request.depth });
        run_data::encode_whole(&run, cap).map_err(|size| too_large("be queued", size, cap))
    }

    pub(crate) fn encode_waiting(
        workflow: &Workflow,
        suspended: &Suspended,
        cap: usize,
    ) -> Result<Vec<u8>, String> {
        let run = json!({ "kind": "waiting", "workflow": workflow, "suspended": suspended });
        run_data::encode_whole(&run, cap).map_err(|size| too_large("wait", size, cap))
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_value(run_data::decode(bytes)?).map_err(|e| e.to_string())
    }
}

fn too_large(what: &str, size: usize, cap: usize) -> String {
    format!(
        "the execution cannot {what}: its state ({size} bytes compressed) is over the {cap} \
         bytes kept for it"
    )
}

/// A queued or waiting row, as a claim reads it.
#[derive(sqlx::FromRow)]
pub(crate) struct PendingRow {
    #[sqlx(try_from = "String")]
    pub workflow_id: WorkflowRef,
    #[sqlx(try_from = "String")]
    pub mode: ExecutionMode,
    pub started_at: i64,
    pub wait_till: Option<i64>,
    resume_state: Option<Vec<u8>>,
}

impl PendingRow {
    /// What the execution starts or goes on from.
    pub(crate) fn run(&self) -> Result<PendingRun, String> {
        self.resume_state
            .as_deref()
            .ok_or_else(|| "the execution kept nothing to run from".to_string())
            .and_then(PendingRun::decode)
    }
}

/// Background runs act for their tenant with an editor's rights, as their trigger did.
pub(crate) fn acting_for(tenant: TenantId, what: &str) -> Principal {
    Principal {
        tenant_id: tenant,
        user_id: None,
        role: Role::Editor,
        method: AuthMethod::ApiKey {
            key_id: what.into(),
        },
    }
}

impl Executions {
    pub(crate) async fn load_pending(
        &self,
        tenant: TenantId,
        id: ExecutionId,
        status: ExecutionStatus,
    ) -> Result<Option<PendingRow>, E> {
        let row = self
            .db
            .tenant_fetch_optional(
                tenant,
                query(
                    "SELECT workflow_id, mode, started_at, wait_till, resume_state FROM executions \
                     WHERE id = $1 AND tenant_id = $2 AND status = $3",
                )
                .bind(id.to_string())
                .bind(tenant.to_string())
                .bind(status.as_str()),
            )
            .await?;
        Ok(row.as_ref().map(PendingRow::from_row).transpose()?)
    }

    /// Claims execution `id` if it is `status` (`new` or `waiting`) and `ready` accepts it,
    /// then runs it: from its trigger, or on from its Wait node (with `items` as that node's
    /// output, else its input). `redact`: values the call brought that the stored execution must
    /// not show. `None` when there was nothing to claim.
    pub(crate) async fn claim_and_run(
        &self,
        tenant: TenantId,
        id: ExecutionId,
        status: ExecutionStatus,
        ready: impl Fn(&PendingRow) -> bool,
        items: Option<Vec<Item>>,
        redact: Vec<String>,
    ) -> Result<Option<ExecutionRecord>, E> {
        let Some(pending) = self
            .load_pending(tenant, id, status)
            .await?
            .filter(|p| ready(p))
        else {
            return Ok(None);
        };
        let now = self.clock.now_ms();
        if !lifecycle::claim(&self.db, tenant, id, status, now).await? {
            // Claimed or stopped by someone else in the meantime.
            return Ok(None);
        }
        let run = match pending.run() {
            Ok(run) => run,
            Err(message) => {
                lifecycle::fail_unfinished(&self.db, tenant, id, &message, now).await?;
                return Err(E::BadInput(format!("execution {id} cannot run: {message}")));
            }
        };
        let mut request = RunRequest {
            execution_id: id,
            mode: pending.mode,
            now_ms: now,
            durable_waits: true,
            redact,
            ..RunRequest::default()
        };
        let (workflow, started_at) = match run {
            PendingRun::Queued {
                workflow,
                start,
                items,
                depth,
            } => {
                request.start = start;
                request.items = items;
                request.depth = depth;
                (workflow, now)
            }
            PendingRun::Waiting {
                workflow,
                suspended,
            } => {
                request.resume = Some(Resume {
                    suspended: *suspended,
                    items,
                });
                (workflow, pending.started_at)
            }
        };
        let principal = acting_for(tenant, "background");
        let mut record = self
            .execute(
                &principal,
                pending.workflow_id,
                &workflow,
                request,
                Start::Claimed,
            )
            .await?;
        record.started_at = started_at;
        Ok(Some(record))
    }
}
