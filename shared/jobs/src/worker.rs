//! The worker runtime: claims jobs up to its concurrency, runs each job's handler with a
//! time limit while a heartbeat keeps its lease, and records the outcome.
//!
//! Shutdown is graceful: when told to stop, the worker claims nothing more and lets running
//! jobs finish for a grace period; jobs still running then are cut off and handed back
//! (their attempt does not count), so another worker takes them at once instead of after
//! their lease expires.

use crate::handlers::{Handlers, JobError};
use crate::job::{Job, Lease};
use crate::queue::Queue;
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Worker settings.
#[derive(Clone, Debug)]
pub struct WorkerOptions {
    /// Names the worker in job rows (host and process, typically).
    pub id: String,
    /// Jobs run at once.
    pub concurrency: usize,
    /// Queues drained, in order of preference.
    pub queues: Vec<String>,
    /// How long a claim holds without a heartbeat; heartbeats come every third of it.
    pub lease: Duration,
    /// Wait between polls when the queues are empty.
    pub idle_poll: Duration,
    /// How long running jobs may finish after shutdown is asked for.
    pub shutdown_grace: Duration,
    /// At most this many jobs of one tenant run at once in a queue, across all workers
    /// (`SqlQueue::with_tenant_concurrency`; 0: no limit).
    pub tenant_concurrency: u32,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            id: format!("worker-{}", std::process::id()),
            concurrency: 4,
            queues: vec![crate::DEFAULT_QUEUE.to_string()],
            lease: Duration::from_secs(30),
            idle_poll: Duration::from_millis(200),
            shutdown_grace: Duration::from_secs(30),
            tenant_concurrency: 0,
        }
    }
}

/// A worker over one queue backend.
pub struct Worker {
    queue: Queue,
    handlers: Arc<Handlers>,
    options: WorkerOptions,
}

/// A claim's answer, with the slots it was made for.
type Claimed = (
    Vec<OwnedSemaphorePermit>,
    Result<Vec<Lease>, crate::QueueError>,
);

/// Longest wait after database errors before trying again.
const MAX_ERROR_BACKOFF: Duration = Duration::from_secs(5);
/// Most jobs claimed in one call (free slots permitting): one round trip for a burst.
const CLAIM_BATCH: usize = 32;

impl Worker {
    pub fn new(queue: impl Into<Queue>, handlers: Handlers, options: WorkerOptions) -> Self {
        Self {
            queue: queue.into(),
            handlers: Arc::new(handlers),
            options,
        }
    }

    /// Runs until `shutdown` is cancelled, then shuts down gracefully.
    ///
    /// Claims are pipelined: while one claim is on its way, slots freed by finishing jobs
    /// go out in the next (up to [`Queue::claims_in_flight`] at once), so a worker is not
    /// idle for a round trip between batches.
    pub async fn run(self, shutdown: CancellationToken) {
        let permits = Arc::new(Semaphore::new(self.options.concurrency.max(1)));
        let mut running = JoinSet::new();
        // Cut off at the end of the grace period; running jobs then hand their claim back.
        let cut_off = CancellationToken::new();
        let mut error_backoff = Duration::from_millis(100);
        let mut last_reap = tokio::time::Instant::now() - self.options.lease;
        let mut claims: FuturesUnordered<BoxFuture<'static, Claimed>> = FuturesUnordered::new();
        let max_claims = self.queue.claims_in_flight();
        // No new claim before this instant (the queues were empty, or claiming failed).
        let mut pause_until: Option<tokio::time::Instant> = None;
        loop {
            while running.try_join_next().is_some() {}
            let may_claim = claims.len() < max_claims && pause_until.is_none();
            tokio::select! {
                () = shutdown.cancelled() => break,
                Some((mut slots, answer)) = claims.next(), if !claims.is_empty() => {
                    match answer {
                        Ok(leases) if !leases.is_empty() => {
                            error_backoff = Duration::from_millis(100);
                            self.start(leases, &mut slots, &mut running, &cut_off);
                        }
                        Ok(_) => {
                            pause_until = Some(tokio::time::Instant::now() + self.options.idle_poll);
                        }
                        Err(e) => {
                            // The database is away (restart, network): back off, keep the claims.
                            tracing::warn!(error = %e, wait_ms = error_backoff.as_millis() as u64, "claiming a job failed");
                            pause_until = Some(tokio::time::Instant::now() + error_backoff);
                            error_backoff = (error_backoff * 2).min(MAX_ERROR_BACKOFF);
                        }
                    }
                    // Unused slots go back with `slots` here.
                }
                () = tokio::time::sleep_until(pause_until.unwrap_or_else(tokio::time::Instant::now)), if pause_until.is_some() => {
                    pause_until = None;
                }
                first = permits.clone().acquire_owned(), if may_claim => {
                    let first = first.expect("the semaphore is never closed");
                    // Every free slot claims in the same call.
                    let mut slots = vec![first];
                    while slots.len() < CLAIM_BATCH {
                        match permits.clone().try_acquire_owned() {
                            Ok(p) => slots.push(p),
                            Err(_) => break,
                        }
                    }
                    if last_reap.elapsed() >= self.options.lease / 2 {
                        last_reap = tokio::time::Instant::now();
                        match self.queue.reap().await {
                            Ok(0) => {}
                            Ok(n) => tracing::warn!(jobs = n, "reclaimed jobs whose worker stopped"),
                            Err(e) => tracing::warn!(error = %e, "reaping expired leases failed"),
                        }
                    }
                    let (queue, queues, id) = (self.queue.clone(), self.options.queues.clone(), self.options.id.clone());
                    let lease_ms = self.options.lease.as_millis() as u64;
                    claims.push(Box::pin(async move {
                        let answer = queue.claim(&queues, &id, lease_ms, slots.len()).await;
                        (slots, answer)
                    }));
                }
            }
        }
        // Claims on their way still get their jobs started: handing them back unrun
        // would leave them to the lease's expiry.
        while let Some((mut slots, answer)) = claims.next().await {
            self.start(
                answer.unwrap_or_default(),
                &mut slots,
                &mut running,
                &cut_off,
            );
        }
        let grace = tokio::time::sleep(self.options.shutdown_grace);
        tokio::pin!(grace);
        loop {
            tokio::select! {
                next = running.join_next() => if next.is_none() { break },
                () = &mut grace, if !cut_off.is_cancelled() => cut_off.cancel(),
            }
        }
    }
}

