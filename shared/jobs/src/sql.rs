//! The embedded queue: jobs are rows of the application database (SQLite by default,
//! Postgres when configured), so a job can be enqueued in the same transaction as the row
//! that asked for it.
//!
//! A claim takes, in one transaction: the highest priority with a due job, then among the
//! tenants with a due job at that priority the one served least recently (`job_tenants`),
//! then that tenant's oldest due job — locked with `FOR UPDATE SKIP LOCKED` on Postgres so
//! concurrent workers pass each other instead of queueing. A claim is a lease: its holder
//! heartbeats to extend it; `reap` hands expired leases back (or to the dead letters when
//! the attempts are used up), which is how a killed worker's jobs come back.

use crate::QueueError;
use crate::job::{DeadJob, Job, Lease, NewJob, QueueStats, TenantLoad};
use crate::system_tx::{execute_alone, fetch_alone, store};
use agente_core::{Clock, TenantId};
use agente_store::sqlx::{self, AnyConnection};
use agente_store::{AnyRow, Backend, Db, Row};
use std::sync::Arc;

/// Whose jobs an operation may see and touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every tenant's and the system's (operators).
    All,
    /// One tenant's only.
    Tenant(TenantId),
}

impl Scope {
    /// Bound as `$n` in `($n = '*' OR tenant_key = $n)`.
    pub(crate) fn key(self) -> String {
        match self {
            Scope::All => "*".into(),
            Scope::Tenant(t) => t.to_string(),
        }
    }
}

