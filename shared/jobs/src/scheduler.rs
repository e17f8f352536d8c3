//! The scheduler: cron schedules stored in the database, each firing enqueued as a job.
//!
//! Each firing happens once, however many scheduler processes run: a process fires only
//! while it holds the `scheduler` lease, moves a schedule's `next_fire_at` with a
//! compare-and-set in the same transaction as the enqueue, and the job carries the
//! idempotency key `schedule:<id>:<instant>` — any one of the three would do; together
//! they survive a lease that expired mid-tick. After downtime a schedule follows its
//! misfire policy: skip what was missed, or run once for all of it.

use crate::cron::CronSchedule;
use crate::firings::Firing;
use crate::job::NewJob;
use crate::sql::enqueue_in;
use crate::system_tx::store;
use crate::{Queue, QueueError, lease};
use agente_core::{Clock, TenantId};
use agente_store::sqlx::{self, AnyConnection};
use agente_store::{Db, Row};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A firing later than this after its time counts as missed (the misfire policy applies).
pub const MISFIRE_AFTER_MS: i64 = 60_000;
const LEASE_NAME: &str = "scheduler";
/// Schedules looked at per tick at most.
const BATCH: i64 = 500;

/// What to do about firings missed while no scheduler ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misfire {
    Skip,
    RunOnce,
}

impl Misfire {
    fn as_str(self) -> &'static str {
        match self {
            Misfire::Skip => "skip",
            Misfire::RunOnce => "run_once",
        }
    }
}

/// A schedule to register: when (`cron`) and what (`job`, enqueued at each firing; its
/// kind, queue and payload are kept, attempts and timeout are the job defaults). An object
/// payload gains `scheduledAt`: the firing's planned instant, Unix ms.
#[derive(Clone, Debug)]
pub struct ScheduleSpec {
    pub id: String,
    pub cron: CronSchedule,
    /// Fire only every N-th week (from the week of the first firing); 1: every week.
    pub every_weeks: u32,
    pub job: NewJob,
    pub misfire: Misfire,
}

/// Replaces every schedule registered by `owner` with `specs`, inside the caller's
/// transaction (activation saves the workflow and its schedules together).
pub async fn register_in(
    conn: &mut AnyConnection,
    now_ms: i64,
    owner: &str,
    tenant: Option<TenantId>,
    specs: &[ScheduleSpec],
) -> Result<(), QueueError> {
    remove_in(conn, owner).await?;
    for spec in specs {
        let payload = spec.job.check()?;
        let next = spec.cron.next_after_ms(now_ms).ok_or_else(|| {
            QueueError::BadJob(format!("schedule `{}` never fires", spec.cron.pattern()))
        })?;
        if !(1..=52).contains(&spec.every_weeks) {
            return Err(QueueError::BadJob("every_weeks must be 1 to 52".into()));
        }
        sqlx::query(
            "INSERT INTO schedules (id, tenant_key, owner, pattern, timezone, kind, queue, payload, \
             misfire, next_fire_at, created_at, every_weeks, anchor_week) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&spec.id)
        .bind(tenant.map(|t| t.to_string()).unwrap_or_default())
        .bind(owner)
        .bind(spec.cron.pattern())
        .bind(spec.cron.timezone().name())
        .bind(&spec.job.kind)
        .bind(&spec.job.queue)
        .bind(payload)
        .bind(spec.misfire.as_str())
        .bind(next)
        .bind(now_ms)
        .bind(i64::from(spec.every_weeks))
        .bind(spec.cron.week_of(next))
        .execute(&mut *conn)
        .await
        .map_err(store)?;
    }
    Ok(())
}

/// Removes every schedule registered by `owner` (deactivation).
pub async fn remove_in(conn: &mut AnyConnection, owner: &str) -> Result<(), QueueError> {
    sqlx::query("DELETE FROM schedules WHERE owner = $1")
        .bind(owner)
        .execute(&mut *conn)
        .await
        .map_err(store)?;
    Ok(())
}

/// Fires due schedules while holding the scheduler lease.
#[derive(Clone)]
pub struct Scheduler {
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
    /// Names this process in the lease.
    holder: String,
}

impl Scheduler {
    /// Fires the schedules stored in `db` into `queue`.
    pub fn new(db: Db, queue: Queue, clock: Arc<dyn Clock>, holder: impl Into<String>) -> Self {
        Self {
            db,
            queue,
            clock,
            holder: holder.into(),
        }
    }

    /// Fires every due schedule once (if this process holds, or can take, the lease).
    /// Answers how many jobs were enqueued.
    pub async fn tick(&self) -> Result<u32, QueueError> {
        let now = self.clock.now_ms();
        if !lease::acquire(&self.db, LEASE_NAME, &self.holder, now, now + 30_000).await? {
            return Ok(0);
        }
        let mut tx = self.db.system_tx().await?;
        let due = sqlx::query(
            "SELECT id, tenant_key, pattern, timezone, kind, queue, payload, misfire, next_fire_at, \
             every_weeks, anchor_week FROM schedules WHERE next_fire_at <= $1 ORDER BY next_fire_at LIMIT $2",
        )
        .bind(now)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await
        .map_err(store)?;
        let mut fired = 0;
        for row in &due {
            fired += u32::from(fire(&mut tx, &self.queue, row, now).await?);
        }
        tx.commit().await.map_err(store)?;
        Ok(fired)
    }

    /// Ticks until `shutdown` — at the next firing, or after a second at most (schedules
    /// registered meanwhile, the lease) — then gives the lease up.
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "a scheduler tick failed");
            }
            let wait = match self.next_due().await {
                Ok(Some(at)) => (at - self.clock.now_ms()).clamp(0, 1_000) as u64,
                _ => 1_000,
            };
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(Duration::from_millis(wait)) => {}
            }
        }
        if let Err(e) = lease::release(&self.db, LEASE_NAME, &self.holder).await {
            tracing::warn!(error = %e, "could not give the scheduler lease up");
        }
    }

    async fn next_due(&self) -> Result<Option<i64>, QueueError> {
        let mut tx = self.db.system_tx().await?;
        let next: Option<i64> = sqlx::query("SELECT MIN(next_fire_at) FROM schedules")
            .fetch_one(&mut *tx)
            .await
            .map_err(store)?
            .try_get(0)
            .map_err(store)?;
        tx.commit().await.map_err(store)?;
        Ok(next)
    }

    /// The latest firings of a schedule, newest first.
    pub async fn history(&self, schedule_id: &str, limit: u32) -> Result<Vec<Firing>, QueueError> {
        let owner = schedule_id.split('/').next().unwrap_or(schedule_id);
        let mut firings = self.queue.schedule_history(owner, 1_000).await?;
        firings.retain(|f| f.schedule_id == schedule_id);
        firings.truncate(limit as usize);
        Ok(firings)
    }
}

