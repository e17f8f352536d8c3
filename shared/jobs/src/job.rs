//! What a job is: the request to enqueue one, the claimed job a handler receives, and how
//! long to wait before the next attempt.

use agente_core::TenantId;
use rand::Rng;
use serde::Serialize;
use serde_json::Value;

/// The queue a job goes to unless it names another.
pub const DEFAULT_QUEUE: &str = "default";

/// Longest accepted names (queue, kind, idempotency key).
pub(crate) const MAX_NAME: usize = 200;
/// Largest accepted payload (JSON bytes): jobs carry ids, not data.
pub(crate) const MAX_PAYLOAD: usize = 64 * 1024;

/// A job to enqueue. Built with [`NewJob::new`] and its setters.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: String,
    pub queue: String,
    pub payload: Value,
    /// The tenant the job works for: fairness and per-tenant figures count by it.
    pub tenant: Option<TenantId>,
    /// Higher runs first among due jobs of a queue.
    pub priority: i16,
    /// Not before this instant (Unix ms); `None`: now.
    pub run_at: Option<i64>,
    /// A second enqueue with the same key answers the first job instead of adding one.
    pub idempotency_key: Option<String>,
    pub max_attempts: u32,
    /// An attempt running longer is stopped and counts as failed.
    pub timeout_ms: u64,
    /// The schedule whose firing this is (set by the scheduler): its job history.
    pub(crate) schedule_id: Option<String>,
    /// Why a typed payload could not be made into JSON (`NewJob::of`); enqueueing refuses it.
    unencodable: Option<String>,
}

impl NewJob {
    pub fn new(kind: impl Into<String>, payload: Value) -> Self {
        Self {
            kind: kind.into(),
            queue: DEFAULT_QUEUE.into(),
            payload,
            tenant: None,
            priority: 0,
            run_at: None,
            idempotency_key: None,
            max_attempts: 5,
            timeout_ms: 5 * 60_000,
            schedule_id: None,
            unencodable: None,
        }
    }

    pub(crate) fn unencodable(mut self, why: String) -> Self {
        self.unencodable = Some(why);
        self
    }

    pub fn queue(mut self, queue: impl Into<String>) -> Self {
        self.queue = queue.into();
        self
    }

    pub fn tenant(mut self, tenant: TenantId) -> Self {
        self.tenant = Some(tenant);
        self
    }

    pub fn priority(mut self, priority: i16) -> Self {
        self.priority = priority;
        self
    }

    pub fn run_at(mut self, at_ms: i64) -> Self {
        self.run_at = Some(at_ms);
        self
    }

    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    pub fn timeout_ms(mut self, ms: u64) -> Self {
        self.timeout_ms = ms;
        self
    }

    /// Refuses what the queue cannot hold sensibly, naming the field.
    pub(crate) fn check(&self) -> Result<String, crate::QueueError> {
        let bad = |m: String| Err(crate::QueueError::BadJob(m));
        if let Some(why) = &self.unencodable {
            return bad(format!("payload cannot be encoded: {why}"));
        }
        for (field, value) in [("kind", &self.kind), ("queue", &self.queue)] {
            if value.is_empty() || value.len() > MAX_NAME {
                return bad(format!("{field} must have 1 to {MAX_NAME} characters"));
            }
        }
        if self
            .idempotency_key
            .as_ref()
            .is_some_and(|k| k.is_empty() || k.len() > MAX_NAME)
        {
            return bad(format!(
                "idempotency_key must have 1 to {MAX_NAME} characters"
            ));
        }
        if !(1..=100).contains(&self.max_attempts) {
            return bad("max_attempts must be between 1 and 100".into());
        }
        if !(1..=24 * 3_600_000).contains(&self.timeout_ms) {
            return bad("timeout_ms must be between 1 ms and 24 h".into());
        }
        let payload = self.payload.to_string();
        if payload.len() > MAX_PAYLOAD {
            return bad(format!("payload over {MAX_PAYLOAD} bytes"));
        }
        Ok(payload)
    }
}

/// A claimed job, as its handler sees it.
#[derive(Clone, Debug, Serialize)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub queue: String,
    pub tenant: Option<TenantId>,
    pub payload: Value,
    pub priority: i16,
    /// 1 on the first attempt.
    pub attempt: u32,
    pub max_attempts: u32,
    pub timeout_ms: u64,
}

/// A claim on a job: only its holder may heartbeat, complete or fail it.
#[derive(Clone, Debug)]
pub struct Lease {
    pub job: Job,
    pub(crate) token: String,
    /// A schedule's firing: its outcome stays for the schedule's history (Redis; the SQL
    /// queue keeps every finished job until pruned).
    pub(crate) history: bool,
}

/// A job in the dead-letter set, for operators.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadJob {
    pub id: String,
    pub kind: String,
    pub queue: String,
    pub tenant: Option<TenantId>,
    pub payload: Value,
    pub attempts: u32,
    pub error: Option<String>,
    pub failed_at: Option<i64>,
}

/// Load figures of one queue: what an autoscaler watches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueStats {
    pub queue: String,
    /// Due and waiting for a worker.
    pub ready: u64,
    /// Ready but not due yet (delayed, or backing off before a retry).
    pub scheduled: u64,
    pub running: u64,
    pub dead: u64,
    /// Age of the oldest due job, ms (0 when none waits).
    pub oldest_ready_ms: i64,
}

/// One tenant's share of a queue's load.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantLoad {
    pub queue: String,
    pub tenant: TenantId,
    /// Due and waiting for a worker.
    pub ready: u64,
    pub running: u64,
}

/// Exponential back-off with jitter between attempts of one job type.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub base_ms: u64,
    pub max_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base_ms: 1_000,
            max_ms: 10 * 60_000,
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based): `base · 2^(attempt-1)`,
    /// capped, then "equal jitter" (half fixed, half random) so that jobs failing together
    /// do not retry in lockstep.
    pub fn delay_ms(&self, attempt: u32) -> u64 {
        let exp = self
            .base_ms
            .saturating_mul(1u64 << attempt.saturating_sub(1).min(32))
            .min(self.max_ms);
        let half = exp / 2;
        half + rand::thread_rng().gen_range(0..=exp - half)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_with_jitter_and_is_capped() {
        let p = RetryPolicy {
            base_ms: 100,
            max_ms: 1_000,
        };
        for _ in 0..50 {
            assert!((50..=100).contains(&p.delay_ms(1)));
            assert!((100..=200).contains(&p.delay_ms(2)));
            assert!((200..=400).contains(&p.delay_ms(3)));
            assert!((500..=1_000).contains(&p.delay_ms(10)));
            assert!((500..=1_000).contains(&p.delay_ms(u32::MAX)));
        }
    }

    #[test]
    fn bad_jobs_are_refused_with_the_field_named() {
        let err = |j: NewJob| j.check().unwrap_err().to_string();
        assert!(err(NewJob::new("", Value::Null)).contains("kind"));
        assert!(err(NewJob::new("k", Value::Null).queue("q".repeat(201))).contains("queue"));
        assert!(err(NewJob::new("k", Value::Null).max_attempts(0)).contains("max_attempts"));
        assert!(err(NewJob::new("k", Value::Null).timeout_ms(0)).contains("timeout_ms"));
        let big = Value::String("x".repeat(MAX_PAYLOAD));
        assert!(err(NewJob::new("k", big)).contains("payload"));
        assert!(
            NewJob::new("k", serde_json::json!({"id": 1}))
                .check()
                .is_ok()
        );
    }
}
