//! Running workflows and keeping their executions (run data gzip-compressed and capped).

use super::pending::PendingRun;
use super::run_data;
use super::store::load;
use super::sub_workflows::SubWorkflows;
use super::{Page, WorkflowService, WorkflowServiceError as E};
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::UserId;
use agente_engine::{Execution, ExecutionError, ExecutionStatus, Item, RunRequest};
use agente_store::sqlx::query;
use agente_store::{AnyRow, Row, Statement};
use agente_workflow_model::Workflow;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// Runs shorter than this are written once, when they end.
const VISIBLE_AFTER: Duration = Duration::from_millis(250);

/// An execution as stored.
#[derive(Clone, Debug)]
pub struct ExecutionRecord {
    pub id: String,
    pub workflow_id: String,
    pub status: String,
    pub mode: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// When a waiting execution goes on by itself.
    pub wait_till: Option<i64>,
    pub error: Option<String>,
    /// Present for a run that just finished, or when asked for with `includeData`.
    pub execution: Option<Execution>,
    pub data: Option<Value>,
}

impl ExecutionRecord {
    /// n8n's public-API shape.
    pub fn to_api(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "finished": matches!(self.status.as_str(), "success"),
            "mode": self.mode,
            "retryOf": null,
            "retrySuccessId": null,
            "startedAt": iso(self.started_at),
            "stoppedAt": self.finished_at.map(iso),
            "workflowId": self.workflow_id,
            "waitTill": self.wait_till.filter(|_| self.status == "waiting").map(iso),
            "status": self.status,
        });
        let data = self
            .data
            .clone()
            .or_else(|| self.execution.as_ref().map(result_data));
        if let Some(data) = data {
            v["data"] = data;
        }
        v
    }
}

/// `resultData` as n8n stores it.
fn result_data(e: &Execution) -> Value {
    json!({ "resultData": {
        "runData": e.run_data,
        "lastNodeExecuted": e.last_node,
        "error": e.error.as_ref().map(|err| json!({ "message": err.message, "node": err.node })),
    }})
}

/// `GET /executions` filters.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionQuery {
    pub workflow_id: Option<String>,
    pub status: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    pub include_data: Option<bool>,
}

/// Unix milliseconds as ISO-8601 UTC.
pub fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

impl WorkflowService {
    /// Runs a stored workflow now from its first trigger with `items` (manual run).
    pub async fn run(
        &self,
        p: &Principal,
        id: &str,
        items: Vec<Value>,
    ) -> Result<ExecutionRecord, E> {
        check_permission(p, Resource::Workflows, Action::Execute)?;
        let stored = {
            let mut tx = self.db.tenant_read(p.tenant_id).await?;
            load(&mut tx, p, id).await?
        };
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
        let start = stored
            .workflow
            .nodes()
            .iter()
            .find(|n| n.kind == "n8n-nodes-base.manualTrigger" && !n.is_disabled())
            .map(|n| n.name.clone());
        let request = RunRequest {
            start,
            items: items.into_iter().map(Item::from_returned).collect(),
            execution_id: UserId::new().to_string(),
            mode: "manual".into(),
            now_ms: self.clock.now_ms(),
            durable_waits: true,
            ..RunRequest::default()
        };
        self.execute_and_record(p, id, &stored.workflow, request)
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
        workflow_id: &str,
        workflow: &Workflow,
        request: RunRequest,
    ) -> Result<ExecutionRecord, E> {
        self.execute(p, workflow_id, workflow, request, false).await
    }

    /// The same for an execution whose row a claim has just set `running` (queued or
    /// waiting before).
    pub(crate) async fn execute_claimed(
        &self,
        p: &Principal,
        workflow_id: &str,
        workflow: &Workflow,
        request: RunRequest,
    ) -> Result<ExecutionRecord, E> {
        self.execute(p, workflow_id, workflow, request, true).await
    }

