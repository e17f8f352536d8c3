//! The one queue API over both backends: the SQL database (the embedded default) and Redis
//! (`REDIS_URL`). Workers, the scheduler and the services use `Queue` and do not know which.

use crate::QueueError;
use crate::firings::Firing;
use crate::job::{DeadJob, Lease, NewJob, QueueStats, TenantLoad};
use crate::redis_queue::RedisQueue;
use crate::sql::{DeadJobs, Scope, SqlQueue, enqueue_in};
use agente_core::TenantId;
use agente_store::sqlx::AnyConnection;

/// The job queue on the backend the deployment configured.
#[derive(Clone)]
pub enum Queue {
    Sql(SqlQueue),
    Redis(RedisQueue),
}

/// A job staged by a transaction: already in it (SQL), or to send once it has committed
/// (Redis). Hand it to [`Queue::publish`] after the commit.
#[must_use = "publish it once the transaction has committed"]
pub struct Staged(Option<NewJob>);

impl Queue {
    /// Claims no job of a tenant that already has `limit` running in that queue, across
    /// all workers (0: no limit). Jobs without a tenant are not limited.
    pub fn with_tenant_concurrency(self, limit: u32) -> Self {
        match self {
            Queue::Sql(q) => Queue::Sql(q.with_tenant_concurrency(limit)),
            Queue::Redis(q) => Queue::Redis(q.with_tenant_concurrency(limit)),
        }
    }

    pub fn now_ms(&self) -> i64 {
        match self {
            Queue::Sql(q) => q.now_ms(),
            Queue::Redis(q) => q.now_ms(),
        }
    }

    /// Enqueues a job; with an idempotency key already used, answers the existing job's id.
    pub async fn enqueue(&self, job: NewJob) -> Result<String, QueueError> {
        match self {
            Queue::Sql(q) => q.enqueue(job).await,
            Queue::Redis(q) => q.enqueue(job).await,
        }
    }

    /// Stages `job` with the caller's transaction, so it is enqueued exactly when the
    /// caller's rows commit — in the same transaction on SQL. On Redis it is sent by
    /// `publish` after the commit; if that send is lost (a crash between the two, Redis
    /// losing its contents), the rows the transaction wrote are what the executions' reaper
    /// enqueues again from.
    pub async fn stage(&self, conn: &mut AnyConnection, job: NewJob) -> Result<Staged, QueueError> {
        match self {
            Queue::Sql(q) => {
                enqueue_in(conn, q.now_ms(), &job).await?;
                Ok(Staged(None))
            }
            Queue::Redis(_) => {
                job.check()?;
                Ok(Staged(Some(job)))
            }
        }
    }

    /// Sends a staged job (Redis) once its transaction has committed. A failure is logged,
    /// not returned: the transaction stands and the reaper restores the work.
    pub async fn publish(&self, staged: Staged) {
        let (Queue::Redis(q), Some(job)) = (self, staged.0) else {
            return;
        };
        let kind = job.kind.clone();
        if let Err(e) = q.enqueue(job).await {
            tracing::warn!(error = %e, kind, "could not send a job to Redis; the reaper will enqueue its work again");
        }
    }

