//! Runs and their executions: `Executions`, the part of the service that runs workflows and
//! records them (run data gzip-compressed and capped). Every run — manual, webhook,
//! schedule, queued, resumed, sub-workflow, retry — goes through `execute`: admit, prepare,
//! run under watch, then keep what the outcome asks for. Its modules: the lifecycle (every
//! statement that changes an execution row), runs that are rows before they run (`pending`,
//! `queued`, `waiting`), recovery (`reaper`), what members see (`history`), billing's say
//! (`usage`) and the engine's host for sub-workflows and AI nodes (`sub_workflows`).

pub(crate) mod editor_runs;
pub(crate) mod history;
pub(crate) mod lifecycle;
pub(crate) mod live;
pub(crate) mod pending;
pub(crate) mod queued;
pub(crate) mod reaper;
pub(crate) mod run_data;
pub(crate) mod running;
pub(crate) mod sub_workflows;
pub(crate) mod usage;
pub(crate) mod waiting;
pub(crate) mod webhook_run;

use crate::credentials::Credentials;
use crate::error::WorkflowServiceError as E;
use crate::executions::pending::PendingRun;
use crate::executions::sub_workflows::SubWorkflows;
use crate::records::{ExecutionRecord, WorkflowRef};
use crate::store::load;
use crate::{ServiceLimits, WorkflowService};
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::{Clock, ExecutionId, ExecutionMode, ExecutionStatus, TenantId, WorkflowId};
use agente_engine::Engine;
use agente_engine::{Execution, ExecutionError, Item, RunRequest, Suspended};
use agente_store::Db;
use agente_workflow_model::Workflow;
use lifecycle::Run;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Runs shorter than this are written once, when they end.
const VISIBLE_AFTER: Duration = Duration::from_millis(250);

/// Whether a run begins here (`Fresh`) or its row exists already (`Claimed`: a queued or
/// waiting execution a claim has just set `running`, admitted when it began).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Start {
    Fresh,
    Claimed,
}

/// A run's outcome when it suspended at a Wait node: the state to go on from.
struct Waiting {
    state: Vec<u8>,
    suspended: Box<Suspended>,
}

/// Runs workflows and keeps their executions. Cheap to clone.
#[derive(Clone)]
pub struct Executions {
    db: Db,
    engine: Engine,
    clock: Arc<dyn Clock>,
    limits: ServiceLimits,
    credentials: Credentials,
    /// Runs of this process, so a stop reaches them; manual runs per tenant.
    running: running::Running,
    /// Where jobs go: the SQL queue in the service's own database unless `with_queue`.
    jobs: agente_jobs::Queue,
    /// Billing, asked before production runs (`usage.rs`).
    usage_gate: Option<Arc<dyn agente_core::UsageGate>>,
    /// When each tenant's concurrency cap was last taken from its plan (`usage.rs`).
    caps_checked: Arc<std::sync::Mutex<std::collections::HashMap<TenantId, i64>>>,
    /// What AI nodes call (the AI service); they fail with a clear error without.
    language_models: Option<Arc<dyn agente_core::llm::LanguageModels>>,
    /// Where this deployment is reached (`https://…`, no trailing slash), for
    /// `$execution.resumeUrl`; empty for relative URLs.
    public_url: String,
    /// Runs nobody waits for go through the job queue (`queued.rs`), not a local task.
    queue_background_runs: bool,
    /// See `with_running_stale_after_ms`.
    running_stale_ms: i64,
    /// See `with_pending_stale_after_ms`.
    pending_stale_ms: i64,
    /// Where runs are told as they go (live updates): the service's bus.
    events: agente_events::EventBus,
}

impl Executions {
    pub(crate) fn new(
        db: Db,
        engine: Engine,
        clock: Arc<dyn Clock>,
        limits: ServiceLimits,
        credentials: Credentials,
        jobs: agente_jobs::Queue,
    ) -> Self {
        Self {
            db,
            engine,
            clock,
            limits,
            credentials,
            jobs,
            running: running::Running::default(),
            usage_gate: None,
            caps_checked: Arc::default(),
            language_models: None,
            public_url: String::new(),
            queue_background_runs: false,
            running_stale_ms: pending::RUNNING_STALE_MS,
            pending_stale_ms: pending::PENDING_STALE_MS,
            events: agente_events::EventBus::in_process(),
        }
    }

    pub(crate) fn with_events(mut self, events: agente_events::EventBus) -> Self {
        self.events = events;
        self
    }

    pub(crate) fn with_queue(mut self, queue: agente_jobs::Queue) -> Self {
        self.jobs = queue;
        self
    }

