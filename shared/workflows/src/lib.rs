//! Workflows of a tenant, stored and run: CRUD in n8n's public-API shape, activation with
//! webhook registration, manual runs, executions and production webhooks.
//!
//! Every method takes the caller's `Principal`, checks permission with the one
//! `check_permission`, and works inside a tenant-bound transaction.

mod credentials;
mod executions;
mod history;
mod jobs;
mod lifecycle;
mod pending;
mod queued;
mod reaper;
mod records;
mod run_data;
mod running;
mod schedule;
mod scheduled;
mod store;
mod sub_workflows;
mod usage;
mod waiting;
mod webhook_access;
mod webhook_cache;
mod webhook_call;
mod webhook_node;
mod webhook_routes;
mod webhooks;

pub use credentials::{CredentialInfo, Credentials, NewCredential, open_credential};
pub use jobs::{ExecuteJob, ResumeJob, ScheduleJob, job_handlers};
pub use pending::{PENDING_STALE_MS, RUNNING_STALE_MS};
pub use records::{ExecutionQuery, ExecutionRecord, Page, WorkflowRef};
pub use scheduled::Schedules;
pub use store::{ListQuery, StoredWorkflow};
pub use webhook_call::{WebhookCall, WebhookReply, WebhookTarget};
pub use webhook_routes::WebhookRouter;
pub use webhooks::TEST_WEBHOOK_TTL_MS;

use WorkflowServiceError as E;
use agente_auth::AuthError;
use agente_core::{Classified, Clock, ErrorKind, SecretBox};
use agente_engine::Engine;
use agente_store::{Db, StoreError};
use agente_workflow_model::validate::{Issue, Severity};
use std::sync::Arc;

/// Why a workflow operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowServiceError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("the workflow is not valid: {}", summary(.0))]
    Invalid(Vec<Issue>),
    #[error("{0}")]
    BadInput(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// Billing said no: a quota is used up or a plan limit reached.
    #[error(transparent)]
    Refused(#[from] agente_core::Refusal),
    /// As many runs as the plan allows at once are running; try again when one ends.
    #[error("{0}")]
    Busy(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bug (a panicked task); details are logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<agente_store::sqlx::Error> for WorkflowServiceError {
    fn from(err: agente_store::sqlx::Error) -> Self {
        WorkflowServiceError::Store(err.into())
    }
}

impl Classified for WorkflowServiceError {
    fn kind(&self) -> ErrorKind {
        match self {
            E::Auth(e) => e.kind(),
            E::Invalid(_) => ErrorKind::Invalid,
            E::BadInput(_) => ErrorKind::BadInput,
            E::NotFound(_) => ErrorKind::NotFound,
            E::Conflict(_) => ErrorKind::Conflict,
            E::Refused(r) => r.kind(),
            E::Busy(_) => ErrorKind::TooMany,
            E::Store(e) => e.kind(),
            E::Internal(_) => ErrorKind::Internal,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            E::Auth(e) => e.code(),
            E::Invalid(_) => "invalid_workflow",
            E::BadInput(_) => "bad_input",
            E::NotFound(_) => "not_found",
            E::Conflict(_) => "conflict",
            E::Refused(r) => r.code(),
            E::Busy(_) => "too_many_runs",
            E::Store(e) => e.code(),
            E::Internal(_) => "internal",
        }
    }

    fn public_message(&self) -> String {
        match self {
            E::Auth(e) => e.public_message(),
            E::Store(e) => e.public_message(),
            E::Internal(_) => "an internal error occurred".into(),
            other => other.to_string(),
        }
    }

    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            E::Auth(e) => e.retry_after_secs(),
            _ => None,
        }
    }
}

fn summary(issues: &[Issue]) -> String {
    let errors: Vec<String> = issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| match &i.node {
            Some(node) => format!("{} (node `{node}`, {})", i.message, i.path),
            None => format!("{} ({})", i.message, i.path),
        })
        .collect();
    errors.join("; ")
}

/// Limits that keep one tenant from hurting the others.
#[derive(Clone, Debug)]
pub struct ServiceLimits {
    /// Largest workflow document accepted, in bytes of JSON.
    pub max_workflow_bytes: usize,
    /// Largest compressed run data stored per execution.
    pub max_execution_data_bytes: usize,
}

impl Default for ServiceLimits {
    fn default() -> Self {
        Self {
            max_workflow_bytes: 4 * 1024 * 1024,
            max_execution_data_bytes: 8 * 1024 * 1024,
        }
    }
}

