//! Executions that are not running: queued (`new`: recorded with their trigger, run by a
//! worker's `workflow.execute` job) and waiting (suspended at a Wait node). Both keep in
//! `resume_state` what they start or go on from, and both start the same way: a claim
//! (`new`/`waiting` → `running`, so one process runs them however many jobs arrive), then a
//! run whose row already exists.
//!
//! The database is the source of truth: the reaper finds executions whose progress stopped
//! (a silent process, a lost job) and enqueues them again, so losing the queue's contents
//! or a worker loses no work.

use super::executions::ExecutionRecord;
use super::run_data;
use super::{WorkflowService, WorkflowServiceError as E};
use agente_auth::{AuthMethod, Principal};
use agente_core::{Role, TenantId};
use agente_engine::{Item, Resume, RunRequest, Suspended};
use agente_jobs::NewJob;
use agente_store::sqlx::query;
use agente_store::{AnyRow, Row};
use agente_workflow_model::Workflow;
use serde::Deserialize;
use serde_json::{Value, json};

/// The job type that runs a queued execution.
pub const EXECUTE_JOB: &str = "workflow.execute";
/// The job type that resumes a waiting execution when its time comes.
pub const RESUME_JOB: &str = "workflow.resume";

/// A running execution whose process has not beaten for this long is taken as dead (by
/// default: `WorkflowService::with_running_stale_after_ms`).
pub const RUNNING_STALE_MS: i64 = 60_000;
/// A queued or overdue waiting execution not started for this long is enqueued again.
pub const PENDING_STALE_MS: i64 = 5 * 60_000;
/// How often the reaper restarts one execution before failing it.
const MAX_ATTEMPTS: i64 = 3;

/// The idempotency key of the job the reaper sends for an execution's `attempt`-th restart.
fn reap_key(id: &str, attempt: i64) -> String {
    format!("reap:{id}:{attempt}")
}