    async fn execute(
        &self,
        p: &Principal,
        workflow_id: &str,
        workflow: &Workflow,
        mut request: RunRequest,
        claimed: bool,
    ) -> Result<ExecutionRecord, E> {
        // A claimed run (queued, or waiting and resumed) was admitted when it began.
        if !claimed {
            self.admit_run(p.tenant_id, &request.execution_id, &request.mode)
                .await?;
        }
        if request.credentials.is_empty() && Self::uses_credentials(workflow) {
            let mut tx = self.db.tenant_read(p.tenant_id).await?;
            request.credentials = self.credentials_for(&mut tx, p.tenant_id, workflow).await?;
        }
        // Sandboxes are reused only within a tenant: nothing one tenant's code leaves in a
        // JavaScript context can reach another's.
        request.sandbox_key = p.tenant_id.to_string();
        request.host = Some(Arc::new(SubWorkflows {
            service: self.clone(),
            principal: p.clone(),
        }));
        request.resume_url = format!(
            "{}/webhook-waiting/{}",
            self.public_url, request.execution_id
        );
        let id = request.execution_id.clone();
        let mode = request.mode.clone();
        let started_at = request.now_ms;
        let cancel = request.cancel.clone();
        let _registration = self.running.register(&id, p.tenant_id, cancel.clone());
        // The recorder is a task of its own: a node running JavaScript may hold this task's
        // thread (`block_in_place`), and the run must still become visible and stoppable.
        let (finished, finished_rx) = tokio::sync::oneshot::channel();
        let recorder = (!claimed).then(|| {
            self.record_when_slow(
                p,
                &id,
                workflow_id,
                &mode,
                started_at,
                cancel.clone(),
                finished_rx,
            )
        });
        let watcher = claimed.then(|| self.watch_running(p.tenant_id, &id, cancel));
        let mut execution = self.engine.run(workflow, request).await;
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
        // A run that waits keeps its state; one too large to keep fails instead.
        let resume_state = execution.suspended.take().and_then(|suspended| {
            match PendingRun::encode_waiting(
                workflow,
                &suspended,
                self.limits.max_execution_data_bytes,
            ) {
                Ok(state) => Some((state, suspended)),
                Err(message) => {
                    execution.status = ExecutionStatus::Error;
                    execution.error = Some(ExecutionError {
                        node: Some(suspended.node.clone()),
                        message,
                    });
                    None
                }
            }
        });
        let finished_at = self.clock.now_ms().max(started_at);
        let status = execution.status.as_str();
        let record = ExecutionRecord {
            id: id.clone(),
            workflow_id: workflow_id.to_string(),
            status: status.into(),
            mode: mode.clone(),
            started_at,
            finished_at: resume_state.is_none().then_some(finished_at),
            wait_till: resume_state.as_ref().and_then(|(_, s)| s.wait_till_ms),
            error: execution.error.as_ref().map(|e| e.message.clone()),
            execution: Some(execution),
            data: None,
        };
        if let Some((state, suspended)) = resume_state {
            let data = run_data::encode(
                &result_data(record.execution.as_ref().expect("just set")),
                self.limits.max_execution_data_bytes,
            );
            self.record_waiting(p, &record, data, state, &suspended)
                .await?;
            return Ok(record);
        }
        if status == "error" && mode != "manual" && mode != "error" {
            self.start_error_workflow(p, workflow_id, workflow, &record);
        }
        if status == "error" && mode != "manual" {
            self.announce_failure(p, workflow_id, workflow, &record)
                .await;
        }
        let setting = if status == "success" {
            "saveDataSuccessExecution"
        } else {
            "saveDataErrorExecution"
        };
        if workflow.setting(setting).and_then(Value::as_str) == Some("none") {
            self.record_unsaved_run(p.tenant_id, &id, &mode).await;
            if recorded_running {
                self.db
                    .tenant_execute(
                        p.tenant_id,
                        query("DELETE FROM executions WHERE id = $1 AND tenant_id = $2")
                            .bind(&id)
                            .bind(p.tenant_id.to_string()),
                    )
                    .await?;
            }
            return Ok(record);
        }
        let data = run_data::encode(
            &result_data(record.execution.as_ref().expect("just set")),
            self.limits.max_execution_data_bytes,
        );
        // Executions ending together share one commit (group commit).
        self.db
            .tenant_execute_grouped(
                p.tenant_id,
                Statement::new(
                    "INSERT INTO executions (id, tenant_id, workflow_id, status, mode, started_at, finished_at, error, data) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (id) DO UPDATE SET status = excluded.status, finished_at = excluded.finished_at, \
                     error = excluded.error, data = excluded.data, wait_till = NULL, resume_state = NULL",
                )
                .bind(id)
                .bind(p.tenant_id.to_string())
                .bind(workflow_id)
                .bind(status)
                .bind(mode)
                .bind(started_at)
                .bind(finished_at)
                .bind(record.error.clone())
                .bind(data),
            )
            .await?;
        Ok(record)
    }

