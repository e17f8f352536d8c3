//! Workflows of a tenant, stored and run: CRUD in n8n's public-API shape, activation with
//! webhook registration, manual runs, executions and production webhooks.
//!
//! Every method takes the caller's `Principal`, checks permission with the one
//! `check_permission`, and works inside a tenant-bound transaction.

mod bodies;
mod credentials;
mod error;
mod executions;
mod expression_preview;
mod jobs;
mod live_updates;
mod records;
mod schedule;
mod scheduled;
mod store;
mod version_history;
mod versions;
mod webhook_access;
mod webhook_cache;
mod webhook_call;
mod webhook_node;
mod webhook_routes;
mod webhooks;

pub use bodies::{CredentialBody, ExecutionBody, WorkflowBody};
pub use credentials::{CredentialInfo, Credentials, NewCredential, open_credential};
pub use error::WorkflowServiceError;
pub use executions::Executions;
pub use executions::editor_runs::EditorRun;
pub use executions::pending::{PENDING_STALE_MS, RUNNING_STALE_MS};
pub use expression_preview::{ExpressionPreview, MAX_PREVIEW_EXPRESSION, PreviewQuery};
pub use jobs::{ExecuteJob, ResumeJob, ScheduleJob, job_handlers};
pub use records::{ExecutionQuery, ExecutionRecord, Page, WorkflowRef};
pub use scheduled::Schedules;
pub use store::{ListQuery, StoredWorkflow};
pub use versions::{MAX_KEPT_VERSIONS, VersionInfo};
pub use webhook_call::{WebhookCall, WebhookReply, WebhookTarget};
pub use webhook_routes::WebhookRouter;
pub use webhooks::TEST_WEBHOOK_TTL_MS;

use agente_core::{Clock, SecretBox};
use agente_engine::Engine;
use agente_store::Db;
use std::sync::Arc;

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

/// Stores and runs workflows: the workflows themselves (`store.rs`) and the parts that own
/// a concern of their own — runs (`Executions`), credentials, webhook routes, schedules.
/// The edges call this facade; each part keeps its state to itself. Cheap to clone.
#[derive(Clone)]
pub struct WorkflowService {
    db: Db,
    engine: Engine,
    clock: Arc<dyn Clock>,
    limits: ServiceLimits,
    credentials: Credentials,
    webhooks: WebhookRouter,
    schedules: Schedules,
    executions: Executions,
    /// Billing, asked before activations (runs ask it through `Executions`).
    usage_gate: Option<Arc<dyn agente_core::UsageGate>>,
    /// Where saves, activations and runs are told (live updates).
    events: agente_events::EventBus,
    /// Expression previews running now, over all tenants (each holds a sandbox).
    previews: Arc<tokio::sync::Semaphore>,
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
        let credentials = Credentials::new(db.clone(), secrets, clock.clone());
        let events = agente_events::EventBus::in_process();
        Self {
            executions: Executions::new(
                db.clone(),
                engine.clone(),
                clock.clone(),
                limits.clone(),
                credentials.clone(),
                jobs.clone(),
            )
            .with_events(events.clone()),
            webhooks: WebhookRouter::new(db.clone(), clock.clone()),
            schedules: Schedules::new(db.clone(), clock.clone(), jobs),
            credentials,
            db,
            engine,
            clock,
            limits,
            usage_gate: None,
            events,
            previews: Arc::new(tokio::sync::Semaphore::new(
                expression_preview::PREVIEWS_AT_ONCE,
            )),
        }
    }

    /// Tells saves, activations and runs on `events` (Postgres or Redis when processes
    /// share the work) instead of this process only.
    pub fn with_events(mut self, events: agente_events::EventBus) -> Self {
        self.executions = self.executions.with_events(events.clone());
        self.events = events;
        self
    }

    /// The bus live updates are heard on.
    pub fn events(&self) -> &agente_events::EventBus {
        &self.events
    }

    /// Sends the service's jobs (queued runs, resumptions, restarts, schedule firings) to
    /// `queue` — Redis when the deployment has it.
    pub fn with_queue(mut self, queue: agente_jobs::Queue) -> Self {
        self.schedules = Schedules::new(self.db.clone(), self.clock.clone(), queue.clone());
        self.executions = self.executions.with_queue(queue);
        self
    }

    /// The job queue the service enqueues to (workers drain the same one).
    pub fn jobs(&self) -> &agente_jobs::Queue {
        self.executions.jobs()
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Runs: manual, queued, waiting, their history and their recovery.
    pub fn executions(&self) -> &Executions {
        &self.executions
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
