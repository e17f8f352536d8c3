//! The reaper: the database is the source of truth, so executions whose progress stopped —
//! a `running` one whose process went silent, a queued or overdue waiting one whose job was
//! lost (Redis lost its contents, a process died between commit and send) — are found from
//! their rows and set going again. One whose process died running it `MAX_ATTEMPTS` times is
//! failed; a lost job is sent again however often it is lost (that is the queue's fault).

use super::Executions;
use crate::error::WorkflowServiceError as E;
use crate::executions::lifecycle;
use crate::executions::pending::PendingRun;
use crate::jobs::{ExecuteJob, ResumeJob, execution_job};
use agente_core::{ExecutionId, ExecutionMode, ExecutionStatus, TenantId};
use agente_store::sqlx::{self, FromRow, query};
use agente_store::{AnyConnection, TenantTx};

/// How often the reaper restarts one execution before failing it.
const MAX_ATTEMPTS: i64 = 3;

/// The idempotency key of the job the reaper sends after `attempts` restarts and `resends`
/// lost jobs: one per restart.
fn reap_key(id: ExecutionId, attempts: i64, resends: i64) -> String {
    format!("reap:{id}:{attempts}:{resends}")
}

/// A stalled execution's row, as the reaper reads it in its transaction.
#[derive(sqlx::FromRow)]
struct StalledRow {
    resume_state: Option<Vec<u8>>,
    attempts: i32,
    resends: i32,
    /// Kept while a resumed run runs: a timed wait goes on again by time, one that only a
    /// call resumes waits for a call again.
    wait_till: Option<i64>,
    /// The last heartbeat, or the start.
    beat: i64,
    workflow_id: String,
    #[sqlx(try_from = "String")]
    mode: ExecutionMode,
    workflow_name: Option<String>,
}

impl StalledRow {
    /// What a restart would put it back to: `new` (run from its trigger) or `waiting`.
    fn restart_as(&self) -> Option<ExecutionStatus> {
        let run = PendingRun::decode(self.resume_state.as_deref()?).ok()?;
        Some(match run {
            PendingRun::Queued { .. } => ExecutionStatus::New,
            PendingRun::Waiting { .. } => ExecutionStatus::Waiting,
        })
    }
}