/// Which dead jobs to purge.
#[derive(Clone, Copy, Debug)]
pub enum DeadJobs<'a> {
    One(&'a str),
    All { queue: Option<&'a str> },
}

/// The job queue kept in the SQL database.
#[derive(Clone)]
pub struct SqlQueue {
    db: Db,
    clock: Arc<dyn Clock>,
    /// At most this many running jobs per tenant and queue (0: no limit).
    tenant_concurrency: i64,
}

/// The error recorded on a job whose lease ran out.
pub(crate) const LEASE_EXPIRED: &str = "the worker stopped renewing its lease (it died or stalled)";

const JOB_COLUMNS: &str =
    "id, kind, queue, tenant_key, payload, priority, attempt, max_attempts, timeout_ms";

impl SqlQueue {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            clock,
            tenant_concurrency: 0,
        }
    }

    /// Claims no job of a tenant that already has `limit` running in that queue, so one
    /// tenant's burst cannot occupy every worker (0: no limit). Jobs without a tenant are
    /// not limited.
    pub fn with_tenant_concurrency(mut self, limit: u32) -> Self {
        self.tenant_concurrency = i64::from(limit);
        self
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Sets `tenant`'s own cap on its running jobs per queue (its plan's), in place of the
    /// queue's; `None` gives it the queue's again. 0: no cap.
    pub async fn set_tenant_concurrency(
        &self,
        tenant: TenantId,
        limit: Option<u32>,
    ) -> Result<(), QueueError> {
        let key = tenant.to_string();
        let statement = match limit {
            Some(n) => sqlx::query(
                "INSERT INTO job_tenant_caps (tenant_key, concurrency, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (tenant_key) DO UPDATE SET concurrency = excluded.concurrency, updated_at = excluded.updated_at",
            )
            .bind(key)
            .bind(i64::from(n))
            .bind(self.clock.now_ms()),
            None => sqlx::query("DELETE FROM job_tenant_caps WHERE tenant_key = $1").bind(key),
        };
        execute_alone(&self.db, statement).await.map(|_| ())
    }

    /// `tenant`'s own cap, if it has one.
    pub async fn tenant_concurrency(&self, tenant: TenantId) -> Result<Option<u32>, QueueError> {
        let rows = fetch_alone(
            &self.db,
            sqlx::query("SELECT concurrency FROM job_tenant_caps WHERE tenant_key = $1")
                .bind(tenant.to_string()),
        )
        .await?;
        match rows.first() {
            Some(row) => Ok(Some(
                row.try_get::<i64, _>("concurrency")
                    .map_err(store)?
                    .clamp(0, u32::MAX.into()) as u32,
            )),
            None => Ok(None),
        }
    }

    /// Enqueues a job; with an idempotency key already used, answers the existing job's id.
    pub async fn enqueue(&self, job: NewJob) -> Result<String, QueueError> {
        let mut tx = self.db.system_tx().await?;
        let id = enqueue_in(&mut tx, self.clock.now_ms(), &job).await?;
        tx.commit().await.map_err(agente_store::StoreError::from)?;
        Ok(id)
    }

    /// Claims the next job of the first of `queues` that has one due.
    pub async fn claim(
        &self,
        queues: &[String],
        worker: &str,
        lease_ms: u64,
    ) -> Result<Option<Lease>, QueueError> {
        for queue in queues {
            if let Some(lease) = self.claim_from(queue, worker, lease_ms).await? {
                return Ok(Some(lease));
            }
        }
        Ok(None)
    }

    async fn claim_from(
        &self,
        queue: &str,
        worker: &str,
        lease_ms: u64,
    ) -> Result<Option<Lease>, QueueError> {
        let now = self.clock.now_ms();
        let mut tx = self.db.system_tx().await?;
        let priority: Option<i64> = sqlx::query(&format!(
            "SELECT MAX(priority) FROM jobs WHERE queue = $1 AND state = 'ready' AND run_at <= $2 {}",
            below_limit("jobs.tenant_key")
        ))
        .bind(queue)
        .bind(now)
        .bind(self.tenant_concurrency)
        .fetch_one(&mut *tx)
        .await
        .map_err(store)?
        .try_get(0)
        .map_err(store)?;
        let Some(priority) = priority else {
            return Ok(None);
        };
        let tenant: Option<String> = scalar(
            &mut tx,
            sqlx::query(&format!(
                "SELECT t.tenant_key FROM job_tenants t WHERE t.queue = $1 AND EXISTS ( \
                 SELECT 1 FROM jobs j WHERE j.queue = t.queue AND j.state = 'ready' \
                 AND j.priority = $4 AND j.tenant_key = t.tenant_key AND j.run_at <= $2) \
                 {} ORDER BY t.served_at, t.tenant_key LIMIT 1",
                below_limit("t.tenant_key")
            ))
            .bind(queue)
            .bind(now)
            .bind(self.tenant_concurrency)
            .bind(priority),
        )
        .await?;
        let Some(tenant) = tenant else {
            return Ok(None);
        };
        let lock = match self.db.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            // SQLite: the transaction holds the database's write lock already.
            Backend::Sqlite => "",
        };
        let sql = format!(
            "SELECT id FROM jobs WHERE queue = $1 AND state = 'ready' AND priority = $2 \
             AND tenant_key = $3 AND run_at <= $4 ORDER BY run_at, id LIMIT 1{lock}"
        );
        let id: Option<String> = scalar(
            &mut tx,
            sqlx::query(&sql)
                .bind(queue)
                .bind(priority)
                .bind(&tenant)
                .bind(now),
        )
        .await?;
        let Some(id) = id else {
            // Every due job of that tenant is being claimed by someone else right now.
            return Ok(None);
        };
        let token = uuid::Uuid::new_v4().simple().to_string();
        let row = sqlx::query(&format!(
            "UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_token = $1, \
             lease_until = $2, worker = $3, started_at = $5 WHERE id = $4 AND state = 'ready' \
             RETURNING {JOB_COLUMNS}"
        ))
        .bind(&token)
        .bind(now + lease_ms as i64)
        .bind(worker)
        .bind(&id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(store)?;
        let Some(row) = row else {
            return Ok(None);
        };
        sqlx::query("UPDATE job_tenants SET served_at = $1 WHERE queue = $2 AND tenant_key = $3")
            .bind(now)
            .bind(queue)
            .bind(&tenant)
            .execute(&mut *tx)
            .await
            .map_err(store)?;
        let job = job_of(&row)?;
        tx.commit().await.map_err(store)?;
        Ok(Some(Lease {
            job,
            token,
            history: false,
        }))
    }

    /// Extends the lease. `false`: the lease was lost (reaped after a stall) and the job is
    /// no longer this holder's to finish.
    pub async fn heartbeat(&self, lease: &Lease, lease_ms: u64) -> Result<bool, QueueError> {
        self.update_leased(
            lease,
            "UPDATE jobs SET lease_until = $3 WHERE id = $1 AND lease_token = $2 AND state = 'running'",
            self.clock.now_ms() + lease_ms as i64,
            None,
        )
        .await
    }

    /// Marks the job done. `false` when the lease had been lost.
    pub async fn complete(&self, lease: &Lease) -> Result<bool, QueueError> {
        self.update_leased(
            lease,
            "UPDATE jobs SET state = 'done', finished_at = $3, lease_token = NULL, lease_until = NULL \
             WHERE id = $1 AND lease_token = $2 AND state = 'running'",
            self.clock.now_ms(),
            None,
        )
        .await
    }

    /// Records a failed attempt: back to `ready` after `retry_in_ms`, or to the dead letters
    /// when that is `None` or the attempts are used up.
    pub async fn fail(
        &self,
        lease: &Lease,
        error: &str,
        retry_in_ms: Option<u64>,
    ) -> Result<bool, QueueError> {
        let now = self.clock.now_ms();
        let error = truncate(error);
        match retry_in_ms.filter(|_| lease.job.attempt < lease.job.max_attempts) {
            Some(delay) => {
                self.update_leased(
                    lease,
                    "UPDATE jobs SET state = 'ready', run_at = $3, last_error = $4, lease_token = NULL, \
                     lease_until = NULL WHERE id = $1 AND lease_token = $2 AND state = 'running'",
                    now + delay as i64,
                    Some(error),
                )
                .await
            }
            None => {
                self.update_leased(
                    lease,
                    "UPDATE jobs SET state = 'dead', finished_at = $3, last_error = $4, lease_token = NULL, \
                     lease_until = NULL WHERE id = $1 AND lease_token = $2 AND state = 'running'",
                    now,
                    Some(error),
                )
                .await
            }
        }
    }

    /// Hands a claimed job back untouched (graceful shutdown): the attempt does not count.
    pub async fn release(&self, lease: &Lease) -> Result<bool, QueueError> {
        self.update_leased(
            lease,
            "UPDATE jobs SET state = 'ready', attempt = attempt - 1, run_at = $3, lease_token = NULL, \
             lease_until = NULL WHERE id = $1 AND lease_token = $2 AND state = 'running'",
            self.clock.now_ms(),
            None,
        )
        .await
    }

    async fn update_leased(
        &self,
        lease: &Lease,
        sql: &str,
        at: i64,
        error: Option<&str>,
    ) -> Result<bool, QueueError> {
        let mut q = sqlx::query(sql)
            .bind(&lease.job.id)
            .bind(&lease.token)
            .bind(at);
        if let Some(error) = error {
            q = q.bind(error);
        }
        Ok(execute_alone(&self.db, q).await? == 1)
    }

    /// Returns jobs whose lease expired (their worker died or stalled) to the queue, or to
    /// the dead letters when their attempts are used up. Answers how many.
    pub async fn reap(&self) -> Result<u64, QueueError> {
        let now = self.clock.now_ms();
        let reaped = sqlx::query(
            "UPDATE jobs SET \
               state = CASE WHEN attempt >= max_attempts THEN 'dead' ELSE 'ready' END, \
               finished_at = CASE WHEN attempt >= max_attempts THEN $1 ELSE NULL END, \
               last_error = $2, \
               run_at = $1, lease_token = NULL, lease_until = NULL \
             WHERE state = 'running' AND lease_until < $1",
        )
        .bind(now)
        .bind(LEASE_EXPIRED);
        execute_alone(&self.db, reaped).await
    }

    /// Dead-lettered jobs in `scope`, newest first; of one queue when given.
    pub async fn dead_jobs(
        &self,
        scope: Scope,
        queue: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeadJob>, QueueError> {
        let rows = fetch_alone(
            &self.db,
            sqlx::query(
                "SELECT id, kind, queue, tenant_key, payload, attempt, last_error, finished_at FROM jobs \
                 WHERE state = 'dead' AND ($1 = '' OR queue = $1) AND ($3 = '*' OR tenant_key = $3) \
                 ORDER BY finished_at DESC, id LIMIT $2",
            )
            .bind(queue.unwrap_or_default())
            .bind(i64::from(limit.min(1_000)))
            .bind(scope.key()),
        )
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DeadJob {
                    id: r.try_get("id").map_err(store)?,
                    kind: r.try_get("kind").map_err(store)?,
                    queue: r.try_get("queue").map_err(store)?,
                    tenant: tenant_of(&r.try_get::<String, _>("tenant_key").map_err(store)?),
                    payload: payload_of(&r.try_get::<String, _>("payload").map_err(store)?)?,
                    attempts: r.try_get::<i64, _>("attempt").map_err(store)? as u32,
                    error: r.try_get("last_error").map_err(store)?,
                    failed_at: r.try_get("finished_at").map_err(store)?,
                })
            })
            .collect()
    }

    /// Puts a dead job of `scope` back in its queue with fresh attempts. `false`: no such
    /// dead job there.
    pub async fn retry_dead(&self, scope: Scope, id: &str) -> Result<bool, QueueError> {
        let retry = sqlx::query(
            "UPDATE jobs SET state = 'ready', attempt = 0, run_at = $2, finished_at = NULL \
             WHERE id = $1 AND state = 'dead' AND ($3 = '*' OR tenant_key = $3)",
        )
        .bind(id)
        .bind(self.clock.now_ms())
        .bind(scope.key());
        Ok(execute_alone(&self.db, retry).await? == 1)
    }

    /// Deletes the dead jobs of `scope`: one by id, or all (of one queue when given).
    /// Answers how many.
    pub async fn purge_dead(&self, scope: Scope, which: DeadJobs<'_>) -> Result<u64, QueueError> {
        let (queue, id) = match which {
            DeadJobs::One(id) => ("", id),
            DeadJobs::All { queue } => (queue.unwrap_or_default(), ""),
        };
        let purge = sqlx::query(
            "DELETE FROM jobs WHERE state = 'dead' AND ($1 = '' OR queue = $1) \
             AND ($2 = '' OR id = $2) AND ($3 = '*' OR tenant_key = $3)",
        )
        .bind(queue)
        .bind(id)
        .bind(scope.key());
        execute_alone(&self.db, purge).await
    }

    /// Whether the job enqueued under idempotency key `key` waits or runs.
    pub async fn is_pending(&self, key: &str) -> Result<bool, QueueError> {
        let rows = fetch_alone(
            &self.db,
            sqlx::query(
                "SELECT id FROM jobs WHERE idempotency_key = $1 AND state IN ('ready', 'running')",
            )
            .bind(key),
        )
        .await?;
        Ok(!rows.is_empty())
    }

    /// The latest firings of every schedule `owner` registered, newest first.
    pub async fn owner_history(
        &self,
        owner: &str,
        limit: u32,
    ) -> Result<Vec<crate::firings::Firing>, QueueError> {
        crate::firings::owner_history(&self.db, owner, limit).await
    }

    /// Forgets finished jobs older than `before_ms` (their idempotency keys with them).
    pub async fn prune_done(&self, before_ms: i64) -> Result<u64, QueueError> {
        let prune = sqlx::query("DELETE FROM jobs WHERE state = 'done' AND finished_at < $1")
            .bind(before_ms);
        execute_alone(&self.db, prune).await
    }

    /// The `limit` tenants with the most due and running jobs, per queue, busiest first: the
    /// per-tenant load an operator or autoscaler looks at (bounded, so metrics stay small).
    pub async fn tenant_load(&self, limit: i64) -> Result<Vec<TenantLoad>, QueueError> {
        let now = self.clock.now_ms();
        let rows = fetch_alone(
            &self.db,
            sqlx::query(
                "SELECT queue, tenant_key, \
                   SUM(CASE WHEN state = 'ready' AND run_at <= $1 THEN 1 ELSE 0 END) AS ready, \
                   SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END) AS running \
                 FROM jobs WHERE tenant_key <> '' AND state IN ('ready', 'running') \
                 GROUP BY queue, tenant_key \
                 HAVING SUM(CASE WHEN state = 'running' OR run_at <= $1 THEN 1 ELSE 0 END) > 0 \
                 ORDER BY SUM(CASE WHEN state = 'running' OR run_at <= $1 THEN 1 ELSE 0 END) DESC, tenant_key \
                 LIMIT $2",
            )
            .bind(now)
            .bind(limit),
        )
        .await?;
        rows.iter()
            .map(|r| {
                let tenant: String = r.try_get("tenant_key").map_err(store)?;
                Ok(TenantLoad {
                    queue: r.try_get("queue").map_err(store)?,
                    tenant: agente_store::parse_id(&tenant).map_err(QueueError::Store)?,
                    ready: count(r, "ready")?,
                    running: count(r, "running")?,
                })
            })
            .collect()
    }

    /// Per-queue figures (depth, age of the oldest due job, running, dead) of every queue
    /// that has jobs, finished ones included (so a drained queue reads zero, not nothing).
    pub async fn stats(&self) -> Result<Vec<QueueStats>, QueueError> {
        let now = self.clock.now_ms();
        let rows = fetch_alone(
            &self.db,
            sqlx::query(
                "SELECT queue, \
                   SUM(CASE WHEN state = 'ready' AND run_at <= $1 THEN 1 ELSE 0 END) AS ready, \
                   SUM(CASE WHEN state = 'ready' AND run_at > $1 THEN 1 ELSE 0 END) AS scheduled, \
                   SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END) AS running, \
                   SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END) AS dead, \
                   MIN(CASE WHEN state = 'ready' AND run_at <= $1 THEN run_at END) AS oldest \
                 FROM jobs GROUP BY queue ORDER BY queue",
            )
            .bind(now),
        )
        .await?;
        rows.iter()
            .map(|r| {
                let oldest: Option<i64> = r.try_get("oldest").map_err(store)?;
                Ok(QueueStats {
                    queue: r.try_get("queue").map_err(store)?,
                    ready: count(r, "ready")?,
                    scheduled: count(r, "scheduled")?,
                    running: count(r, "running")?,
                    dead: count(r, "dead")?,
                    oldest_ready_ms: oldest.map_or(0, |t| (now - t).max(0)),
                })
            })
            .collect()
    }
}