    /// Records execution `id` as `running` if it has not finished within `VISIBLE_AFTER`,
    /// then watches it until `finished` fires. Answers whether the row was written.
    #[allow(clippy::too_many_arguments)]
    fn record_when_slow(
        &self,
        p: &Principal,
        id: &str,
        workflow_id: &str,
        mode: &str,
        started_at: i64,
        cancel: tokio_util::sync::CancellationToken,
        finished: tokio::sync::oneshot::Receiver<()>,
    ) -> tokio::task::JoinHandle<bool> {
        let service = self.clone();
        let (p, id, workflow_id, mode) = (
            p.clone(),
            id.to_string(),
            workflow_id.to_string(),
            mode.to_string(),
        );
        tokio::spawn(async move {
            tokio::pin!(finished);
            tokio::select! {
                _ = &mut finished => return false,
                () = tokio::time::sleep(VISIBLE_AFTER) => {}
            }
            if let Err(e) = service
                .record_running(&p, &id, &workflow_id, &mode, started_at)
                .await
            {
                tracing::warn!(error = %e, execution = %id, "could not record a running execution");
                return false;
            }
            let watcher = service.watch_running(p.tenant_id, &id, cancel);
            let _ = finished.await;
            watcher.abort();
            true
        })
    }

    async fn record_running(
        &self,
        p: &Principal,
        id: &str,
        workflow_id: &str,
        mode: &str,
        started_at: i64,
    ) -> Result<(), E> {
        self.db
            .tenant_execute(
                p.tenant_id,
                query(
                    "INSERT INTO executions (id, tenant_id, workflow_id, status, mode, started_at) \
                     VALUES ($1, $2, $3, 'running', $4, $5)",
                )
                .bind(id)
                .bind(p.tenant_id.to_string())
                .bind(workflow_id)
                .bind(mode)
                .bind(started_at),
            )
            .await?;
        Ok(())
    }