    /// Whether a job enqueued under any of these idempotency keys still waits or runs (not
    /// done, dead or lost): the executions' reaper asks before sending a job again.
    pub async fn any_pending(&self, keys: &[String]) -> Result<bool, QueueError> {
        for key in keys {
            let pending = match self {
                Queue::Sql(q) => q.is_pending(key).await?,
                Queue::Redis(q) => q.is_pending(key).await?,
            };
            if pending {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// How many claims one worker keeps on their way at once: two on Redis (a claim is a
    /// round trip; the next batch is asked for while one travels), one on SQL (claims
    /// there are row locks in one database, which overlapping ones would only contend for).
    pub fn claims_in_flight(&self) -> usize {
        match self {
            Queue::Sql(_) => 1,
            Queue::Redis(_) => 2,
        }
    }

    /// Claims up to `max` due jobs from the first of `queues` that has any.
    pub async fn claim(
        &self,
        queues: &[String],
        worker: &str,
        lease_ms: u64,
        max: usize,
    ) -> Result<Vec<Lease>, QueueError> {
        match self {
            Queue::Sql(q) => {
                let mut leases = Vec::new();
                while leases.len() < max {
                    match q.claim(queues, worker, lease_ms).await? {
                        Some(lease) => leases.push(lease),
                        None => break,
                    }
                }
                Ok(leases)
            }
            Queue::Redis(q) => q.claim(queues, worker, lease_ms, max).await,
        }
    }

    /// Extends the lease. `false`: the lease was lost and the job is no longer this
    /// holder's to finish.
    pub async fn heartbeat(&self, lease: &Lease, lease_ms: u64) -> Result<bool, QueueError> {
        match self {
            Queue::Sql(q) => q.heartbeat(lease, lease_ms).await,
            Queue::Redis(q) => q.heartbeat(lease, lease_ms).await,
        }
    }

    /// Marks the job done. `false` when the lease had been lost.
    pub async fn complete(&self, lease: &Lease) -> Result<bool, QueueError> {
        match self {
            Queue::Sql(q) => q.complete(lease).await,
            Queue::Redis(q) => q.complete(lease).await,
        }
    }

    /// Records a failed attempt: due again after `retry_in_ms`, or dead when that is `None`
    /// or the attempts are used up.
    pub async fn fail(
        &self,
        lease: &Lease,
        error: &str,
        retry_in_ms: Option<u64>,
    ) -> Result<bool, QueueError> {
        match self {
            Queue::Sql(q) => q.fail(lease, error, retry_in_ms).await,
            Queue::Redis(q) => q.fail(lease, error, retry_in_ms).await,
        }
    }

    /// Hands a claimed job back untouched (graceful shutdown): the attempt does not count.
    pub async fn release(&self, lease: &Lease) -> Result<bool, QueueError> {
        match self {
            Queue::Sql(q) => q.release(lease).await,
            Queue::Redis(q) => q.release(lease).await,
        }
    }

    /// Returns jobs whose lease expired to their queue (or the dead letters). Answers how many.
    pub async fn reap(&self) -> Result<u64, QueueError> {
        match self {
            Queue::Sql(q) => q.reap().await,
            Queue::Redis(q) => q.reap().await,
        }
    }

    /// Gives `tenant` its own cap on running jobs per queue (its plan's) in place of the
    /// queue's; `None`: the queue's again. 0: no cap.
    pub async fn set_tenant_concurrency(
        &self,
        tenant: TenantId,
        limit: Option<u32>,
    ) -> Result<(), QueueError> {
        match self {
            Queue::Sql(q) => q.set_tenant_concurrency(tenant, limit).await,
            Queue::Redis(q) => q.set_tenant_concurrency(tenant, limit).await,
        }
    }

    /// `tenant`'s own cap, if it has one.
    pub async fn tenant_concurrency(&self, tenant: TenantId) -> Result<Option<u32>, QueueError> {
        match self {
            Queue::Sql(q) => q.tenant_concurrency(tenant).await,
            Queue::Redis(q) => q.tenant_concurrency(tenant).await,
        }
    }

    /// Dead-lettered jobs in `scope`, newest first; of one queue when given.
    pub async fn dead_jobs(
        &self,
        scope: Scope,
        queue: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeadJob>, QueueError> {
        match self {
            Queue::Sql(q) => q.dead_jobs(scope, queue, limit).await,
            Queue::Redis(q) => q.dead_jobs(scope, queue, limit).await,
        }
    }

    /// Puts a dead job of `scope` back with fresh attempts. `false`: no such dead job.
    pub async fn retry_dead(&self, scope: Scope, id: &str) -> Result<bool, QueueError> {
        match self {
            Queue::Sql(q) => q.retry_dead(scope, id).await,
            Queue::Redis(q) => q.retry_dead(scope, id).await,
        }
    }

    /// Deletes dead jobs of `scope`. Answers how many.
    pub async fn purge_dead(&self, scope: Scope, which: DeadJobs<'_>) -> Result<u64, QueueError> {
        match self {
            Queue::Sql(q) => q.purge_dead(scope, which).await,
            Queue::Redis(q) => q.purge_dead(scope, which).await,
        }
    }

    /// Forgets finished jobs older than `before_ms` (Redis drops them itself: 0).
    pub async fn prune_done(&self, before_ms: i64) -> Result<u64, QueueError> {
        match self {
            Queue::Sql(q) => q.prune_done(before_ms).await,
            Queue::Redis(_) => Ok(0),
        }
    }

    /// The `limit` busiest tenants per queue.
    pub async fn tenant_load(&self, limit: i64) -> Result<Vec<TenantLoad>, QueueError> {
        match self {
            Queue::Sql(q) => q.tenant_load(limit).await,
            Queue::Redis(q) => q.tenant_load(limit).await,
        }
    }

    /// Per-queue figures: depth, age of the oldest due job, running, dead.
    pub async fn stats(&self) -> Result<Vec<QueueStats>, QueueError> {
        match self {
            Queue::Sql(q) => q.stats().await,
            Queue::Redis(q) => q.stats().await,
        }
    }

    /// The latest firings of every schedule `owner` registered, newest first.
    pub async fn schedule_history(
        &self,
        owner: &str,
        limit: u32,
    ) -> Result<Vec<Firing>, QueueError> {
        match self {
            Queue::Sql(q) => q.owner_history(owner, limit).await,
            Queue::Redis(q) => q.owner_history(owner, limit).await,
        }
    }
}

impl From<SqlQueue> for Queue {
    fn from(q: SqlQueue) -> Self {
        Queue::Sql(q)
    }
}

impl From<RedisQueue> for Queue {
    fn from(q: RedisQueue) -> Self {
        Queue::Redis(q)
    }
}
