//! The Redis queue: the same semantics as the SQL queue, for deployments that scale workers
//! out over one Redis (`REDIS_URL`).
//!
//! Every operation is one Lua script, so each is atomic and one round trip. Jobs are hashes;
//! due jobs sit in a sorted set per queue and tenant (priority, then first in first out), and
//! a sorted set of tenants per queue picks the tenant to serve next: the highest priority,
//! then the one served least recently — the same fairness as the SQL claim. Running jobs
//! hold a lease in a sorted set by expiry, renewed by heartbeats; `reap` hands expired
//! leases back. Streams with consumer groups were the first idea, but a stream is one FIFO:
//! per-tenant fairness, priorities and a per-tenant cap need ordered sets, and a lease set
//! reclaims orphans across all queues in one range read where `XAUTOCLAIM` would scan every
//! stream's pending list.
//!
//! Redis is the transport, not the truth (DESIGN.md §3): work recorded in the database
//! (executions) is restored by the executions' reaper if Redis loses its contents.

use crate::QueueError;
use crate::firings::Firing;
use crate::job::{DeadJob, Job, Lease, NewJob, QueueStats, TenantLoad};
use crate::sql::{DeadJobs, Scope};
use agente_core::{Clock, TenantId};
use redis::aio::ConnectionManager;
use settler::{Outcome, Settler};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, OnceLock};

mod settler;

/// How long an idempotency key answers its job (as the SQL queue keeps finished jobs a day).
const IDEMPOTENCY_TTL_S: u64 = 24 * 3_600;
/// How long a schedule's finished firings stay for its history.
const HISTORY_TTL_S: u64 = 7 * 24 * 3_600;

pub(super) struct Scripts {
    enqueue: redis::Script,
    claim: redis::Script,
    pub(super) settle: redis::Script,
    reap: redis::Script,
    dead: redis::Script,
    stats: redis::Script,
    pending: redis::Script,
}

macro_rules! script {
    ($file:literal) => {
        redis::Script::new(concat!(include_str!("common.lua"), include_str!($file)))
    };
}

pub(super) static SCRIPTS: LazyLock<Scripts> = LazyLock::new(|| Scripts {
    enqueue: script!("enqueue.lua"),
    claim: script!("claim.lua"),
    settle: script!("settle.lua"),
    reap: script!("reap.lua"),
    dead: script!("dead.lua"),
    stats: script!("stats.lua"),
    pending: script!("pending.lua"),
});

/// The job queue kept in Redis.
#[derive(Clone)]
pub struct RedisQueue {
    conn: ConnectionManager,
    clock: Arc<dyn Clock>,
    /// Starts every key: deployments (and tests) sharing one Redis keep apart by it. In
    /// braces, so Redis Cluster keeps all of one deployment's keys in one slot.
    prefix: String,
    tenant_concurrency: u32,
    /// Started on first use (it needs the runtime), shared by clones.
    settler: Arc<OnceLock<Settler>>,
}

/// A claimed job as the claim script answers it.
type ClaimedRow = (
    String,
    String,
    String,
    String,
    i64,
    u32,
    u32,
    u64,
    String,
    String,
);

impl RedisQueue {
    /// A queue under the key prefix `{<namespace>}:jobs:`.
    pub fn new(conn: ConnectionManager, clock: Arc<dyn Clock>, namespace: &str) -> Self {
        Self {
            conn,
            clock,
            prefix: format!("{{{namespace}}}:jobs:"),
            tenant_concurrency: 0,
            settler: Arc::default(),
        }
    }

