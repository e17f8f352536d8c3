//! Executions as members see and manage them: list, read, stop, retry, delete; and the
//! pruning that keeps their number bounded.

use super::Executions;
use crate::error::WorkflowServiceError as E;
use crate::executions::lifecycle;
use crate::executions::run_data;
use crate::records::{ExecutionQuery, ExecutionRecord, Page, WorkflowRef};
use crate::store::load;
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::{ExecutionId, ExecutionMode, ExecutionStatus};
use agente_engine::{Item, RunRequest};
use agente_store::sqlx::{self, query, query_as};
use serde_json::Value;

const COLUMNS: &str =
    "id, workflow_id, status, mode, started_at, finished_at, wait_till, error, data";

/// An `executions` row as the history reads it.
#[derive(sqlx::FromRow)]
struct ExecutionRow {
    #[sqlx(try_from = "String")]
    id: ExecutionId,
    #[sqlx(try_from = "String")]
    workflow_id: WorkflowRef,
    #[sqlx(try_from = "String")]
    status: ExecutionStatus,
    #[sqlx(try_from = "String")]
    mode: ExecutionMode,
    started_at: i64,
    finished_at: Option<i64>,
    wait_till: Option<i64>,
    error: Option<String>,
    data: Option<Vec<u8>>,
}

impl ExecutionRow {
    fn into_record(self, with_data: bool) -> Result<ExecutionRecord, E> {
        let data = match self.data.filter(|_| with_data) {
            Some(bytes) => {
                Some(run_data::decode(&bytes).map_err(agente_store::StoreError::Corrupt)?)
            }
            None => None,
        };
        Ok(ExecutionRecord {
            id: self.id,
            workflow_id: self.workflow_id,
            status: self.status,
            mode: self.mode,
            started_at: self.started_at,
            finished_at: self.finished_at,
            wait_till: self.wait_till,
            error: self.error,
            execution: None,
            data,
        })
    }
}

impl Executions {
    pub async fn list(
        &self,
        p: &Principal,
        q: &ExecutionQuery,
    ) -> Result<Page<ExecutionRecord>, E> {
        check_permission(p, Resource::Executions, Action::Read)?;
        let limit = q.limit.unwrap_or(100).clamp(1, 250) as i64;
        let mut tx = self.db.tenant_read(p.tenant_id).await?;
        let rows: Vec<ExecutionRow> = query_as(&format!(
            "SELECT {COLUMNS} FROM executions \
             WHERE tenant_id = $1 AND ($2 = '' OR workflow_id = $2) AND ($3 = '' OR status = $3) \
             AND ($4 = '' OR id < $4) ORDER BY id DESC LIMIT $5"
        ))
        .bind(p.tenant_id.to_string())
        .bind(q.workflow_id.clone().unwrap_or_default())
        .bind(q.status.clone().unwrap_or_default())
        .bind(q.cursor.clone().unwrap_or_default())
        .bind(limit + 1)
        .fetch_all(&mut *tx)
        .await?;
        let with_data = q.include_data.unwrap_or(false);
        let mut data = rows
            .into_iter()
            .map(|r| r.into_record(with_data))
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = (data.len() as i64 > limit).then(|| {
            data.truncate(limit as usize);
            data.last().map(|e| e.id.to_string()).unwrap_or_default()
        });
        Ok(Page { data, next_cursor })
    }

    pub async fn get(
        &self,
        p: &Principal,
        id: ExecutionId,
        include_data: bool,
    ) -> Result<ExecutionRecord, E> {
        check_permission(p, Resource::Executions, Action::Read)?;
        let mut tx = self.db.tenant_read(p.tenant_id).await?;
        let row: ExecutionRow = query_as(&format!(
            "SELECT {COLUMNS} FROM executions WHERE id = $1 AND tenant_id = $2"
        ))
        .bind(id.to_string())
        .bind(p.tenant_id.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(E::NotFound("execution"))?;
        row.into_record(include_data)
    }

    /// Stops a running execution and answers it once it has stopped. One running in another
    /// process sharing the database is asked through its row; that process checks every
    /// second.
    pub async fn stop(&self, p: &Principal, id: ExecutionId) -> Result<ExecutionRecord, E> {
        check_permission(p, Resource::Workflows, Action::Execute)?;
        if !self.running.cancel(id, p.tenant_id) {
            let record = self.get(p, id, false).await?;
            if matches!(
                record.status,
                ExecutionStatus::Waiting | ExecutionStatus::New
            ) && lifecycle::cancel_pending(&self.db, p.tenant_id, id, self.clock.now_ms())
                .await?
            {
                return self.get(p, id, false).await;
            }
            if record.status != ExecutionStatus::Running {
                return Err(E::Conflict(format!(
                    "the execution has already finished (`{}`)",
                    record.status
                )));
            }
            lifecycle::request_stop(&self.db, p.tenant_id, id, self.clock.now_ms()).await?;
        }
        // The engine stops at its next await; the record follows within moments.
        for _ in 0..250 {
            match self.get(p, id, false).await {
                Ok(record) if record.status != ExecutionStatus::Running => return Ok(record),
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

    /// Runs a failed execution's workflow again from the same trigger with the same trigger
    /// items (n8n's retry); answers the new execution.
    pub async fn retry(&self, p: &Principal, id: ExecutionId) -> Result<ExecutionRecord, E> {
        check_permission(p, Resource::Workflows, Action::Execute)?;
        let old = self.get(p, id, true).await?;
        if old.status != ExecutionStatus::Error {
            return Err(E::BadInput(format!(
                "only failed executions can be retried; this one is `{}`",
                old.status
            )));
        }
        let workflow_id = old.workflow_id.stored().ok_or(E::NotFound("workflow"))?;
        let stored = {
            let mut tx = self.db.tenant_read(p.tenant_id).await?;
            load(&mut tx, p, workflow_id).await?
        };
        let (start, items) = trigger_data(&old, &stored.workflow).ok_or_else(|| {
            E::BadInput("the execution kept no trigger data to retry with".into())
        })?;
        let request = RunRequest {
            start: Some(start),
            items,
            mode: ExecutionMode::Retry,
            now_ms: self.clock.now_ms(),
            durable_waits: true,
            ..RunRequest::default()
        };
        self.execute_and_record(p, workflow_id.into(), &stored.workflow, request)
            .await
    }

    pub async fn delete(&self, p: &Principal, id: ExecutionId) -> Result<ExecutionRecord, E> {
        check_permission(p, Resource::Executions, Action::Delete)?;
        let record = self.get(p, id, false).await?;
        let mut tx = self.db.tenant_tx(p.tenant_id).await?;
        query("DELETE FROM executions WHERE id = $1 AND tenant_id = $2")
            .bind(id.to_string())
            .bind(p.tenant_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// n8n's pruning (across tenants): finished executions older than `max_age_ms`, and all
    /// but the newest `keep` per tenant. Answers how many were deleted.
    pub async fn prune(&self, max_age_ms: i64, keep: i64) -> Result<u64, E> {
        let before = self.clock.now_ms() - max_age_ms;
        Ok(self.db.prune_executions(before, keep).await?)
    }
}

/// The trigger a stored run started from and the items it emitted.
fn trigger_data(
    old: &ExecutionRecord,
    workflow: &agente_workflow_model::Workflow,
) -> Option<(String, Vec<Item>)> {
    let run_data = old
        .data
        .as_ref()
        .and_then(|d| d.pointer("/resultData/runData"))
        .and_then(Value::as_object)?;
    run_data
        .iter()
        .find(|(node, _)| {
            workflow
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
}