    pub(crate) fn jobs(&self) -> &agente_jobs::Queue {
        &self.jobs
    }

    /// How often `heartbeat_at` of a running execution is beaten.
    pub(crate) fn heartbeat_every(&self) -> Duration {
        Duration::from_millis((self.running_stale_ms / 6) as u64)
    }

    /// How often worker processes should call `reap`.
    pub fn reap_every(&self) -> Duration {
        Duration::from_millis((self.running_stale_ms / 2) as u64)
    }
}

/// The settings of runs, set as the service is built.
impl WorkflowService {
    /// Sends runs nobody waits for through the job queue: recorded `new` with a
    /// `workflow.execute` job, so a worker (this process's or another's) runs them and the
    /// reaper restarts them if a process dies. The server does; a service used alone runs
    /// them in tasks.
    pub fn with_queued_background_runs(mut self) -> Self {
        self.executions.queue_background_runs = true;
        self
    }

    /// How long a running execution may go without a heartbeat before the reaper takes its
    /// process as dead (default `RUNNING_STALE_MS`); heartbeats come six times as often.
    pub fn with_running_stale_after_ms(mut self, ms: i64) -> Self {
        self.executions.running_stale_ms = ms.max(1_200);
        self
    }

    /// How long a queued execution, or a waiting one past its time, may go without being
    /// picked up before the reaper enqueues its job again (default `PENDING_STALE_MS`): the
    /// job was lost (Redis lost its contents, or a process died between commit and send).
    pub fn with_pending_stale_after_ms(mut self, ms: i64) -> Self {
        self.executions.pending_stale_ms = ms.max(1_000);
        self
    }

    /// Sets the deployment's public URL (for `$execution.resumeUrl`).
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.executions.public_url = url.trim_end_matches('/').to_string();
        self
    }

    /// Lets AI nodes call language models (the AI service, metered per tenant).
    pub fn with_language_models(
        mut self,
        models: Arc<dyn agente_core::llm::LanguageModels>,
    ) -> Self {
        self.executions.language_models = Some(models);
        self
    }

    /// Asks billing before production runs and activations.
    pub fn with_usage_gate(mut self, gate: Arc<dyn agente_core::UsageGate>) -> Self {
        self.executions.usage_gate = Some(gate.clone());
        self.usage_gate = Some(gate);
        self
    }

    /// Runs stored workflow `id` now from its manual trigger with `items`.
    pub async fn run(
        &self,
        p: &Principal,
        id: WorkflowId,
        items: Vec<Value>,
    ) -> Result<ExecutionRecord, E> {
        self.executions.run(p, id, items).await
    }
}

/// A manual run's input, and for the editor's "execute step" where it ends and what it
/// reuses (see `RunRequest`).
#[derive(Clone, Debug, Default)]
pub(crate) struct ManualRun {
    pub items: Vec<Value>,
    pub destination: Option<String>,
    pub reused: HashMap<String, Vec<Vec<Item>>>,
}

impl Executions {
    /// Runs a stored workflow now from its first trigger with `items` (manual run).
    pub async fn run(
        &self,
        p: &Principal,
        id: WorkflowId,
        items: Vec<Value>,
    ) -> Result<ExecutionRecord, E> {
        let stored = {
            let mut tx = self.db.tenant_read(p.tenant_id).await?;
            load(&mut tx, p, id).await?
        };
        let plain = ManualRun {
            items,
            ..ManualRun::default()
        };
        self.run_manual(p, id, &stored.workflow, plain).await
    }

    /// Runs `workflow` (workflow `id` as stored, or as the editor has it) from its manual
    /// trigger; `run` may end it at a node and reuse earlier outputs.
    pub(crate) async fn run_manual(
        &self,
        p: &Principal,
        id: WorkflowId,
        workflow: &Workflow,
        run: ManualRun,
    ) -> Result<ExecutionRecord, E> {
        check_permission(p, Resource::Workflows, Action::Execute)?;
        let ManualRun {
            items,
            destination,
            reused,
        } = run;
        if items.len() > 10_000 {
            return Err(E::BadInput("at most 10000 input items".into()));
        }
        let cap = match &self.usage_gate {
            Some(gate) => gate.concurrency(p.tenant_id).await.unwrap_or_else(|e| {
                tracing::warn!(tenant = %p.tenant_id, error = %e, "the plan's run cap could not be read");
                None
            }),
            None => None,
        };
        let _slot = self.running.start_manual(p.tenant_id, cap).ok_or_else(|| {
            E::Busy(format!(
                "{} manual runs are running already, as many as the plan allows at once; \
                 try again when one ends",
                cap.unwrap_or_default()
            ))
        })?;
        let start = workflow
            .nodes()
            .iter()
            .find(|n| n.kind == "n8n-nodes-base.manualTrigger" && !n.is_disabled())
            .map(|n| n.name.clone());
        let request = RunRequest {
            start,
            items: items.into_iter().map(Item::from_returned).collect(),
            mode: ExecutionMode::Manual,
            now_ms: self.clock.now_ms(),
            // A waiting run goes on without the step's bounds: a step does not wait long.
            durable_waits: destination.is_none(),
            destination,
            reused,
            ..RunRequest::default()
        };
        self.execute_and_record(p, id.into(), workflow, request)
            .await
    }

