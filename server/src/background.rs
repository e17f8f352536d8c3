//! The process's background roles: workers draining the job queue, and the scheduler that
//! turns schedule triggers into jobs. `agente serve` runs both beside the web server (the
//! embedded default); `agente worker` and `agente scheduler` run one role alone, so web,
//! worker and scheduler processes can be scaled apart over one database.

use agente_billing::Billing;
use agente_core::Clock;
use agente_jobs::{Handlers, Queue, Scheduler, Worker, WorkerOptions};
use agente_notify::Notifier;
use agente_store::Db;
use agente_workflows::WorkflowService;
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
        let handlers = handlers(workflows, notifier, billing, &queue);
        let worker = Worker::new(queue, handlers, options);
        tasks.push(tokio::spawn(worker.run(shutdown.clone())));
        tasks.push(tokio::spawn(workflows.clone().reap_until(shutdown.clone())));
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

/// What each job type does: every domain's handlers.
fn handlers(
    workflows: &WorkflowService,
    notifier: &Notifier,
    billing: &Billing,
    jobs: &Queue,
) -> Handlers {
    agente_workflows::job_handlers(workflows)
        .merge(agente_notify::job_handlers(notifier))
        .merge(crate::housekeeping::job_handlers(
            workflows, notifier, billing, jobs,
        ))
}