    /// Watches execution `id` while it runs here: checks every second whether another
    /// process asked to stop it, and cancels it if so; beats the row's heartbeat
    /// (`heartbeat_every`), which tells the reaper this process still runs it. Ends when
    /// aborted (the run has finished).
    fn watch_running(
        &self,
        tenant: agente_core::TenantId,
        id: &str,
        cancel: tokio_util::sync::CancellationToken,
    ) -> tokio::task::AbortHandle {
        let (db, clock, id) = (self.db.clone(), self.clock.clone(), id.to_string());
        let mut beat = tokio::time::interval(self.heartbeat_every());
        let mut check = tokio::time::interval(Duration::from_secs(1));
        beat.reset();
        check.reset();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = beat.tick() => {
                        let beaten = db
                            .tenant_execute(
                                tenant,
                                query("UPDATE executions SET heartbeat_at = $1 WHERE id = $2 AND tenant_id = $3 AND status = 'running'")
                                    .bind(clock.now_ms())
                                    .bind(&id)
                                    .bind(tenant.to_string()),
                            )
                            .await;
                        if let Err(e) = beaten {
                            tracing::warn!(error = %e, execution = %id, "beating an execution's heartbeat failed");
                        }
                        continue;
                    }
                    _ = check.tick() => {}
                }
                let asked = db
                    .tenant_fetch_optional(
                        tenant,
                        query("SELECT stop_requested_at FROM executions WHERE id = $1 AND tenant_id = $2")
                            .bind(&id)
                            .bind(tenant.to_string()),
                    )
                    .await;
                match asked.map(|row| row.map(|r| r.try_get::<Option<i64>, _>(0))) {
                    Ok(Some(Ok(Some(_)))) => {
                        cancel.cancel();
                        return;
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, execution = %id, "checking for a stop request failed"),
                }
            }
        })
        .abort_handle()
    }

    /// Stops a running execution and answers it once it has stopped. One running in another
    /// process sharing the database is asked through its row; that process checks every
    /// second.
    pub async fn stop_execution(&self, p: &Principal, id: &str) -> Result<ExecutionRecord, E> {
        check_permission(p, Resource::Workflows, Action::Execute)?;
        if !self.running.cancel(id, p.tenant_id) {
            let record = self.get_execution(p, id, false).await?;
            if matches!(record.status.as_str(), "waiting" | "new")
                && self.cancel_pending(p, id).await?
            {
                return self.get_execution(p, id, false).await;
            }
            if record.status != "running" {
                return Err(E::Conflict(format!(
                    "the execution has already finished (`{}`)",
                    record.status
                )));
            }
            self.db
                .tenant_execute(
                    p.tenant_id,
                    query(
                        "UPDATE executions SET stop_requested_at = $1 \
                         WHERE id = $2 AND tenant_id = $3 AND status = 'running'",
                    )
                    .bind(self.clock.now_ms())
                    .bind(id)
                    .bind(p.tenant_id.to_string()),
                )
                .await?;
        }
        // The engine stops at its next await; the record follows within moments.
        for _ in 0..250 {
            match self.get_execution(p, id, false).await {
                Ok(record) if record.status != "running" => return Ok(record),
                Ok(_) | Err(E::NotFound(_)) => {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await
                }
                Err(e) => return Err(e),
            }
        }
        Err(E::Conflict(
            "the execution was told to stop but has not stopped yet (if the process running it has died, it stays `running` until it is reclaimed)".into(),
        ))
    }

    /// n8n's pruning (across tenants): finished executions older than `max_age_ms`, and all
    /// but the newest `keep` per tenant. Answers how many were deleted.
    pub async fn prune_executions(&self, max_age_ms: i64, keep: i64) -> Result<u64, E> {
        let before = self.clock.now_ms() - max_age_ms;
        Ok(self.db.prune_executions(before, keep).await?)
    }

    /// Forgets `/webhook-test/` registrations nobody called in time.
    pub async fn purge_test_webhooks(&self) -> Result<u64, E> {
        Ok(self.db.purge_test_webhooks(self.clock.now_ms()).await?)
    }

    /// Tells the notifier a production execution failed (its `execution.failed` rules). A
    /// lost notification must not fail the execution: a queue error is logged.
    async fn announce_failure(
        &self,
        p: &Principal,
        workflow_id: &str,
        workflow: &Workflow,
        failed: &ExecutionRecord,
    ) {
        let error = failed.execution.as_ref().and_then(|e| e.error.as_ref());
        let event = agente_notify::Event::execution_failed(
            &failed.id,
            workflow_id,
            workflow.name(),
            &failed.mode,
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
    fn start_error_workflow(
        &self,
        p: &Principal,
        workflow_id: &str,
        workflow: &Workflow,
        failed: &ExecutionRecord,
    ) {
        let Some(error_workflow) = workflow
            .setting("errorWorkflow")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .map(str::to_string)
        else {
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
            "workflow": { "id": workflow_id, "name": workflow.name() },
        });
        let service = self.clone();
        let principal = p.clone();
        tokio::spawn(async move {
            let result = async {
                let stored = {
                    let mut tx = service.db.tenant_read(principal.tenant_id).await?;
                    load(&mut tx, &principal, &error_workflow).await?
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
                    execution_id: UserId::new().to_string(),
                    mode: "error".into(),
                    now_ms: service.clock.now_ms(),
                    durable_waits: true,
                    ..RunRequest::default()
                };
                service
                    .execute_and_record(&principal, &error_workflow, &stored.workflow, request)
                    .await
            };
            if let Err(e) = Box::pin(result).await {
                tracing::warn!(error = %e, workflow = %error_workflow, "the error workflow did not run");
            }
        });
    }

    pub async fn list_executions(
        &self,
        p: &Principal,
        q: &ExecutionQuery,
    ) -> Result<Page<ExecutionRecord>, E> {
        check_permission(p, Resource::Executions, Action::Read)?;
        let limit = q.limit.unwrap_or(100).clamp(1, 250) as i64;
        let mut tx = self.db.tenant_read(p.tenant_id).await?;
        let rows = query(
            "SELECT id, workflow_id, status, mode, started_at, finished_at, wait_till, error, data FROM executions \
             WHERE tenant_id = $1 AND ($2 = '' OR workflow_id = $2) AND ($3 = '' OR status = $3) \
             AND ($4 = '' OR id < $4) ORDER BY id DESC LIMIT $5",
        )
        .bind(p.tenant_id.to_string())
        .bind(q.workflow_id.clone().unwrap_or_default())
        .bind(q.status.clone().unwrap_or_default())
        .bind(q.cursor.clone().unwrap_or_default())
        .bind(limit + 1)
        .fetch_all(&mut *tx)
        .await?;
        let with_data = q.include_data.unwrap_or(false);
        let mut data = rows
            .iter()
            .map(|r| from_row(r, with_data))
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = (data.len() as i64 > limit).then(|| {
            data.truncate(limit as usize);
            data.last().map(|e| e.id.clone()).unwrap_or_default()
        });
        Ok(Page { data, next_cursor })
    }

    pub async fn get_execution(
        &self,
        p: &Principal,
        id: &str,
        include_data: bool,
    ) -> Result<ExecutionRecord, E> {
        check_permission(p, Resource::Executions, Action::Read)?;
        let mut tx = self.db.tenant_read(p.tenant_id).await?;
        let row = query("SELECT id, workflow_id, status, mode, started_at, finished_at, wait_till, error, data FROM executions WHERE id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(p.tenant_id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(E::NotFound("execution"))?;
        from_row(&row, include_data)
    }

    /// Runs a failed execution's workflow again from the same trigger with the same trigger
    /// items (n8n's retry); answers the new execution.
    pub async fn retry_execution(&self, p: &Principal, id: &str) -> Result<ExecutionRecord, E> {
        check_permission(p, Resource::Workflows, Action::Execute)?;
        let old = self.get_execution(p, id, true).await?;
        if old.status != "error" {
            return Err(E::BadInput(format!(
                "only failed executions can be retried; this one is `{}`",
                old.status
            )));
        }
        let stored = {
            let mut tx = self.db.tenant_read(p.tenant_id).await?;
            load(&mut tx, p, &old.workflow_id).await?
        };
        let run_data = old
            .data
            .as_ref()
            .and_then(|d| d.pointer("/resultData/runData"))
            .and_then(Value::as_object);
        let (start, items) = run_data
            .into_iter()
            .flatten()
            .find(|(node, _)| {
                stored
                    .workflow
                    .node(node)
                    .is_some_and(|n| agente_workflow_model::catalogue::is_trigger(&n.kind))
            })
            .map(|(node, runs)| {
                let items = runs
                    .pointer("/0/data/main/0")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                (
                    node.clone(),
                    items.into_iter().map(Item::from_returned).collect(),
                )
            })
            .ok_or_else(|| {
                E::BadInput("the execution kept no trigger data to retry with".into())
            })?;
        let request = RunRequest {
            start: Some(start),
            items,
            execution_id: UserId::new().to_string(),
            mode: "retry".into(),
            now_ms: self.clock.now_ms(),
            durable_waits: true,
            ..RunRequest::default()
        };
        self.execute_and_record(p, &old.workflow_id, &stored.workflow, request)
            .await
    }

    pub async fn delete_execution(&self, p: &Principal, id: &str) -> Result<ExecutionRecord, E> {
        check_permission(p, Resource::Executions, Action::Delete)?;
        let record = self.get_execution(p, id, false).await?;
        let mut tx = self.db.tenant_tx(p.tenant_id).await?;
        query("DELETE FROM executions WHERE id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(p.tenant_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(record)
    }
}

fn from_row(row: &AnyRow, with_data: bool) -> Result<ExecutionRecord, E> {
    let data = if with_data {
        let bytes: Option<Vec<u8>> = row.try_get("data")?;
        bytes
            .map(|b| run_data::decode(&b).map_err(agente_store::StoreError::Corrupt))
            .transpose()?
    } else {
        None
    };
    Ok(ExecutionRecord {
        id: row.try_get("id")?,
        workflow_id: row.try_get("workflow_id")?,
        status: row.try_get("status")?,
        mode: row.try_get("mode")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        wait_till: row.try_get("wait_till")?,
        error: row.try_get("error")?,
        execution: None,
        data,
    })
}