impl Worker {
    /// Runs each claimed job in one of the slots it was claimed for.
    fn start(
        &self,
        leases: Vec<Lease>,
        slots: &mut Vec<OwnedSemaphorePermit>,
        running: &mut JoinSet<()>,
        cut_off: &CancellationToken,
    ) {
        for lease in leases {
            let permit = slots.pop().expect("no more leases than slots");
            let job = RunningJob {
                queue: self.queue.clone(),
                handlers: self.handlers.clone(),
                lease_time: self.options.lease,
                cut_off: cut_off.clone(),
            };
            running.spawn(job.run(lease, permit));
        }
    }
}

/// What one running job needs.
struct RunningJob {
    queue: Queue,
    handlers: Arc<Handlers>,
    lease_time: Duration,
    cut_off: CancellationToken,
}

/// How waiting for a handler ended.
enum Ending {
    Finished(Result<(), JobError>),
    TimedOut,
    LeaseLost,
    CutOff,
}

impl RunningJob {
    /// Runs the job while holding `slot`, which is given back as soon as the handler is
    /// done: recording the outcome then overlaps with claiming the next job.
    async fn run(self, mut lease: Lease, slot: OwnedSemaphorePermit) {
        // The payload goes to the handler; what stays is for recording the outcome (which
        // never needs it), so a large payload is not copied per job.
        let payload = std::mem::take(&mut lease.job.payload);
        let job = lease.job.clone();
        let Some((handler, retry)) = self.handlers.get(&job.kind) else {
            drop(slot);
            let error = format!("no handler for job type `{}`", job.kind);
            self.record(self.queue.fail(&lease, &error, None).await, &job);
            return;
        };
        let ending = {
            let work = handler(Job {
                payload,
                ..job.clone()
            });
            tokio::pin!(work);
            let deadline = tokio::time::sleep(Duration::from_millis(job.timeout_ms));
            tokio::pin!(deadline);
            let every = self.lease_time / 3;
            let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            loop {
                tokio::select! {
                    result = &mut work => break Ending::Finished(result),
                    () = &mut deadline => break Ending::TimedOut,
                    () = self.cut_off.cancelled() => break Ending::CutOff,
                    _ = beat.tick() => {
                        match self.queue.heartbeat(&lease, self.lease_time.as_millis() as u64).await {
                            Ok(true) => {}
                            Ok(false) => break Ending::LeaseLost,
                            // Keep working: the lease outlives a few missed beats.
                            Err(e) => tracing::warn!(error = %e, job = %job.id, "heartbeat failed"),
                        }
                    }
                }
            }
        };
        drop(slot);
        let outcome = match ending {
            Ending::Finished(Ok(())) => self.queue.complete(&lease).await,
            Ending::Finished(Err(JobError::Retry(e))) => {
                self.queue
                    .fail(&lease, &e, Some(retry.delay_ms(job.attempt)))
                    .await
            }
            Ending::Finished(Err(JobError::RetryAfter { message, after })) => {
                let wait = retry.delay_ms(job.attempt).max(after.as_millis() as u64);
                self.queue.fail(&lease, &message, Some(wait)).await
            }
            Ending::Finished(Err(JobError::Fatal(e))) => self.queue.fail(&lease, &e, None).await,
            Ending::TimedOut => {
                let error = format!("timed out after {} ms", job.timeout_ms);
                self.queue
                    .fail(&lease, &error, Some(retry.delay_ms(job.attempt)))
                    .await
            }
            Ending::CutOff => self.queue.release(&lease).await,
            Ending::LeaseLost => {
                tracing::warn!(job = %job.id, "lost the lease of a running job; another worker has it now");
                return;
            }
        };
        self.record(outcome, &job);
    }

    fn record(&self, outcome: Result<bool, crate::QueueError>, job: &Job) {
        match outcome {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(job = %job.id, "the job's lease had expired before its outcome was recorded")
            }
            Err(e) => {
                tracing::error!(error = %e, job = %job.id, "could not record a job's outcome; it will run again after its lease")
            }
        }
    }
}
