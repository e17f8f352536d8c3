//! The process's background roles: workers draining the job queue, and the scheduler that
//! turns schedule triggers into jobs. `agente serve` runs both beside the web server (the
//! embedded default); `agente worker` and `agente scheduler` run one role alone, so web,
//! worker and scheduler processes can be scaled apart over one database.

use crate::housekeeping::HOUSEKEEPING_JOB;
use agente_billing::Billing;
use agente_core::Clock;
use agente_jobs::{Handlers, JobError, Queue, RetryPolicy, Scheduler, Worker, WorkerOptions};
use agente_notify::{DELIVER_JOB, DELIVER_RETRY, EVENT_JOB, Event, Notifier, NotifierError};
use agente_store::Db;
use agente_workflows::{
    EXECUTE_JOB, RESUME_JOB, SCHEDULE_JOB, WorkflowService, WorkflowServiceError,
};
use std::sync::Arc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Which roles to run.
#[derive(Clone, Debug)]
pub struct Roles {
    pub workers: Option<WorkerOptions>,
    pub scheduler: bool,
}

/// Running background roles; `stop` ends them gracefully.
pub struct Background {
    shutdown: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

/// Names this process in job rows and leases.
pub fn process_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
    format!("{host}:{}", std::process::id())
}

/// Starts `roles`; `clock` says when jobs and schedules are due (the system clock outside
/// tests).
pub fn start(
    db: &Db,
    workflows: &WorkflowService,
    notifier: &Notifier,
    billing: &Billing,
    roles: Roles,
    clock: Arc<dyn Clock>,
) -> Background {
    let shutdown = CancellationToken::new();
    let mut tasks = Vec::new();
    if let Some(options) = roles.workers {
        let queue = workflows
            .jobs()
            .clone()
            .with_tenant_concurrency(options.tenant_concurrency);
        let worker = Worker::new(
            queue.clone(),
            handlers(workflows.clone(), notifier.clone(), billing.clone(), queue),
            options,
        );
        tasks.push(tokio::spawn(worker.run(shutdown.clone())));
        tasks.push(tokio::spawn(reap(workflows.clone(), shutdown.clone())));
    }
    if roles.scheduler {
        let scheduler = Scheduler::new(db.clone(), workflows.jobs().clone(), clock, process_name());
        tasks.push(tokio::spawn(scheduler.run(shutdown.clone())));
    }
    Background { shutdown, tasks }
}

impl Background {
    /// Stops claiming, lets running jobs finish within their grace, hands the rest back.
    pub async fn stop(self) {
        self.shutdown.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Sets stalled executions going again (`WorkflowService::reap_executions`): any worker
/// process may, the row updates make each recovery happen once.
async fn reap(workflows: WorkflowService, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(workflows.reap_every()) => {}
        }
        match workflows.reap_executions(false).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                recovered = n,
                "stalled executions were queued again or failed"
            ),
            Err(e) => tracing::warn!(error = %e, "looking for stalled executions failed"),
        }
    }
}

/// What each job type does.
fn handlers(
    workflows: WorkflowService,
    notifier: Notifier,
    billing: Billing,
    jobs: Queue,
) -> Handlers {
    let scheduled = workflows.clone();
    let queued = workflows.clone();
    let upkeep = (workflows.clone(), notifier.clone(), billing);
    let fan_out = notifier.clone();
    Handlers::new()
        .on(HOUSEKEEPING_JOB, RetryPolicy::default(), move |job| {
            let (workflows, notifier, billing, jobs) = (
                upkeep.0.clone(),
                upkeep.1.clone(),
                upkeep.2.clone(),
                jobs.clone(),
            );
            async move {
                crate::housekeeping::run(&workflows, &notifier, &billing, &jobs, &job.payload)
                    .await
                    .map_err(JobError::Retry)
            }
        })
        .on(EVENT_JOB, RetryPolicy::default(), move |job| {
            let notifier = fan_out.clone();
            async move {
                let tenant = job
                    .tenant
                    .ok_or_else(|| JobError::Fatal("the event names no tenant".into()))?;
                let event: Event = serde_json::from_value(job.payload)
                    .map_err(|e| JobError::Fatal(format!("not an event: {e}")))?;
                match notifier.fan_out(tenant, &event).await {
                    Ok(_) => Ok(()),
                    Err(e @ NotifierError::BadInput(_)) => Err(JobError::Fatal(e.to_string())),
                    Err(e) => Err(JobError::Retry(e.to_string())),
                }
            }
        })
        .on(DELIVER_JOB, DELIVER_RETRY, move |job| {
            let notifier = notifier.clone();
            async move {
                let tenant = job
                    .tenant
                    .ok_or_else(|| JobError::Fatal("the delivery names no tenant".into()))?;
                notifier
                    .deliver(tenant, &job.payload, job.attempt, job.max_attempts)
                    .await
            }
        })
        .on(EXECUTE_JOB, RetryPolicy::default(), move |job| {
            let workflows = queued.clone();
            async move { outcome(workflows.run_queued(&job.payload).await) }
        })
        .on(SCHEDULE_JOB, RetryPolicy::default(), move |job| {
            let workflows = scheduled.clone();
            async move { outcome(workflows.run_scheduled(&job.payload).await) }
        })
        .on(RESUME_JOB, RetryPolicy::default(), move |job| {
            let workflows = workflows.clone();
            async move { outcome(workflows.resume_due(&job.payload).await) }
        })
}

/// A job that ran a workflow succeeded even when the execution failed (that is recorded
/// with the execution); bad payloads are not retried, anything else is.
fn outcome<T>(result: Result<T, WorkflowServiceError>) -> Result<(), JobError> {
    match result {
        Ok(_) => Ok(()),
        Err(e @ WorkflowServiceError::BadInput(_)) => Err(JobError::Fatal(e.to_string())),
        Err(e) => Err(JobError::Retry(e.to_string())),
    }
}
