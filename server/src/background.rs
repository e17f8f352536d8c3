//! The process's background roles: workers draining the job queue, and the scheduler that
//! turns schedule triggers into jobs. `agente serve` runs both beside the web server (the
//! embedded default); `agente worker` and `agente scheduler` run one role alone, so web,
//! worker and scheduler processes can be scaled apart over one database.

use agente_core::SystemClock;
use agente_jobs::{Handlers, RetryPolicy, Scheduler, SqlQueue, Worker, WorkerOptions};
use agente_store::Db;
use agente_workflows::service::{SCHEDULE_JOB, WorkflowService};
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

pub fn start(db: &Db, workflows: &WorkflowService, roles: Roles) -> Background {
    let shutdown = CancellationToken::new();
    let mut tasks = Vec::new();
    if let Some(options) = roles.workers {
        let queue = SqlQueue::new(db.clone(), Arc::new(SystemClock));
        let worker = Worker::new(queue, handlers(workflows.clone()), options);
        tasks.push(tokio::spawn(worker.run(shutdown.clone())));
    }
    if roles.scheduler {
        let scheduler = Scheduler::new(db.clone(), Arc::new(SystemClock), process_name());
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

/// What each job type does.
fn handlers(workflows: WorkflowService) -> Handlers {
    Handlers::new().on(SCHEDULE_JOB, RetryPolicy::default(), move |job| {
        let workflows = workflows.clone();
        async move {
            match workflows.run_scheduled(&job.payload).await {
                // A failed execution is recorded as such; the firing itself succeeded.
                Ok(_) => Ok(()),
                Err(e @ agente_workflows::service::WorkflowServiceError::BadInput(_)) => {
                    Err(agente_jobs::JobError::Fatal(e.to_string()))
                }
                Err(e) => Err(agente_jobs::JobError::Retry(e.to_string())),
            }
        }
    })
}