impl Executions {
    /// Finds executions whose progress stopped and sets them going again: a `running` one
    /// whose process went silent (`RUNNING_STALE_MS` by default) is queued or set waiting
    /// again when it kept what it runs from (at most `MAX_ATTEMPTS` times), else failed; a
    /// `new` or overdue `waiting` one not started for `PENDING_STALE_MS` gets its job
    /// again. `all_running` takes every running execution as dead (the embedded database at
    /// start-up, where the one process that could run them has just started). Answers how
    /// many it acted on.
    pub async fn reap(&self, all_running: bool) -> Result<u64, E> {
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
            let (Ok(id), Ok(status)) = (id.parse::<ExecutionId>(), status.parse()) else {
                tracing::warn!(execution = %id, %status, "a stalled execution's row is not readable");
                continue;
            };
            if status != ExecutionStatus::Running {
                match self.still_queued(tenant, id, status).await {
                    Ok(false) => {}
                    Ok(true) => continue,
                    Err(e) => {
                        tracing::warn!(error = %e, execution = %id, "could not check a pending execution's job");
                        continue;
                    }
                }
            }
            match self.reap_one(tenant, id, status, running_before).await {
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
    async fn still_queued(
        &self,
        tenant: TenantId,
        id: ExecutionId,
        status: ExecutionStatus,
    ) -> Result<bool, E> {
        let row = {
            let mut tx = self.db.tenant_read(tenant).await?;
            query("SELECT resume_state, attempts, resends FROM executions WHERE id = $1 AND tenant_id = $2")
                .bind(id.to_string())
                .bind(tenant.to_string())
                .fetch_optional(&mut *tx)
                .await?
        };
        let Some(row) = row else { return Ok(false) };
        let count = |column: &str| sqlx::Row::try_get::<i32, _>(&row, column).map(i64::from);
        let (attempts, resends) = (count("attempts")?, count("resends")?);
        let state: Option<Vec<u8>> = sqlx::Row::try_get(&row, "resume_state")?;
        // The keys its job may have: the first one's, or the reaper's last one's.
        let mut keys = vec![reap_key(id, attempts, resends)];
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
        lifecycle::touch_pending(&self.db, tenant, id, status, self.clock.now_ms()).await?;
        Ok(true)
    }

    /// Restarts or fails one stalled execution, in one transaction with the job that
    /// restarts it or the notification of its failure. `false` when it moved on meanwhile.
    async fn reap_one(
        &self,
        tenant: TenantId,
        id: ExecutionId,
        status: ExecutionStatus,
        running_before: i64,
    ) -> Result<bool, E> {
        let mut tx = self.db.tenant_tx(tenant).await?;
        let Some(row) = stalled_row(&mut tx, tenant, id, status).await? else {
            return Ok(false);
        };
        if status == ExecutionStatus::Running && row.beat >= running_before {
            return Ok(false); // it beat since the read
        }
        let died_too_often = i64::from(row.attempts) >= MAX_ATTEMPTS;
        let next = match (status, row.restart_as()) {
            (ExecutionStatus::Running, Some(_)) if died_too_often => None,
            (ExecutionStatus::Running, Some(kind)) => Some(kind),
            (from, Some(kind)) if from == kind => Some(kind),
            _ => None,
        };
        match next {
            Some(next) => self.restart(tx, tenant, id, status, next, &row).await?,
            None => self.fail_stalled(tx, tenant, id, status, &row).await?,
        }
        Ok(true)
    }

    /// Puts a stalled execution back to `next` with the job that runs or resumes it.
    async fn restart(
        &self,
        mut tx: TenantTx,
        tenant: TenantId,
        id: ExecutionId,
        from: ExecutionStatus,
        next: ExecutionStatus,
        row: &StalledRow,
    ) -> Result<(), E> {
        // The counters as `requeue` leaves them: only a died process spends an attempt.
        let (mut attempts, mut resends) = (i64::from(row.attempts), i64::from(row.resends));
        if from == ExecutionStatus::Running {
            attempts += 1;
        } else {
            resends += 1;
        }
        lifecycle::requeue(&mut tx, tenant, id, from, next, self.clock.now_ms()).await?;
        let key = reap_key(id, attempts, resends);
        let job = match (next, row.wait_till) {
            (ExecutionStatus::New, _) => {
                Some(execution_job(&ExecuteJob { execution: id }, tenant, key))
            }
            (_, Some(till)) => {
                Some(execution_job(&ResumeJob { execution: id }, tenant, key).run_at(till))
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
        tracing::info!(execution = %id, from = %from, to = %next, attempts, resends, "enqueued a stalled execution again");
        Ok(())
    }

    /// Fails a stalled execution for good, and tells the notifier in the same transaction
    /// (a failure the reaper records is announced once).
    async fn fail_stalled(
        &self,
        mut tx: TenantTx,
        tenant: TenantId,
        id: ExecutionId,
        from: ExecutionStatus,
        row: &StalledRow,
    ) -> Result<(), E> {
        let now = self.clock.now_ms();
        let message = if from == ExecutionStatus::Running {
            "the process running this execution stopped before it finished"
        } else {
            "the execution could not be started"
        };
        lifecycle::fail_stalled(&mut tx, tenant, id, from, message, now).await?;
        let announced = if row.mode == ExecutionMode::Manual {
            None
        } else {
            let event = agente_notify::Event::execution_failed(
                &id.to_string(),
                &row.workflow_id,
                row.workflow_name.as_deref().unwrap_or(&row.workflow_id),
                row.mode.as_str(),
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
        Ok(())
    }
}

async fn stalled_row(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: ExecutionId,
    status: ExecutionStatus,
) -> Result<Option<StalledRow>, E> {
    let row = query(
        "SELECT resume_state, attempts, resends, wait_till, COALESCE(heartbeat_at, started_at) AS beat, workflow_id, mode, \
         (SELECT w.name FROM workflows w WHERE w.id = e.workflow_id AND w.tenant_id = e.tenant_id) AS workflow_name \
         FROM executions e WHERE id = $1 AND tenant_id = $2 AND status = $3",
    )
    .bind(id.to_string())
    .bind(tenant.to_string())
    .bind(status.as_str())
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(StalledRow::from_row).transpose()?)
}