    /// Runs `workflow` (or resumes a waiting run of it) and stores the execution, honouring
    /// `saveDataSuccessExecution` / `saveDataErrorExecution` = `none`. A run that lasts
    /// longer than `VISIBLE_AFTER` is recorded as `running` first (so it can be listed and
    /// stopped); a short one costs a single write. A run that suspends at a Wait node is
    /// stored `waiting` with its state. A failed non-manual run starts the workflow's error
    /// workflow.
    pub(crate) async fn execute_and_record(
        &self,
        p: &Principal,
        workflow_id: WorkflowRef,
        workflow: &Workflow,
        request: RunRequest,
    ) -> Result<ExecutionRecord, E> {
        self.execute(p, workflow_id, workflow, request, Start::Fresh)
            .await
    }

    /// Runs as `execute_and_record` does; `start` says whether the execution's row exists
    /// already (a claim has just set a queued or waiting one `running`).
    pub(crate) async fn execute(
        &self,
        p: &Principal,
        workflow_id: WorkflowRef,
        workflow: &Workflow,
        request: RunRequest,
        start: Start,
    ) -> Result<ExecutionRecord, E> {
        let claimed = start == Start::Claimed;
        // A claimed run (queued, or waiting and resumed) was admitted when it began.
        if !claimed {
            self.admit_run(p.tenant_id, request.execution_id, request.mode)
                .await?;
        }
        let mut request = self.prepare(p, workflow, request).await?;
        let live = live::LiveRun::start(&self.events, p.tenant_id, workflow_id, &mut request);
        let run = Run {
            tenant: p.tenant_id,
            id: request.execution_id,
            workflow: workflow_id,
            mode: request.mode,
            started_at: request.now_ms,
        };
        let (mut execution, recorded_running) =
            self.run_watched(p, &run, workflow, request, claimed).await;
        let waiting = self.keep_waiting_state(workflow, &mut execution);
        let finished_at = self.clock.now_ms().max(run.started_at);
        let record = ExecutionRecord {
            id: run.id,
            workflow_id,
            status: execution.status,
            mode: run.mode,
            started_at: run.started_at,
            finished_at: waiting.is_none().then_some(finished_at),
            wait_till: waiting.as_ref().and_then(|w| w.suspended.wait_till_ms),
            error: execution.error.as_ref().map(|e| e.message.clone()),
            execution: Some(execution),
            data: None,
        };
        match waiting {
            Some(waiting) => self.record_suspended(p, &record, waiting).await?,
            None => {
                self.after_failure(p, workflow, &record).await;
                self.record_finished(&run, workflow, &record, finished_at, recorded_running)
                    .await?;
            }
        }
        // Told once recorded: a browser that reads the execution on hearing it finds it.
        if let Some(live) = live {
            live.finish(&record);
        }
        Ok(record)
    }

    /// What a run needs from the service: the credentials it uses, its tenant's sandboxes,
    /// the service as its host, and where a call resumes it.
    async fn prepare(
        &self,
        p: &Principal,
        workflow: &Workflow,
        mut request: RunRequest,
    ) -> Result<RunRequest, E> {
        if request.credentials.is_empty() && Credentials::used_by(workflow) {
            let mut tx = self.db.tenant_read(p.tenant_id).await?;
            request.credentials = self
                .credentials
                .for_workflow(&mut tx, p.tenant_id, workflow)
                .await?;
        }
        // Sandboxes are reused only within a tenant: nothing one tenant's code leaves in a
        // JavaScript context can reach another's.
        request.sandbox_key = p.tenant_id.to_string();
        request.host = Some(Arc::new(SubWorkflows {
            executions: self.clone(),
            principal: p.clone(),
        }));
        request.resume_url = format!(
            "{}/webhook-waiting/{}",
            self.public_url, request.execution_id
        );
        Ok(request)
    }