/// A condition that passes over tenants at their concurrency cap in queue `$1` — their own
/// (`job_tenant_caps`) or else the queue's (`$3`); 0 is no cap — for the tenant column
/// `column`. Jobs without a tenant are never limited.
fn below_limit(column: &str) -> String {
    // Without any cap (the usual embedded case) nothing is counted.
    format!(
        "AND ({column} = '' OR ($3 = 0 AND NOT EXISTS (SELECT 1 FROM job_tenant_caps)) \
         OR NOT EXISTS ( \
         SELECT 1 FROM jobs r LEFT JOIN job_tenant_caps c ON c.tenant_key = r.tenant_key \
         WHERE r.queue = $1 AND r.state = 'running' AND r.tenant_key = {column} \
         GROUP BY r.tenant_key, c.concurrency \
         HAVING COALESCE(c.concurrency, $3) > 0 AND COUNT(*) >= COALESCE(c.concurrency, $3)))"
    )
}

/// Enqueues inside the caller's transaction, so the job exists exactly when the caller's
/// own rows do (an execution recorded `queued` and its job). Answers the job id; with an
/// idempotency key already used, the existing job's id.
pub(crate) async fn enqueue_in(
    conn: &mut AnyConnection,
    now_ms: i64,
    job: &NewJob,
) -> Result<String, QueueError> {
    let payload = job.check()?;
    let tenant_key = job.tenant.map(|t| t.to_string()).unwrap_or_default();
    if let Some(key) = &job.idempotency_key {
        let existing: Option<String> =
            sqlx::query("SELECT id FROM jobs WHERE idempotency_key = $1")
                .bind(key)
                .fetch_optional(&mut *conn)
                .await
                .map_err(store)?
                .map(|r| r.try_get(0))
                .transpose()
                .map_err(store)?;
        if let Some(id) = existing {
            return Ok(id);
        }
    }
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO jobs (id, queue, kind, tenant_key, payload, priority, state, run_at, \
         max_attempts, timeout_ms, idempotency_key, created_at, schedule_id) \
         VALUES ($1, $2, $3, $4, $5, $6, 'ready', $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(&job.queue)
    .bind(&job.kind)
    .bind(&tenant_key)
    .bind(&payload)
    .bind(i64::from(job.priority))
    .bind(job.run_at.unwrap_or(now_ms))
    .bind(i64::from(job.max_attempts))
    .bind(job.timeout_ms as i64)
    .bind(job.idempotency_key.as_deref())
    .bind(now_ms)
    .bind(job.schedule_id.as_deref())
    .execute(&mut *conn)
    .await
    .map_err(|e| match agente_store::StoreError::from(e) {
        // Two enqueues with one key raced: the other one's job stands.
        agente_store::StoreError::Conflict(_) => QueueError::Duplicate,
        other => QueueError::Store(other),
    })?;
    sqlx::query(
        "INSERT INTO job_tenants (queue, tenant_key, served_at) VALUES ($1, $2, 0) \
         ON CONFLICT (queue, tenant_key) DO NOTHING",
    )
    .bind(&job.queue)
    .bind(&tenant_key)
    .execute(&mut *conn)
    .await
    .map_err(store)?;
    Ok(id)
}

fn job_of(row: &AnyRow) -> Result<Job, QueueError> {
    Ok(Job {
        id: row.try_get("id").map_err(store)?,
        kind: row.try_get("kind").map_err(store)?,
        queue: row.try_get("queue").map_err(store)?,
        tenant: tenant_of(&row.try_get::<String, _>("tenant_key").map_err(store)?),
        payload: payload_of(&row.try_get::<String, _>("payload").map_err(store)?)?,
        priority: row.try_get::<i64, _>("priority").map_err(store)? as i16,
        attempt: row.try_get::<i64, _>("attempt").map_err(store)? as u32,
        max_attempts: row.try_get::<i64, _>("max_attempts").map_err(store)? as u32,
        timeout_ms: row.try_get::<i64, _>("timeout_ms").map_err(store)? as u64,
    })
}

fn tenant_of(key: &str) -> Option<TenantId> {
    key.parse().ok()
}

pub(crate) fn payload_of(text: &str) -> Result<serde_json::Value, QueueError> {
    serde_json::from_str(text).map_err(|e| {
        QueueError::Store(agente_store::StoreError::Corrupt(format!(
            "job payload: {e}"
        )))
    })
}

/// Error texts are kept short: they are for operators, not a log.
pub(crate) fn truncate(error: &str) -> &str {
    match error.char_indices().nth(2_000) {
        Some((at, _)) => &error[..at],
        None => error,
    }
}

/// A `SUM(…)` column as a count (NULL, for no rows, is 0).
fn count(row: &AnyRow, column: &str) -> Result<u64, QueueError> {
    Ok(row
        .try_get::<Option<i64>, _>(column)
        .map_err(store)?
        .unwrap_or(0) as u64)
}

/// The first column of the statement's row, if there is a row.
async fn scalar<'q, T>(
    conn: &mut AnyConnection,
    statement: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
) -> Result<Option<T>, QueueError>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    statement
        .fetch_optional(conn)
        .await
        .map_err(store)?
        .map(|r| r.try_get(0))
        .transpose()
        .map_err(store)
}