/// Stores and runs workflows: the workflows themselves (`store.rs`) and runs, with the
/// parts that own a concern of their own (credentials, webhook routes, schedules). Cheap to
/// clone.
#[derive(Clone)]
pub struct WorkflowService {
    pub(crate) db: Db,
    pub(crate) engine: Engine,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) limits: ServiceLimits,
    pub(crate) running: running::Running,
    pub(crate) credentials: Credentials,
    pub(crate) webhooks: WebhookRouter,
    pub(crate) schedules: Schedules,
    /// Where this deployment is reached (`https://…`, no trailing slash), for
    /// `$execution.resumeUrl`; empty for relative URLs.
    pub(crate) public_url: String,
    /// Runs nobody waits for go through the job queue (`queued.rs`), not a local task.
    pub(crate) queue_background_runs: bool,
    /// See `with_running_stale_after_ms`.
    pub(crate) running_stale_ms: i64,
    /// See `with_pending_stale_after_ms`.
    pub(crate) pending_stale_ms: i64,
    /// Where jobs go: the SQL queue in the service's own database unless `with_queue`.
    pub(crate) jobs: agente_jobs::Queue,
    /// Billing, asked before production runs and activations (`usage.rs`).
    pub(crate) usage_gate: Option<Arc<dyn agente_core::UsageGate>>,
    /// When each tenant's concurrency cap was last taken from its plan (`usage.rs`).
    pub(crate) caps_checked:
        Arc<std::sync::Mutex<std::collections::HashMap<agente_core::TenantId, i64>>>,
    /// What AI nodes call (the AI service); they fail with a clear error without.
    pub(crate) language_models: Option<Arc<dyn agente_core::llm::LanguageModels>>,
}

impl WorkflowService {
    pub fn new(
        db: Db,
        engine: Engine,
        secrets: SecretBox,
        clock: Arc<dyn Clock>,
        limits: ServiceLimits,
    ) -> Self {
        let jobs: agente_jobs::Queue = agente_jobs::SqlQueue::new(db.clone(), clock.clone()).into();
        Self {
            credentials: Credentials::new(db.clone(), secrets, clock.clone()),
            webhooks: WebhookRouter::new(db.clone(), clock.clone()),
            schedules: Schedules::new(db.clone(), clock.clone(), jobs.clone()),
            db,
            engine,
            clock,
            limits,
            jobs,
            usage_gate: None,
            language_models: None,
            caps_checked: Arc::default(),
            running: running::Running::default(),
            public_url: String::new(),
            queue_background_runs: false,
            running_stale_ms: pending::RUNNING_STALE_MS,
            pending_stale_ms: pending::PENDING_STALE_MS,
        }
    }

    /// Sends the service's jobs (queued runs, resumptions, restarts) to `queue` — Redis when
    /// the deployment has it.
    pub fn with_queue(mut self, queue: agente_jobs::Queue) -> Self {
        self.schedules = Schedules::new(self.db.clone(), self.clock.clone(), queue.clone());
        self.jobs = queue;
        self
    }

    /// Sends runs nobody waits for through the job queue: recorded `new` with a
    /// `workflow.execute` job, so a worker (this process's or another's) runs them and the
    /// reaper restarts them if a process dies. The server does; a service used alone runs
    /// them in tasks.
    pub fn with_queued_background_runs(mut self) -> Self {
        self.queue_background_runs = true;
        self
    }

    /// How long a running execution may go without a heartbeat before the reaper takes its
    /// process as dead (default `RUNNING_STALE_MS`); heartbeats come six times as often.
    pub fn with_running_stale_after_ms(mut self, ms: i64) -> Self {
        self.running_stale_ms = ms.max(1_200);
        self
    }

    /// How long a queued execution, or a waiting one past its time, may go without being
    /// picked up before the reaper enqueues its job again (default `PENDING_STALE_MS`): the
    /// job was lost (Redis lost its contents, or a process died between commit and send).
    pub fn with_pending_stale_after_ms(mut self, ms: i64) -> Self {
        self.pending_stale_ms = ms.max(1_000);
        self
    }

    /// How often `heartbeat_at` of a running execution is beaten.
    pub(crate) fn heartbeat_every(&self) -> std::time::Duration {
        std::time::Duration::from_millis((self.running_stale_ms / 6) as u64)
    }

    /// How often worker processes should call `reap_executions`.
    pub fn reap_every(&self) -> std::time::Duration {
        std::time::Duration::from_millis((self.running_stale_ms / 2) as u64)
    }

    /// Sets the deployment's public URL (see `public_url`).
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = url.trim_end_matches('/').to_string();
        self
    }

    /// Lets AI nodes call language models (the AI service, metered per tenant).
    pub fn with_language_models(
        mut self,
        models: Arc<dyn agente_core::llm::LanguageModels>,
    ) -> Self {
        self.language_models = Some(models);
        self
    }

    /// The job queue the service enqueues to (workers drain the same one).
    pub fn jobs(&self) -> &agente_jobs::Queue {
        &self.jobs
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The tenant's credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Webhook routes (test listening, housekeeping).
    pub fn webhooks(&self) -> &WebhookRouter {
        &self.webhooks
    }

    /// Schedule triggers' schedules and their history.
    pub fn schedules(&self) -> &Schedules {
        &self.schedules
    }
}
