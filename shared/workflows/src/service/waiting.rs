//! Waiting executions: a Wait node that suspends a run leaves the execution `waiting` with
//! its engine state; a delayed job (`workflow.resume`, enqueued in the same transaction)
//! resumes it when its time comes, and `/webhook-waiting/<execution id>` resumes one that
//! waits for a call. Resuming claims the row (`waiting` → `running`) first, so a run goes on
//! once however many jobs or calls arrive.

use super::executions::ExecutionRecord;
use super::run_data;
use super::webhook_access::check_access;
use super::webhook_node::{Respond, check_auth, raw_body};
use super::webhooks::{WebhookCall, WebhookReply};
use super::{WorkflowService, WorkflowServiceError as E};
use crate::Workflow;
use crate::engine::{Item, Resume, RunRequest, Suspended};
use agente_auth::{AuthMethod, Principal};
use agente_core::{Role, TenantId};
use agente_jobs::NewJob;
use agente_store::TenantLookup;
use agente_store::sqlx::query;
use agente_store::{AnyRow, Row};
use serde::Deserialize;
use serde_json::{Value, json};

/// The job type that resumes a waiting execution when its time comes.
pub const RESUME_JOB: &str = "workflow.resume";

/// What a waiting execution keeps: the workflow as it ran (later edits do not change a
/// run under way, as in n8n) and the engine's state.
#[derive(Deserialize)]
pub(super) struct ResumeState {
    workflow: Workflow,
    suspended: Suspended,
}

impl ResumeState {
    pub(super) fn encode(
        workflow: &Workflow,
        suspended: &Suspended,
        cap: usize,
    ) -> Result<Vec<u8>, String> {
        let state = json!({ "workflow": workflow, "suspended": suspended });
        run_data::encode_whole(&state, cap).map_err(|size| {
            format!(
                "the execution cannot wait: its state ({size} bytes compressed) is over the \
                 {cap} bytes kept for a waiting execution"
            )
        })
    }

    fn decode(bytes: &[u8]) -> Result<Self, String> {
        let value = run_data::decode(bytes)?;
        serde_json::from_value(value).map_err(|e| e.to_string())
    }
}

/// The waiting row a resume reads.
struct Waiting {
    workflow_id: String,
    mode: String,
    started_at: i64,
    wait_till: Option<i64>,
    state: Result<ResumeState, String>,
}

impl Waiting {
    fn from_row(row: &AnyRow) -> Result<Self, E> {
        let bytes: Option<Vec<u8>> = row.try_get("resume_state")?;
        Ok(Self {
            workflow_id: row.try_get("workflow_id")?,
            mode: row.try_get("mode")?,
            started_at: row.try_get("started_at")?,
            wait_till: row.try_get("wait_till")?,
            state: bytes
                .ok_or_else(|| "the waiting execution kept no state".to_string())
                .and_then(|b| ResumeState::decode(&b)),
        })
    }
}

/// The execution acts for its tenant with an editor's rights, as when it started.
fn acting_for(tenant: TenantId) -> Principal {
    Principal {
        tenant_id: tenant,
        user_id: None,
        role: Role::Editor,
        method: AuthMethod::ApiKey {
            key_id: "resume".into(),
        },
    }
}