/// Moves one due schedule to its next firing and enqueues its job unless the firing was
/// missed under the `skip` policy. Answers whether a job was enqueued.
async fn fire(
    tx: &mut AnyConnection,
    queue: &Queue,
    row: &agente_store::AnyRow,
    now: i64,
) -> Result<bool, QueueError> {
    let id: String = row.try_get("id").map_err(store)?;
    let due_at: i64 = row.try_get("next_fire_at").map_err(store)?;
    let pattern: String = row.try_get("pattern").map_err(store)?;
    let timezone: String = row.try_get("timezone").map_err(store)?;
    let Ok(cron) = CronSchedule::parse(&pattern, &timezone) else {
        // Registered through `register_in`, so parseable; a corrupt row is parked far away.
        tracing::error!(schedule = %id, "an unparseable schedule was parked");
        park(tx, &id, due_at).await?;
        return Ok(false);
    };
    // Missed firings are collapsed: the next one is after now.
    let next = cron.next_after_ms(now.max(due_at)).unwrap_or(i64::MAX);
    let moved = sqlx::query(
        "UPDATE schedules SET next_fire_at = $1, last_fired_at = $2 WHERE id = $3 AND next_fire_at = $4",
    )
    .bind(next)
    .bind(now)
    .bind(&id)
    .bind(due_at)
    .execute(&mut *tx)
    .await
    .map_err(store)?
    .rows_affected();
    let misfire: String = row.try_get("misfire").map_err(store)?;
    let missed = now - due_at > MISFIRE_AFTER_MS;
    let every_weeks: i64 = row.try_get("every_weeks").map_err(store)?;
    let anchor_week: i64 = row.try_get("anchor_week").map_err(store)?;
    let off_week =
        every_weeks > 1 && (cron.week_of(due_at) - anchor_week).rem_euclid(every_weeks) != 0;
    if moved == 0 || off_week || (missed && misfire == "skip") {
        return Ok(false);
    }
    let tenant_key: String = row.try_get("tenant_key").map_err(store)?;
    let payload: String = row.try_get("payload").map_err(store)?;
    let mut payload: serde_json::Value = serde_json::from_str(&payload).unwrap_or_default();
    if let Some(fields) = payload.as_object_mut() {
        fields.insert("scheduledAt".into(), due_at.into());
    }
    let mut job = NewJob::new(row.try_get::<String, _>("kind").map_err(store)?, payload)
        .queue(row.try_get::<String, _>("queue").map_err(store)?)
        .idempotency_key(format!("schedule:{id}:{due_at}"));
    if let Ok(tenant) = tenant_key.parse() {
        job = job.tenant(tenant);
    }
    job.schedule_id = Some(id);
    match queue {
        Queue::Sql(_) => enqueue_in(tx, now, &job).await.map(drop)?,
        // Before the commit: should the commit fail, the next tick fires this instant
        // again and the idempotency key makes that the same job.
        Queue::Redis(q) => q.enqueue(job).await.map(drop)?,
    }
    Ok(true)
}

async fn park(tx: &mut AnyConnection, id: &str, due_at: i64) -> Result<(), QueueError> {
    sqlx::query("UPDATE schedules SET next_fire_at = $1 WHERE id = $2 AND next_fire_at = $3")
        .bind(i64::MAX)
        .bind(id)
        .bind(due_at)
        .execute(&mut *tx)
        .await
        .map_err(store)?;
    Ok(())
}
