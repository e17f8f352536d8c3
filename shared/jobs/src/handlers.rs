//! What runs each job type. A domain crate names its job types as payload structs
//! ([`JobPayload`]) and registers a handler per type with its own retry policy
//! ([`Handlers::register`]); the process only merges the domains' handlers.
//!
//! A payload is decoded once, here: a handler receives the typed payload and the tenant the
//! job was enqueued for (never read out of the payload), and a payload that does not decode
//! goes to the dead letters at once — another attempt would not decode it either.

use crate::job::{Job, NewJob, RetryPolicy};
use agente_core::TenantId;
use futures::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How a handler failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt (after the job type's back-off).
    #[error("{0}")]
    Retry(String),
    /// Worth another attempt, not before `after` (a receiver's `Retry-After`), nor before
    /// the job type's back-off.
    #[error("{message}")]
    RetryAfter { message: String, after: Duration },
    /// Will fail again: straight to the dead letters.
    #[error("{0}")]
    Fatal(String),
}

/// The payload of one job type: the struct both the enqueuer and the handler use, so the
/// two cannot disagree on a field.
pub trait JobPayload: Serialize + DeserializeOwned + Send + 'static {
    /// The job type's name in the queue (`domain.action`).
    const KIND: &'static str;
}

impl NewJob {
    /// A job of `payload`'s type carrying it.
    pub fn of<P: JobPayload>(payload: &P) -> Self {
        match serde_json::to_value(payload) {
            Ok(value) => NewJob::new(P::KIND, value),
            // Only a payload type with non-text map keys fails here; enqueueing says so.
            Err(e) => NewJob::new(P::KIND, serde_json::Value::Null).unencodable(e.to_string()),
        }
    }
}

/// One attempt at a typed job, as its handler receives it.
#[derive(Debug)]
pub struct JobCall<P> {
    pub id: String,
    /// The tenant the job was enqueued for, if any (see [`JobCall::tenant`]).
    pub tenant: Option<TenantId>,
    pub payload: P,
    /// 1 on the first attempt.
    pub attempt: u32,
    pub max_attempts: u32,
}

impl<P: JobPayload> JobCall<P> {
    /// Reads `job` as a `P`; a job of another type or a payload that does not decode is
    /// fatal.
    pub fn from_job(job: Job) -> Result<Self, JobError> {
        if job.kind != P::KIND {
            return Err(JobError::Fatal(format!(
                "a `{}` job given to the `{}` handler",
                job.kind,
                P::KIND
            )));
        }
        let payload = serde_json::from_value(job.payload)
            .map_err(|e| JobError::Fatal(format!("not a `{}` payload: {e}", P::KIND)))?;
        Ok(Self {
            id: job.id,
            tenant: job.tenant,
            payload,
            attempt: job.attempt,
            max_attempts: job.max_attempts,
        })
    }
}

impl<P> JobCall<P> {
    /// The tenant the job works for; a tenant's job enqueued without one is fatal.
    pub fn tenant(&self) -> Result<TenantId, JobError> {
        self.tenant
            .ok_or_else(|| JobError::Fatal(format!("job {} names no tenant", self.id)))
    }
}

type HandlerFn = Arc<dyn Fn(Job) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync>;

/// The handler of each job type, with its retry policy.
#[derive(Clone, Default)]
pub struct Handlers {
    by_kind: HashMap<String, (HandlerFn, RetryPolicy)>,
}

impl Handlers {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `handler` for jobs of `P`'s type, retrying failures per `retry`.
    pub fn register<P, F, Fut>(self, retry: RetryPolicy, handler: F) -> Self
    where
        P: JobPayload,
        F: Fn(JobCall<P>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        self.on(P::KIND, retry, move |job| {
            let handler = handler.clone();
            async move { handler(JobCall::<P>::from_job(job)?).await }
        })
    }

