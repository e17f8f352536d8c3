//! Running workflows and keeping their executions (run data gzip-compressed and capped).

use super::store::load;
use super::{Page, WorkflowService, WorkflowServiceError as E};
use crate::Workflow;
use crate::engine::{Execution, ExecutionStatus, Item, RunRequest};
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::UserId;
use agente_store::sqlx::query;
use agente_store::{AnyRow, Row};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::Deserialize;
use serde_json::{Value, json};
use std::io::{Read, Write};

/// An execution as stored.
#[derive(Clone, Debug)]
pub struct ExecutionRecord {
    pub id: String,
    pub workflow_id: String,
    pub status: String,
    pub mode: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
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
            "waitTill": null,
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
            ..RunRequest::default()
        };
        self.execute_and_record(p, id, &stored.workflow, request)
            .await
    }

    /// Runs `workflow` and stores the execution (one write, after the run), honouring
    /// `saveDataSuccessExecution` / `saveDataErrorExecution` = `none`.
    pub(crate) async fn execute_and_record(
        &self,
        p: &Principal,
        workflow_id: &str,
        workflow: &Workflow,
        mut request: RunRequest,
    ) -> Result<ExecutionRecord, E> {
        {
            let mut tx = self.db.tenant_read(p.tenant_id).await?;
            request.credentials = self.credentials_for(&mut tx, p.tenant_id, workflow).await?;
        }
        let id = request.execution_id.clone();
        let mode = request.mode.clone();
        let started_at = request.now_ms;
        let execution = self.engine.run(workflow, request).await;
        let finished_at = self.clock.now_ms().max(started_at);
        let status = match execution.status {
            ExecutionStatus::Success => "success",
            ExecutionStatus::Error => "error",
        };
        let record = ExecutionRecord {
            id: id.clone(),
            workflow_id: workflow_id.to_string(),
            status: status.into(),
            mode: mode.clone(),
            started_at,
            finished_at: Some(finished_at),
            error: execution.error.as_ref().map(|e| e.message.clone()),
            execution: Some(execution),
            data: None,
        };
        let setting = if status == "success" {
            "saveDataSuccessExecution"
        } else {
            "saveDataErrorExecution"
        };
        if workflow.setting(setting).and_then(Value::as_str) == Some("none") {
            return Ok(record);
        }
        let data = self.compress(&result_data(record.execution.as_ref().expect("just set")));
        let mut tx = self.db.tenant_tx(p.tenant_id).await?;
        query(
            "INSERT INTO executions (id, tenant_id, workflow_id, status, mode, started_at, finished_at, error, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(p.tenant_id.to_string())
        .bind(workflow_id)
        .bind(status)
        .bind(&mode)
        .bind(started_at)
        .bind(finished_at)
        .bind(record.error.clone())
        .bind(data)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    fn compress(&self, data: &Value) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        let _ = serde_json::to_writer(&mut encoder, data);
        let bytes = encoder.finish().unwrap_or_default();
        if bytes.len() <= self.limits.max_execution_data_bytes {
            return bytes;
        }
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        let note = json!({ "resultData": { "runData": {}, "truncated": true,
            "note": format!("run data over {} bytes was not kept", self.limits.max_execution_data_bytes) } });
        let _ = encoder.write_all(note.to_string().as_bytes());
        encoder.finish().unwrap_or_default()
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
            "SELECT id, workflow_id, status, mode, started_at, finished_at, error, data FROM executions \
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
        let row = query("SELECT id, workflow_id, status, mode, started_at, finished_at, error, data FROM executions WHERE id = $1 AND tenant_id = $2")
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
                    .is_some_and(|n| crate::catalogue::is_trigger(&n.kind))
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
            .map(|b| {
                let mut text = String::new();
                GzDecoder::new(b.as_slice())
                    .read_to_string(&mut text)
                    .map_err(|e| agente_store::StoreError::Corrupt(e.to_string()))?;
                serde_json::from_str(&text)
                    .map_err(|e| agente_store::StoreError::Corrupt(e.to_string()))
            })
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
        error: row.try_get("error")?,
        execution: None,
        data,
    })
}