    /// Runs on the engine while this process can be asked to stop it and beats its
    /// heartbeat; a fresh run becomes visible as `running` once it outlasts `VISIBLE_AFTER`.
    /// Answers the outcome and whether the execution's row exists as `running`.
    async fn run_watched(
        &self,
        p: &Principal,
        run: &Run,
        workflow: &Workflow,
        request: RunRequest,
        claimed: bool,
    ) -> (Execution, bool) {
        let cancel = request.cancel.clone();
        let _registration = self.running.register(run.id, p.tenant_id, cancel.clone());
        // The recorder is a task of its own: a node running JavaScript may hold this task's
        // thread (`block_in_place`), and the run must still become visible and stoppable.
        let (finished, finished_rx) = oneshot::channel();
        let recorder = (!claimed).then(|| self.record_when_slow(*run, cancel.clone(), finished_rx));
        let watcher = claimed.then(|| self.watch_running(p.tenant_id, run.id, cancel));
        let execution = self.engine.run(workflow, request).await;
        if let Some(watcher) = watcher {
            watcher.abort();
        }
        let recorded_running = match recorder {
            None => claimed,
            Some(recorder) => {
                let _ = finished.send(());
                recorder.await.unwrap_or(false)
            }
        };
        (execution, recorded_running)
    }

    /// A run that waits keeps its state; one too large to keep fails instead.
    fn keep_waiting_state(
        &self,
        workflow: &Workflow,
        execution: &mut Execution,
    ) -> Option<Waiting> {
        let suspended = execution.suspended.take()?;
        match PendingRun::encode_waiting(workflow, &suspended, self.limits.max_execution_data_bytes)
        {
            Ok(state) => Some(Waiting { state, suspended }),
            Err(message) => {
                execution.status = ExecutionStatus::Error;
                execution.error = Some(ExecutionError {
                    node: Some(suspended.node.clone()),
                    message,
                });
                None
            }
        }
    }

    /// A failed production run starts its error workflow (unless it is one) and tells the
    /// notifier.
    async fn after_failure(&self, p: &Principal, workflow: &Workflow, record: &ExecutionRecord) {
        if record.status != ExecutionStatus::Error || record.mode == ExecutionMode::Manual {
            return;
        }
        if record.mode != ExecutionMode::Error {
            self.start_error_workflow(p, workflow, record);
        }
        self.announce_failure(p, workflow, record).await;
    }

    /// Writes the finished run, unless its workflow keeps no data for this outcome
    /// (`saveData…Execution: none`): then only billing hears of it, and a row that was
    /// visible as `running` goes.
    async fn record_finished(
        &self,
        run: &Run,
        workflow: &Workflow,
        record: &ExecutionRecord,
        finished_at: i64,
        recorded_running: bool,
    ) -> Result<(), E> {
        let setting = if record.status == ExecutionStatus::Success {
            "saveDataSuccessExecution"
        } else {
            "saveDataErrorExecution"
        };
        if workflow.setting(setting).and_then(Value::as_str) == Some("none") {
            self.record_unsaved_run(run.tenant, run.id, run.mode).await;
            if recorded_running {
                lifecycle::forget(&self.db, run.tenant, run.id).await?;
            }
            return Ok(());
        }
        let data = record
            .encoded_data(self.limits.max_execution_data_bytes)
            .unwrap_or_default();
        lifecycle::finish(
            &self.db,
            run,
            record.status,
            finished_at,
            record.error.clone(),
            data,
        )
        .await?;
        Ok(())
    }

    /// Stores a run suspended at a Wait node (`waiting.rs`).
    async fn record_suspended(
        &self,
        p: &Principal,
        record: &ExecutionRecord,
        waiting: Waiting,
    ) -> Result<(), E> {
        let data = record
            .encoded_data(self.limits.max_execution_data_bytes)
            .unwrap_or_default();
        self.record_waiting(p, record, data, waiting.state, &waiting.suspended)
            .await
    }

    /// Records `run` as `running` if it has not finished within `VISIBLE_AFTER`, then
    /// watches it until `finished` fires. Answers whether the row was written.
    fn record_when_slow(
        &self,
        run: Run,
        cancel: CancellationToken,
        finished: oneshot::Receiver<()>,
    ) -> JoinHandle<bool> {
        let service = self.clone();
        tokio::spawn(async move {
            tokio::pin!(finished);
            tokio::select! {
                _ = &mut finished => return false,
                () = tokio::time::sleep(VISIBLE_AFTER) => {}
            }
            if let Err(e) = lifecycle::insert_running(&service.db, &run).await {
                tracing::warn!(error = %e, execution = %run.id, "could not record a running execution");
                return false;
            }
            let watcher = service.watch_running(run.tenant, run.id, cancel);
            let _ = finished.await;
            watcher.abort();
            true
        })
    }