    /// Runs `handler` for jobs of `kind` with the payload as JSON (jobs whose payload has no
    /// fixed shape: benchmarks, tests).
    ///
    /// # Panics
    /// When `kind` already has a handler: a wiring mistake, found at start.
    pub fn on<F, Fut>(mut self, kind: &str, retry: RetryPolicy, handler: F) -> Self
    where
        F: Fn(Job) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        let f: HandlerFn = Arc::new(move |job| Box::pin(handler(job)));
        let previous = self.by_kind.insert(kind.to_string(), (f, retry));
        assert!(previous.is_none(), "job type `{kind}` has two handlers");
        self
    }

    /// These handlers and `other`'s (each domain registers its own).
    ///
    /// # Panics
    /// When both handle one job type.
    pub fn merge(mut self, other: Handlers) -> Self {
        for (kind, entry) in other.by_kind {
            let previous = self.by_kind.insert(kind.clone(), entry);
            assert!(previous.is_none(), "job type `{kind}` has two handlers");
        }
        self
    }

    /// Runs `job`'s handler once, as a worker would (without its time limit or lease):
    /// for tests and tools that drive jobs by hand.
    pub async fn handle(&self, job: Job) -> Result<(), JobError> {
        match self.get(&job.kind) {
            Some((handler, _)) => handler(job).await,
            None => Err(JobError::Fatal(format!(
                "no handler for job type `{}`",
                job.kind
            ))),
        }
    }

    pub(crate) fn get(&self, kind: &str) -> Option<(HandlerFn, RetryPolicy)> {
        self.by_kind.get(kind).cloned()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Ping {
        n: u32,
    }
    impl JobPayload for Ping {
        const KIND: &'static str = "test.ping";
    }

    fn job(kind: &str, payload: serde_json::Value, tenant: Option<TenantId>) -> Job {
        Job {
            id: "j1".into(),
            kind: kind.into(),
            queue: "default".into(),
            tenant,
            payload,
            priority: 0,
            attempt: 2,
            max_attempts: 5,
            timeout_ms: 1_000,
        }
    }

    #[test]
    fn a_typed_job_round_trips_through_its_payload() {
        let new = NewJob::of(&Ping { n: 7 });
        assert_eq!(new.kind, "test.ping");
        let tenant = TenantId::new();
        let call = JobCall::<Ping>::from_job(job("test.ping", new.payload, Some(tenant))).unwrap();
        assert_eq!(call.payload, Ping { n: 7 });
        assert_eq!(call.tenant().unwrap(), tenant);
        assert_eq!((call.attempt, call.max_attempts), (2, 5));
    }

    #[test]
    fn undecodable_payloads_other_kinds_and_missing_tenants_are_fatal() {
        let fatal = |r: Result<_, JobError>| matches!(r, Err(JobError::Fatal(_)));
        assert!(fatal(
            JobCall::<Ping>::from_job(job("test.ping", json!({"n": "x"}), None)).map(|_| ())
        ));
        assert!(fatal(
            JobCall::<Ping>::from_job(job("test.pong", json!({"n": 1}), None)).map(|_| ())
        ));
        let call = JobCall::<Ping>::from_job(job("test.ping", json!({"n": 1}), None)).unwrap();
        assert!(fatal(call.tenant().map(|_| ())));
    }

    #[tokio::test]
    async fn handle_runs_the_registered_handler_and_refuses_unknown_types() {
        let handlers =
            Handlers::new().register::<Ping, _, _>(RetryPolicy::default(), |call| async move {
                if call.payload.n == 0 {
                    Err(JobError::Retry("zero".into()))
                } else {
                    Ok(())
                }
            });
        assert!(
            handlers
                .handle(job("test.ping", json!({"n": 1}), None))
                .await
                .is_ok()
        );
        assert!(matches!(
            handlers
                .handle(job("test.ping", json!({"n": 0}), None))
                .await,
            Err(JobError::Retry(_))
        ));
        assert!(matches!(
            handlers.handle(job("test.ping", json!({}), None)).await,
            Err(JobError::Fatal(_))
        ));
        assert!(matches!(
            handlers.handle(job("other", json!({}), None)).await,
            Err(JobError::Fatal(_))
        ));
    }

    #[test]
    #[should_panic(expected = "two handlers")]
    fn merging_two_handlers_of_one_type_is_refused() {
        let one = || Handlers::new().on("k", RetryPolicy::default(), |_| async { Ok(()) });
        let _ = one().merge(one());
    }
}