    /// As `SqlQueue::with_tenant_concurrency`.
    pub fn with_tenant_concurrency(mut self, limit: u32) -> Self {
        self.tenant_concurrency = limit;
        self
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// As `SqlQueue::set_tenant_concurrency` (kept in the hash `caps`).
    pub async fn set_tenant_concurrency(
        &self,
        tenant: TenantId,
        limit: Option<u32>,
    ) -> Result<(), QueueError> {
        let key = format!("{}caps", self.prefix);
        let command = match limit {
            Some(n) => {
                let mut c = redis::cmd("HSET");
                c.arg(key).arg(tenant.to_string()).arg(n);
                c
            }
            None => {
                let mut c = redis::cmd("HDEL");
                c.arg(key).arg(tenant.to_string());
                c
            }
        };
        let _: i64 = command.query_async(&mut self.conn.clone()).await?;
        Ok(())
    }

    /// As `SqlQueue::tenant_concurrency`.
    pub async fn tenant_concurrency(&self, tenant: TenantId) -> Result<Option<u32>, QueueError> {
        let cap: Option<u32> = redis::cmd("HGET")
            .arg(format!("{}caps", self.prefix))
            .arg(tenant.to_string())
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(cap)
    }

    pub async fn enqueue(&self, job: NewJob) -> Result<String, QueueError> {
        let payload = job.check()?;
        let now = self.clock.now_ms();
        let owner = job
            .schedule_id
            .as_deref()
            .map(|id| id.split('/').next().unwrap_or(id))
            .unwrap_or_default();
        let id: String = SCRIPTS
            .enqueue
            .arg(&self.prefix)
            .arg(uuid::Uuid::now_v7().to_string())
            .arg(&job.queue)
            .arg(&job.kind)
            .arg(job.tenant.map(|t| t.to_string()).unwrap_or_default())
            .arg(payload)
            .arg(job.priority)
            .arg(job.run_at.unwrap_or(now))
            .arg(job.max_attempts)
            .arg(job.timeout_ms)
            .arg(job.idempotency_key.as_deref().unwrap_or_default())
            .arg(now)
            .arg(job.schedule_id.as_deref().unwrap_or_default())
            .arg(owner)
            .arg(IDEMPOTENCY_TTL_S)
            .arg(HISTORY_TTL_S)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(id)
    }

    /// Claims up to `max` jobs, from the first of `queues` that has any due.
    pub async fn claim(
        &self,
        queues: &[String],
        worker: &str,
        lease_ms: u64,
        max: usize,
    ) -> Result<Vec<Lease>, QueueError> {
        for queue in queues {
            let rows: Vec<ClaimedRow> = SCRIPTS
                .claim
                .arg(&self.prefix)
                .arg(queue)
                .arg(worker)
                .arg(self.clock.now_ms())
                .arg(lease_ms)
                .arg(uuid::Uuid::new_v4().simple().to_string())
                .arg(self.tenant_concurrency)
                .arg(max)
                .invoke_async(&mut self.conn.clone())
                .await?;
            if !rows.is_empty() {
                return rows.into_iter().map(|row| lease_of(queue, row)).collect();
            }
        }
        Ok(Vec::new())
    }

    /// Whether the job enqueued under idempotency key `key` waits or runs where a worker
    /// will find it (`pending.lua`): a job whose keys were partly lost is not pending, so
    /// the executions' reaper sends its work again.
    pub async fn is_pending(&self, key: &str) -> Result<bool, QueueError> {
        let mut conn = self.conn.clone();
        let found: i64 = SCRIPTS
            .pending
            .arg(&self.prefix)
            .arg(key)
            .invoke_async(&mut conn)
            .await?;
        Ok(found == 1)
    }

    pub async fn heartbeat(&self, lease: &Lease, lease_ms: u64) -> Result<bool, QueueError> {
        let until = self.clock.now_ms() + lease_ms as i64;
        self.settle(lease, "beat", until, "").await
    }

    pub async fn complete(&self, lease: &Lease) -> Result<bool, QueueError> {
        self.settle(lease, "done", 0, "").await
    }

    pub async fn fail(
        &self,
        lease: &Lease,
        error: &str,
        retry_in_ms: Option<u64>,
    ) -> Result<bool, QueueError> {
        let error = crate::sql::truncate(error);
        match retry_in_ms.filter(|_| lease.job.attempt < lease.job.max_attempts) {
            Some(delay) => {
                let at = self.clock.now_ms() + delay as i64;
                self.settle(lease, "retry", at, error).await
            }
            None => self.settle(lease, "dead", 0, error).await,
        }
    }

    pub async fn release(&self, lease: &Lease) -> Result<bool, QueueError> {
        self.settle(lease, "release", 0, "").await
    }

    async fn settle(
        &self,
        lease: &Lease,
        op: &'static str,
        at: i64,
        error: &str,
    ) -> Result<bool, QueueError> {
        let settler = self.settler.get_or_init(|| {
            Settler::start(
                self.conn.clone(),
                self.prefix.clone(),
                self.clock.clone(),
                HISTORY_TTL_S,
            )
        });
        settler
            .settle(Outcome {
                id: lease.job.id.clone(),
                token: lease.token.clone(),
                op,
                queue: lease.job.queue.clone(),
                tenant: lease.job.tenant.map(|t| t.to_string()).unwrap_or_default(),
                history: lease.history,
                at,
                error: error.to_string(),
            })
            .await
    }

    pub async fn reap(&self) -> Result<u64, QueueError> {
        let n: u64 = SCRIPTS
            .reap
            .arg(&self.prefix)
            .arg(self.clock.now_ms())
            .arg(crate::sql::LEASE_EXPIRED)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(n)
    }

    pub async fn dead_jobs(
        &self,
        scope: Scope,
        queue: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeadJob>, QueueError> {
        let set = match (scope, queue) {
            (Scope::Tenant(t), _) => format!("dead:t:{t}"),
            (Scope::All, Some(q)) => format!("dead:q:{q}"),
            (Scope::All, None) => "dead".to_string(),
        };
        let mut conn = self.conn.clone();
        let ids: Vec<String> = redis::cmd("ZREVRANGE")
            .arg(format!("{}{set}", self.prefix))
            .arg(0)
            .arg(i64::from(limit.min(1_000)) * 4)
            .query_async(&mut conn)
            .await?;
        let mut out = Vec::new();
        for (id, job) in ids.iter().zip(self.read_jobs(&ids).await?) {
            let field = |name: &str| job.get(name).cloned().unwrap_or_default();
            if field("state") != "dead" || queue.is_some_and(|q| q != field("queue")) {
                continue;
            }
            out.push(DeadJob {
                id: id.clone(),
                kind: field("kind"),
                queue: field("queue"),
                tenant: field("tenant").parse().ok(),
                payload: crate::sql::payload_of(&field("payload"))?,
                attempts: field("attempt").parse().unwrap_or(0),
                error: job.get("last_error").cloned(),
                failed_at: field("finished_at").parse().ok(),
            });
            if out.len() >= limit.min(1_000) as usize {
                break;
            }
        }
        Ok(out)
    }

    pub async fn retry_dead(&self, scope: Scope, id: &str) -> Result<bool, QueueError> {
        Ok(self.dead_op("retry", scope, id, "").await? == 1)
    }

    pub async fn purge_dead(&self, scope: Scope, which: DeadJobs<'_>) -> Result<u64, QueueError> {
        match which {
            DeadJobs::One(id) => self.dead_op("purge", scope, id, "").await,
            DeadJobs::All { queue } => {
                self.dead_op("purge", scope, "", queue.unwrap_or_default())
                    .await
            }
        }
    }

    async fn dead_op(
        &self,
        op: &str,
        scope: Scope,
        id: &str,
        queue: &str,
    ) -> Result<u64, QueueError> {
        if id.is_empty() && op == "retry" {
            return Ok(0);
        }
        let n: u64 = SCRIPTS
            .dead
            .arg(&self.prefix)
            .arg(op)
            .arg(scope.key())
            .arg(self.clock.now_ms())
            .arg(id)
            .arg(queue)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(n)
    }

    /// Per-queue figures, as `SqlQueue::stats`.
    pub async fn stats(&self) -> Result<Vec<QueueStats>, QueueError> {
        Ok(self
            .figures()
            .await?
            .into_iter()
            .map(|(stats, _)| stats)
            .collect())
    }

    /// As `SqlQueue::tenant_load`.
    pub async fn tenant_load(&self, limit: i64) -> Result<Vec<TenantLoad>, QueueError> {
        let mut load: Vec<TenantLoad> = self
            .figures()
            .await?
            .into_iter()
            .flat_map(|(_, tenants)| tenants)
            .filter(|t| t.ready + t.running > 0)
            .collect();
        load.sort_by(|a, b| {
            (b.ready + b.running)
                .cmp(&(a.ready + a.running))
                .then_with(|| a.tenant.to_string().cmp(&b.tenant.to_string()))
        });
        load.truncate(limit.max(0) as usize);
        Ok(load)
    }

    async fn figures(&self) -> Result<Vec<(QueueStats, Vec<TenantLoad>)>, QueueError> {
        type Row = (String, u64, u64, u64, u64, i64, Vec<String>);
        let now = self.clock.now_ms();
        let rows: Vec<Row> = SCRIPTS
            .stats
            .arg(&self.prefix)
            .arg(now)
            .invoke_async(&mut self.conn.clone())
            .await?;
        let mut out: Vec<_> = rows
            .into_iter()
            .map(|(queue, ready, scheduled, running, dead, oldest, flat)| {
                let tenants = flat
                    .chunks_exact(3)
                    .filter_map(|c| {
                        Some(TenantLoad {
                            queue: queue.clone(),
                            tenant: c[0].parse::<TenantId>().ok()?,
                            ready: c[1].parse().unwrap_or(0),
                            running: c[2].parse().unwrap_or(0),
                        })
                    })
                    .collect();
                let stats = QueueStats {
                    queue,
                    ready,
                    scheduled,
                    running,
                    dead,
                    oldest_ready_ms: if oldest == 0 {
                        0
                    } else {
                        (now - oldest).max(0)
                    },
                };
                (stats, tenants)
            })
            .collect();
        out.sort_by(|a, b| a.0.queue.cmp(&b.0.queue));
        Ok(out)
    }

    /// The latest firings of the schedules of `owner` (ids `<owner>/…`), newest first. Kept
    /// a week; a Redis that lost its contents has none.
    pub async fn owner_history(&self, owner: &str, limit: u32) -> Result<Vec<Firing>, QueueError> {
        let mut conn = self.conn.clone();
        let ids: Vec<String> = redis::cmd("ZREVRANGE")
            .arg(format!("{}history:{owner}", self.prefix))
            .arg(0)
            .arg(i64::from(limit.clamp(1, 1_000)) - 1)
            .query_async(&mut conn)
            .await?;
        let jobs = self.read_jobs(&ids).await?;
        Ok(ids
            .into_iter()
            .zip(jobs)
            .filter(|(_, job)| !job.is_empty())
            .map(|(id, job)| {
                let number = |name: &str| job.get(name).and_then(|v| v.parse::<i64>().ok());
                Firing {
                    job_id: id,
                    schedule_id: job.get("schedule_id").cloned().unwrap_or_default(),
                    state: job.get("state").cloned().unwrap_or_default(),
                    enqueued_at: number("created_at").unwrap_or(0),
                    started_at: number("started_at"),
                    finished_at: number("finished_at"),
                    attempts: number("attempt").unwrap_or(0) as u32,
                    error: job.get("last_error").cloned(),
                }
            })
            .collect())
    }

    /// The hashes of `ids`, in one round trip (empty for a job that is gone).
    async fn read_jobs(&self, ids: &[String]) -> Result<Vec<HashMap<String, String>>, QueueError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for id in ids {
            pipe.cmd("HGETALL").arg(format!("{}job:{id}", self.prefix));
        }
        Ok(pipe.query_async(&mut self.conn.clone()).await?)
    }

    /// Deletes every key of this queue's namespace (tests, and an operator resetting a
    /// deployment's queue). The reaper of executions restores recorded work afterwards.
    pub async fn flush(&self) -> Result<u64, QueueError> {
        let mut conn = self.conn.clone();
        let pattern = format!("{}*", self.prefix);
        let mut cursor = 0u64;
        let mut deleted = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1_000)
                .query_async(&mut conn)
                .await?;
            if !keys.is_empty() {
                deleted += redis::cmd("UNLINK")
                    .arg(&keys)
                    .query_async::<u64>(&mut conn)
                    .await?;
            }
            if next == 0 {
                return Ok(deleted);
            }
            cursor = next;
        }
    }
}

fn lease_of(queue: &str, row: ClaimedRow) -> Result<Lease, QueueError> {
    let (id, kind, tenant, payload, priority, attempt, max_attempts, timeout_ms, token, schedule) =
        row;
    Ok(Lease {
        job: Job {
            id,
            kind,
            queue: queue.to_string(),
            tenant: tenant.parse().ok(),
            payload: crate::sql::payload_of(&payload)?,
            priority: priority as i16,
            attempt,
            max_attempts,
            timeout_ms,
        },
        token,
        history: !schedule.is_empty(),
    })
}