    /// Watches execution `id` while it runs here: checks every second whether another
    /// process asked to stop it, and cancels it if so; beats the row's heartbeat
    /// (`heartbeat_every`), which tells the reaper this process still runs it. Ends when
    /// aborted (the run has finished).
    fn watch_running(
        &self,
        tenant: TenantId,
        id: ExecutionId,
        cancel: CancellationToken,
    ) -> tokio::task::AbortHandle {
        let (db, clock) = (self.db.clone(), self.clock.clone());
        let mut beat = tokio::time::interval(self.heartbeat_every());
        let mut check = tokio::time::interval(Duration::from_secs(1));
        beat.reset();
        check.reset();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = beat.tick() => {
                        if let Err(e) = lifecycle::heartbeat(&db, tenant, id, clock.now_ms()).await {
                            tracing::warn!(error = %e, execution = %id, "beating an execution's heartbeat failed");
                        }
                        continue;
                    }
                    _ = check.tick() => {}
                }
                match lifecycle::stop_requested(&db, tenant, id).await {
                    Ok(true) => {
                        cancel.cancel();
                        return;
                    }
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, execution = %id, "checking for a stop request failed"),
                }
            }
        })
        .abort_handle()
    }

    /// Tells the notifier a production execution failed (its `execution.failed` rules). A
    /// lost notification must not fail the execution: a queue error is logged.
    async fn announce_failure(&self, p: &Principal, workflow: &Workflow, failed: &ExecutionRecord) {
        let error = failed.execution.as_ref().and_then(|e| e.error.as_ref());
        let event = agente_notify::Event::execution_failed(
            &failed.id.to_string(),
            &failed.workflow_id.to_string(),
            workflow.name(),
            failed.mode.as_str(),
            error.map(|e| e.message.as_str()).unwrap_or("unknown error"),
            error.and_then(|e| e.node.as_deref()),
            self.clock.now_ms(),
        );
        match self.jobs.enqueue(event.job(p.tenant_id)).await {
            Ok(_) | Err(agente_jobs::QueueError::Duplicate) => {}
            Err(e) => tracing::warn!(error = %e, execution = %failed.id,
                "the notifier was not told about a failed execution"),
        }
    }

    /// Runs the workflow named in `settings.errorWorkflow` with n8n's Error Trigger item.
    fn start_error_workflow(&self, p: &Principal, workflow: &Workflow, failed: &ExecutionRecord) {
        let Some(named) = workflow
            .setting("errorWorkflow")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
        else {
            return;
        };
        let Ok(error_workflow) = named.parse::<WorkflowId>() else {
            tracing::warn!(workflow = %named, "the error workflow does not exist");
            return;
        };
        let item = json!({
            "execution": {
                "id": failed.id,
                "url": format!("/executions/{}", failed.id),
                "retryOf": null,
                "error": { "message": failed.error, "node": failed.execution.as_ref().and_then(|e| e.error.as_ref()).and_then(|e| e.node.clone()) },
                "lastNodeExecuted": failed.execution.as_ref().and_then(|e| e.last_node.clone()),
                "mode": failed.mode,
            },
            "workflow": { "id": failed.workflow_id.to_string(), "name": workflow.name() },
        });
        let service = self.clone();
        let principal = p.clone();
        tokio::spawn(async move {
            let result = async {
                let stored = {
                    let mut tx = service.db.tenant_read(principal.tenant_id).await?;
                    load(&mut tx, &principal, error_workflow).await?
                };
                let start = stored
                    .workflow
                    .nodes()
                    .iter()
                    .find(|n| n.kind == "n8n-nodes-base.errorTrigger" && !n.is_disabled())
                    .map(|n| n.name.clone())
                    .ok_or_else(|| E::BadInput("the error workflow has no Error Trigger".into()))?;
                let request = RunRequest {
                    start: Some(start),
                    items: vec![Item::from_value(item)],
                    mode: ExecutionMode::Error,
                    now_ms: service.clock.now_ms(),
                    durable_waits: true,
                    ..RunRequest::default()
                };
                service
                    .execute_and_record(
                        &principal,
                        error_workflow.into(),
                        &stored.workflow,
                        request,
                    )
                    .await
            };
            if let Err(e) = Box::pin(result).await {
                tracing::warn!(error = %e, workflow = %error_workflow, "the error workflow did not run");
            }
        });
    }
}
