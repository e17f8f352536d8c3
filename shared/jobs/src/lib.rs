//! Background work: a job queue and the workers that drain it.
//!
//! The database is the source of truth (DESIGN.md §3). `Queue` has two backends with one
//! behaviour: the embedded one (`SqlQueue`) keeps jobs in the application database itself —
//! SQLite by default, Postgres when configured — and `RedisQueue` keeps them in Redis for
//! workers scaled out. Both give at-least-once delivery: a claim is a lease renewed by heartbeats, an
//! expired lease is reaped back to the queue, failed attempts back off exponentially with
//! jitter, and jobs out of attempts land in a dead-letter set that can be listed, retried
//! and purged. The scheduler turns cron schedules into jobs, once per firing across any
//! number of processes. Handlers must therefore be idempotent: a job whose worker died after doing
//! the work but before recording it runs again.

mod cron;
mod firings;
mod handlers;
mod job;
pub mod lease;
mod queue;
mod redis_queue;
pub mod scaling;
pub mod scheduler;
mod sql;
mod system_tx;
mod worker;

pub use cron::CronSchedule;
pub use firings::Firing;
pub use handlers::{Handlers, JobCall, JobError, JobPayload};
pub use job::{DEFAULT_QUEUE, DeadJob, Job, Lease, NewJob, QueueStats, RetryPolicy, TenantLoad};
pub use queue::{Queue, Staged};
pub use redis_queue::RedisQueue;
pub use scheduler::{Misfire, ScheduleSpec, Scheduler};
pub use sql::{DeadJobs, Scope, SqlQueue};
pub use worker::{Worker, WorkerOptions};

/// Why a queue operation failed.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("invalid job: {0}")]
    BadJob(String),
    #[error("a job with this idempotency key was enqueued at the same moment")]
    Duplicate,
    #[error(transparent)]
    Store(#[from] agente_store::StoreError),
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
}