/// What a queued or waiting execution starts or goes on from, with the workflow as it was
/// when triggered (later edits do not change a run under way, as in n8n).
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(super) enum PendingRun {
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
    pub(super) fn encode_queued(
        workflow: &Workflow,
        request: &RunRequest,
        cap: usize,
    ) -> Result<Vec<u8>, String> {
        let run = json!({ "kind": "queued", "workflow": workflow, "start": request.start,
            "items": request.items, "depth": request.depth });
        run_data::encode_whole(&run, cap).map_err(|size| too_large("be queued", size, cap))
    }

    pub(super) fn encode_waiting(
        workflow: &Workflow,
        suspended: &Suspended,
        cap: usize,
    ) -> Result<Vec<u8>, String> {
        let run = json!({ "kind": "waiting", "workflow": workflow, "suspended": suspended });
        run_data::encode_whole(&run, cap).map_err(|size| too_large("wait", size, cap))
    }

    fn decode(bytes: &[u8]) -> Result<Self, String> {
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
pub(super) struct PendingRow {
    pub workflow_id: String,
    pub mode: String,
    pub started_at: i64,
    pub wait_till: Option<i64>,
    pub run: Result<PendingRun, String>,
}

impl PendingRow {
    fn from_row(row: &AnyRow) -> Result<Self, E> {
        let bytes: Option<Vec<u8>> = row.try_get("resume_state")?;
        Ok(Self {
            workflow_id: row.try_get("workflow_id")?,
            mode: row.try_get("mode")?,
            started_at: row.try_get("started_at")?,
            wait_till: row.try_get("wait_till")?,
            run: bytes
                .ok_or_else(|| "the execution kept nothing to run from".to_string())
                .and_then(|b| PendingRun::decode(&b)),
        })
    }
}

/// Background runs act for their tenant with an editor's rights, as their trigger did.
pub(super) fn acting_for(tenant: TenantId, what: &str) -> Principal {
    Principal {
        tenant_id: tenant,
        user_id: None,
        role: Role::Editor,
        method: AuthMethod::ApiKey {
            key_id: what.into(),
        },
    }
}

/// The tenant and execution a `workflow.execute` / `workflow.resume` job names.
pub(super) fn job_target(payload: &Value) -> Result<(TenantId, &str), E> {
    let field = |k: &str| {
        payload
            .get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| E::BadInput(format!("execution job without `{k}`")))
    };
    let tenant = field("tenant")?
        .parse()
        .map_err(|_| E::BadInput("execution job with a malformed tenant".into()))?;
    Ok((tenant, field("execution")?))
}

/// The job that starts (`EXECUTE_JOB`) or resumes (`RESUME_JOB`) an execution; `key` makes
/// each enqueue of one purpose run once.
pub(super) fn job_for(kind: &str, tenant: TenantId, id: &str, key: String) -> NewJob {
    NewJob::new(
        kind,
        json!({ "tenant": tenant.to_string(), "execution": id }),
    )
    .tenant(tenant)
    .idempotency_key(key)
}

impl WorkflowService {
    pub(super) async fn load_pending(
        &self,
        tenant: TenantId,
        id: &str,
        status: &str,
    ) -> Result<Option<PendingRow>, E> {
        let row = self
            .db
            .tenant_fetch_optional(
                tenant,
                query(
                    "SELECT workflow_id, mode, started_at, wait_till, resume_state FROM executions \
                     WHERE id = $1 AND tenant_id = $2 AND status = $3",
                )
                .bind(id)
                .bind(tenant.to_string())
                .bind(status),
            )
            .await?;
        row.as_ref().map(PendingRow::from_row).transpose()
    }

    /// Claims execution `id` if it is `status` (`new` or `waiting`) and `ready` accepts it,
    /// then runs it: from its trigger, or on from its Wait node (with `items` as that node's
    /// output, else its input). `redact`: values the call brought that the stored execution must
    /// not show. `None` when there was nothing to claim.
    pub(super) async fn claim_and_run(
        &self,
        tenant: TenantId,
        id: &str,
        status: &str,
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
        // A queued execution starts now; a waiting one started when it was triggered.
        let claimed = self
            .db
            .tenant_execute(
                tenant,
                query(
                    "UPDATE executions SET status = 'running', heartbeat_at = $1, \
                     started_at = CASE WHEN status = 'new' THEN $1 ELSE started_at END \
                     WHERE id = $2 AND tenant_id = $3 AND status = $4",
                )
                .bind(now)
                .bind(id)
                .bind(tenant.to_string())
                .bind(status),
            )
            .await?;
        if claimed == 0 {
            // Claimed or stopped by someone else in the meantime.
            return Ok(None);
        }
        let run = match pending.run {
            Ok(run) => run,
            Err(message) => {
                self.fail_unfinished(tenant, id, &message).await?;
                return Err(E::BadInput(format!("execution {id} cannot run: {message}")));
            }
        };
        let mut request = RunRequest {
            execution_id: id.to_string(),
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
            .execute_claimed(&principal, &pending.workflow_id, &workflow, request)
            .await?;
        record.started_at = started_at;
        Ok(Some(record))
    }

    /// Ends an unfinished execution as failed with `message`.
    async fn fail_unfinished(&self, tenant: TenantId, id: &str, message: &str) -> Result<(), E> {
        self.db
            .tenant_execute(
                tenant,
                query(
                    "UPDATE executions SET status = 'error', error = $1, finished_at = $2, \
                     wait_till = NULL, resume_state = NULL \
                     WHERE id = $3 AND tenant_id = $4 AND finished_at IS NULL",
                )
                .bind(message)
                .bind(self.clock.now_ms())
                .bind(id)
                .bind(tenant.to_string()),
            )
            .await?;
        Ok(())
    }

    /// Finds executions whose progress stopped and sets them going again: a `running` one
    /// whose process went silent (`RUNNING_STALE_MS` by default) is queued or set waiting again when it
    /// kept what it runs from (at most `MAX_ATTEMPTS` times), else failed; a `new` or overdue
    /// `waiting` one not started for `PENDING_STALE_MS` gets its job again. `all_running`
    /// takes every running execution as dead (the embedded database at start-up, where the
    /// one process that could run them has just started). Answers how many it acted on.
    pub async fn reap_executions(&self, all_running: bool) -> Result<u64, E> {
        let now = self.clock.now_ms();
        let running_before = if all_running {
            i64::MAX
        } else {
            now - self.running_stale_ms
        };
        let stalled = self
            .db
            .stalled_executions(running_before, now - self.pending_stale_ms, 500)
            .await?;
        let mut acted = 0;
        for (id, tenant, status) in stalled {
            if status != "running" {
                match self.still_queued(tenant, &id, &status).await {
                    Ok(false) => {}
                    Ok(true) => continue,
                    Err(e) => {
                        tracing::warn!(error = %e, execution = %id, "could not check a pending execution's job");
                        continue;
                    }
                }
            }
            match self.reap_one(tenant, &id, &status, running_before).await {
                Ok(true) => acted += 1,
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(error = %e, execution = %id, "could not recover a stalled execution")
                }
            }
        }
        Ok(acted)
    }

    /// Whether a queued or overdue waiting execution's job still waits in the queue (a
    /// backlog, not a loss): then it is left alone for another stale period, and its
    /// restarts are not counted.
    async fn still_queued(&self, tenant: TenantId, id: &str, status: &str) -> Result<bool, E> {
        let row = {
            let mut tx = self.db.tenant_read(tenant).await?;
            query("SELECT resume_state, attempts FROM executions WHERE id = $1 AND tenant_id = $2")
                .bind(id)
                .bind(tenant.to_string())
                .fetch_optional(&mut *tx)
                .await?
        };
        let Some(row) = row else { return Ok(false) };
        let attempts: i64 = row.try_get::<i32, _>("attempts").map(i64::from)?;
        let state: Option<Vec<u8>> = row.try_get("resume_state")?;
        // The keys its job may have: the first one's, or the reaper's last one's.
        let mut keys = vec![reap_key(id, attempts)];
        match state.as_deref().map(PendingRun::decode) {
            Some(Ok(PendingRun::Queued { .. })) => keys.push(format!("execute:{id}")),
            Some(Ok(PendingRun::Waiting { suspended, .. })) => {
                keys.push(format!("resume:{id}:{}", suspended.step()))
            }
            _ => return Ok(false),
        }
        if !self
            .jobs
            .any_pending(&keys)
            .await
            .map_err(|e| E::Internal(e.to_string()))?
        {
            return Ok(false);
        }
        let mut tx = self.db.tenant_tx(tenant).await?;
        query("UPDATE executions SET heartbeat_at = $1 WHERE id = $2 AND tenant_id = $3 AND status = $4")
            .bind(self.clock.now_ms())
            .bind(id)
            .bind(tenant.to_string())
            .bind(status)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn reap_one(
        &self,
        tenant: TenantId,
        id: &str,
        status: &str,
        running_before: i64,
    ) -> Result<bool, E> {
        let now = self.clock.now_ms();
        let mut tx = self.db.tenant_tx(tenant).await?;
        let row = query(
            "SELECT resume_state, attempts, wait_till, COALESCE(heartbeat_at, started_at) AS beat, workflow_id, mode, \
             (SELECT w.name FROM workflows w WHERE w.id = e.workflow_id AND w.tenant_id = e.tenant_id) AS workflow_name \
             FROM executions e WHERE id = $1 AND tenant_id = $2 AND status = $3",
        )
        .bind(id)
        .bind(tenant.to_string())
        .bind(status)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(false) };
        let attempts: i64 = row.try_get::<i32, _>("attempts").map(i64::from)?;
        let beat: i64 = row.try_get("beat")?;
        // Kept while a resumed run runs: a timed wait goes on again by time, one that only
        // a call resumes waits for a call again.
        let wait_till: Option<i64> = row.try_get("wait_till")?;
        let state: Option<Vec<u8>> = row.try_get("resume_state")?;
        if status == "running" && beat >= running_before {
            return Ok(false); // it beat since the read
        }
        let kind = state
            .as_deref()
            .map(PendingRun::decode)
            .and_then(Result::ok)
            .map(|run| match run {
                PendingRun::Queued { .. } => "new",
                PendingRun::Waiting { .. } => "waiting",
            });
        let next = match (status, kind) {
            (_, Some(_)) if attempts >= MAX_ATTEMPTS => None,
            ("running", Some(kind)) => Some(kind),
            ("new", Some("new")) | ("waiting", Some("waiting")) => Some(status),
            _ => None,
        };
        let Some(next) = next else {
            let message = if status == "running" {
                "the process running this execution stopped before it finished"
            } else {
                "the execution could not be started"
            };
            query(
                "UPDATE executions SET status = 'error', error = $1, finished_at = $2, \
                 wait_till = NULL, resume_state = NULL WHERE id = $3 AND tenant_id = $4 AND status = $5",
            )
            .bind(message)
            .bind(now)
            .bind(id)
            .bind(tenant.to_string())
            .bind(status)
            .execute(&mut *tx)
            .await?;
            // Told in the same transaction: a failure the reaper records is announced once.
            let mode: String = row.try_get("mode")?;
            let announced = if mode == "manual" {
                None
            } else {
                let workflow_id: String = row.try_get("workflow_id")?;
                let name: Option<String> = row.try_get("workflow_name")?;
                let event = agente_notify::Event::execution_failed(
                    id,
                    &workflow_id,
                    name.as_deref().unwrap_or(&workflow_id),
                    &mode,
                    message,
                    None,
                    now,
                );
                match self.jobs.stage(&mut tx, event.job(tenant)).await {
                    Ok(staged) => Some(staged),
                    Err(agente_jobs::QueueError::Duplicate) => None,
                    Err(e) => {
                        return Err(E::Internal(format!("announcing a failed execution: {e}")));
                    }
                }
            };
            tx.commit().await?;
            if let Some(staged) = announced {
                self.jobs.publish(staged).await;
            }
            return Ok(true);
        };
        query(
            "UPDATE executions SET status = $1, heartbeat_at = $2, attempts = attempts + 1 \
             WHERE id = $3 AND tenant_id = $4 AND status = $5",
        )
        .bind(next)
        .bind(now)
        .bind(id)
        .bind(tenant.to_string())
        .bind(status)
        .execute(&mut *tx)
        .await?;
        let job = match (next, wait_till) {
            ("new", _) => Some(job_for(EXECUTE_JOB, tenant, id, reap_key(id, attempts + 1))),
            (_, Some(till)) => {
                Some(job_for(RESUME_JOB, tenant, id, reap_key(id, attempts + 1)).run_at(till))
            }
            _ => None,
        };
        let staged = match job {
            Some(job) => Some(
                self.jobs
                    .stage(&mut tx, job)
                    .await
                    .map_err(|e| E::Internal(e.to_string()))?,
            ),
            None => None,
        };
        tx.commit().await?;
        if let Some(staged) = staged {
            self.jobs.publish(staged).await;
        }
        tracing::info!(execution = %id, from = status, to = next, attempt = attempts + 1, "enqueued a stalled execution again");
        Ok(true)
    }
}