impl WorkflowService {
    /// Stores a suspended run as `waiting` and, when it has a time, the job that resumes it
    /// then, in one transaction.
    pub(super) async fn record_waiting(
        &self,
        p: &Principal,
        record: &ExecutionRecord,
        data: Vec<u8>,
        state: Vec<u8>,
        suspended: &Suspended,
    ) -> Result<(), E> {
        let mut tx = self.db.tenant_tx(p.tenant_id).await?;
        query(
            "INSERT INTO executions (id, tenant_id, workflow_id, status, mode, started_at, data, wait_till, resume_state) \
             VALUES ($1, $2, $3, 'waiting', $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET status = 'waiting', data = excluded.data, \
             wait_till = excluded.wait_till, resume_state = excluded.resume_state",
        )
        .bind(&record.id)
        .bind(p.tenant_id.to_string())
        .bind(&record.workflow_id)
        .bind(&record.mode)
        .bind(record.started_at)
        .bind(data)
        .bind(suspended.wait_till_ms)
        .bind(state)
        .execute(&mut *tx)
        .await?;
        if let Some(till) = suspended.wait_till_ms {
            let job = NewJob::new(
                RESUME_JOB,
                json!({ "tenant": p.tenant_id.to_string(), "execution": record.id }),
            )
            .tenant(p.tenant_id)
            .run_at(till)
            // One job per wait: a run that waits twice gets two.
            .idempotency_key(format!("resume:{}:{}", record.id, suspended.step()));
            agente_jobs::enqueue_in(&mut tx, self.clock.now_ms(), &job)
                .await
                .map_err(|e| E::Internal(e.to_string()))?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Resumes the execution a `workflow.resume` job names, if it still waits and its time
    /// has come (a job of an earlier wait of the same run finds it not yet due). `None`
    /// when there is nothing to resume.
    pub async fn resume_due(&self, payload: &Value) -> Result<Option<ExecutionRecord>, E> {
        let field = |k: &str| {
            payload
                .get(k)
                .and_then(Value::as_str)
                .ok_or_else(|| E::BadInput(format!("resume job without `{k}`")))
        };
        let tenant: TenantId = field("tenant")?
            .parse()
            .map_err(|_| E::BadInput("resume job with a malformed tenant".into()))?;
        let id = field("execution")?;
        let now = self.clock.now_ms();
        self.resume(tenant, id, None, |w| w.wait_till.is_some_and(|t| t <= now))
            .await
    }

    /// `/webhook-waiting/<execution id>[/<suffix>]`: resumes an execution whose Wait node
    /// waits for a call, with the call as the Wait node's output, and answers as that node's
    /// response parameters say.
    pub async fn handle_waiting_webhook(&self, call: WebhookCall) -> Result<WebhookReply, E> {
        let path = call.path.trim_matches('/');
        let (id, suffix) = path.split_once('/').unwrap_or((path, ""));
        let tenant = self
            .db
            .tenant_of(TenantLookup::WaitingExecution, id)
            .await?
            .ok_or(E::NotFound("waiting execution"))?;
        let waiting = self
            .load_waiting(tenant, id)
            .await?
            .ok_or(E::NotFound("waiting execution"))?;
        let state = waiting.state.as_ref().map_err(|e| E::Internal(e.clone()))?;
        let node = state
            .workflow
            .node(&state.suspended.node)
            .filter(|_| state.suspended.on_webhook)
            .ok_or(E::NotFound("waiting execution"))?;
        let params = node.parameters();
        let method = params
            .get("httpMethod")
            .and_then(Value::as_str)
            .unwrap_or("GET");
        let wanted_suffix = params
            .get("options")
            .and_then(|o| o.get("webhookSuffix"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim_matches('/');
        if !method.eq_ignore_ascii_case(&call.method) || wanted_suffix != suffix {
            return Err(E::NotFound("waiting execution"));
        }
        let credentials = if Self::uses_credentials(&state.workflow) {
            let mut tx = self.db.tenant_read(tenant).await?;
            self.credentials_for(&mut tx, tenant, &state.workflow)
                .await?
        } else {
            Default::default()
        };
        if let Some(refusal) = check_access(node, call.remote_ip, &call.headers)
            .or_else(|| check_auth(node, &call.headers, &credentials))
        {
            return Ok(refusal);
        }
        let mut item = Item::from_value(json!({
            "headers": call.headers,
            "params": {},
            "query": call.query,
            "body": call.body,
        }));
        item.binary = raw_body(node, &call);
        let respond = Respond::of(node);
        let at_once = params.get("responseMode").and_then(Value::as_str) != Some("lastNode")
            && params.get("responseMode").and_then(Value::as_str) != Some("responseNode");
        let service = self.clone();
        let id = id.to_string();
        // In its own task: a caller who hangs up must not cut the run short.
        let run = tokio::spawn(async move {
            service
                .resume(tenant, &id, Some(vec![item]), |w| w.state.is_ok())
                .await
        });
        if at_once {
            return Ok(respond.at_once());
        }
        let record = run
            .await
            .map_err(|e| E::Internal(format!("the resumed execution's task failed: {e}")))??
            .ok_or_else(|| E::Conflict("the execution is no longer waiting".into()))?;
        let execution = record
            .execution
            .as_ref()
            .expect("fresh executions carry their data");
        Ok(respond.after(execution))
    }

    async fn load_waiting(&self, tenant: TenantId, id: &str) -> Result<Option<Waiting>, E> {
        let row = self
            .db
            .tenant_fetch_optional(
                tenant,
                query(
                    "SELECT workflow_id, mode, started_at, wait_till, resume_state FROM executions \
                     WHERE id = $1 AND tenant_id = $2 AND status = 'waiting'",
                )
                .bind(id)
                .bind(tenant.to_string()),
            )
            .await?;
        row.as_ref().map(Waiting::from_row).transpose()
    }

    /// Claims a waiting execution that `ready` accepts and runs it on from its Wait node
    /// (with `items` as that node's output, else its input).
    async fn resume(
        &self,
        tenant: TenantId,
        id: &str,
        items: Option<Vec<Item>>,
        ready: impl Fn(&Waiting) -> bool,
    ) -> Result<Option<ExecutionRecord>, E> {
        let Some(waiting) = self.load_waiting(tenant, id).await?.filter(|w| ready(w)) else {
            return Ok(None);
        };
        let claimed = self
            .db
            .tenant_execute(
                tenant,
                query(
                    "UPDATE executions SET status = 'running', wait_till = NULL \
                     WHERE id = $1 AND tenant_id = $2 AND status = 'waiting'",
                )
                .bind(id)
                .bind(tenant.to_string()),
            )
            .await?;
        if claimed == 0 {
            // Resumed or stopped by someone else in the meantime.
            return Ok(None);
        }
        let principal = acting_for(tenant);
        let state = match waiting.state {
            Ok(state) => state,
            Err(message) => {
                self.fail_waiting(tenant, id, &message).await?;
                return Err(E::BadInput(format!(
                    "execution {id} cannot go on: {message}"
                )));
            }
        };
        let request = RunRequest {
            execution_id: id.to_string(),
            mode: waiting.mode,
            now_ms: self.clock.now_ms(),
            durable_waits: true,
            resume: Some(Resume {
                suspended: state.suspended,
                items,
            }),
            ..RunRequest::default()
        };
        let mut record = self
            .execute_and_record(&principal, &waiting.workflow_id, &state.workflow, request)
            .await?;
        record.started_at = waiting.started_at;
        Ok(Some(record))
    }

    async fn fail_waiting(&self, tenant: TenantId, id: &str, message: &str) -> Result<(), E> {
        self.db
            .tenant_execute(
                tenant,
                query(
                    "UPDATE executions SET status = 'error', error = $1, finished_at = $2, \
                     resume_state = NULL WHERE id = $3 AND tenant_id = $4",
                )
                .bind(message)
                .bind(self.clock.now_ms())
                .bind(id)
                .bind(tenant.to_string()),
            )
            .await?;
        Ok(())
    }

    /// Stops a waiting execution (`canceled`); false when it no longer waits.
    pub(super) async fn cancel_waiting(&self, p: &Principal, id: &str) -> Result<bool, E> {
        let changed = self
            .db
            .tenant_execute(
                p.tenant_id,
                query(
                    "UPDATE executions SET status = 'canceled', finished_at = $1, wait_till = NULL, \
                     resume_state = NULL WHERE id = $2 AND tenant_id = $3 AND status = 'waiting'",
                )
                .bind(self.clock.now_ms())
                .bind(id)
                .bind(p.tenant_id.to_string()),
            )
            .await?;
        Ok(changed > 0)
    }
}
