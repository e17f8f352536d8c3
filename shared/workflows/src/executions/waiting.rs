//! Waiting executions: a Wait node that suspends a run leaves the execution `waiting` with
//! its engine state; a delayed job (`workflow.resume`, enqueued in the same transaction)
//! resumes it when its time comes, and `/webhook-waiting/<execution id>` resumes one that
//! waits for a call. Resuming claims the row first (`pending.rs`), so a run goes on once
//! however many jobs or calls arrive.

use super::Executions;
use crate::credentials::Credentials;
use crate::error::WorkflowServiceError as E;
use crate::executions::lifecycle::{self, Run};
use crate::executions::pending::{PendingRow, PendingRun};
use crate::jobs::{ResumeJob, execution_job};
use crate::records::ExecutionRecord;
use crate::webhook_access::check_access;
use crate::webhook_call::{WaitingTarget, WebhookCall, WebhookReply, WebhookTarget};
use crate::webhook_node::{Respond, caller_secrets, check_auth, raw_body};
use agente_auth::Principal;
use agente_core::{ExecutionId, ExecutionStatus, TenantId};
use agente_engine::{Item, Suspended};
use agente_store::TenantLookup;
use serde_json::{Value, json};
use std::sync::Arc;

impl Executions {
    /// Stores a suspended run as `waiting` and, when it has a time, the job that resumes it
    /// then, in one transaction.
    pub(crate) async fn record_waiting(
        &self,
        p: &Principal,
        record: &ExecutionRecord,
        data: Vec<u8>,
        state: Vec<u8>,
        suspended: &Suspended,
    ) -> Result<(), E> {
        let mut tx = self.db.tenant_tx(p.tenant_id).await?;
        let run = Run::of(p.tenant_id, record);
        lifecycle::suspend(&mut tx, &run, data, suspended.wait_till_ms, state).await?;
        let mut staged = None;
        if let Some(till) = suspended.wait_till_ms {
            // One job per wait: a run that waits twice gets two.
            let key = format!("resume:{}:{}", record.id, suspended.step());
            let job = execution_job(
                &ResumeJob {
                    execution: record.id,
                },
                p.tenant_id,
                key,
            )
            .run_at(till);
            staged = Some(
                self.jobs
                    .stage(&mut tx, job)
                    .await
                    .map_err(|e| E::Internal(e.to_string()))?,
            );
        }
        tx.commit().await?;
        if let Some(staged) = staged {
            self.jobs.publish(staged).await;
        }
        Ok(())
    }

    /// Resumes waiting execution `id` (of a `workflow.resume` job), if it still waits and
    /// its time has come (a job of an earlier wait of the same run finds it not yet due).
    /// `None` when there is nothing to resume.
    pub async fn resume_due(
        &self,
        tenant: TenantId,
        id: ExecutionId,
    ) -> Result<Option<ExecutionRecord>, E> {
        let now = self.clock.now_ms();
        let due = |w: &PendingRow| w.wait_till.is_some_and(|t| t <= now);
        self.claim_and_run(tenant, id, ExecutionStatus::Waiting, due, None, Vec::new())
            .await
    }

    /// Finds the execution a `/webhook-waiting/<execution id>[/<suffix>]` call resumes: it
    /// must wait for a call with this method and suffix.
    pub async fn find_waiting(&self, method: &str, path: &str) -> Result<WebhookTarget, E> {
        let path = path.trim_matches('/');
        let (id, suffix) = path.split_once('/').unwrap_or((path, ""));
        let id: ExecutionId = id.parse().map_err(|_| E::NotFound("waiting execution"))?;
        let tenant = self
            .db
            .tenant_of(TenantLookup::WaitingExecution, &id.to_string())
            .await?
            .ok_or(E::NotFound("waiting execution"))?;
        let waiting = self
            .load_pending(tenant, id, ExecutionStatus::Waiting)
            .await?
            .ok_or(E::NotFound("waiting execution"))?;
        let Ok(PendingRun::Waiting {
            workflow,
            suspended,
        }) = waiting.run()
        else {
            return Err(E::NotFound("waiting execution"));
        };
        let node = workflow
            .node(&suspended.node)
            .filter(|_| suspended.on_webhook)
            .ok_or(E::NotFound("waiting execution"))?;
        let params = node.parameters();
        let wanted_method = params
            .get("httpMethod")
            .and_then(Value::as_str)
            .unwrap_or("GET");
        let wanted_suffix = params
            .get("options")
            .and_then(|o| o.get("webhookSuffix"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim_matches('/');
        if !wanted_method.eq_ignore_ascii_case(method) || wanted_suffix != suffix {
            return Err(E::NotFound("waiting execution"));
        }
        let node = suspended.node.clone();
        Ok(WebhookTarget::waiting(WaitingTarget {
            tenant,
            id,
            node,
            workflow: Arc::new(workflow),
        }))
    }

    /// `find_waiting`, then `run_webhook`.
    pub async fn handle_waiting_webhook(&self, call: WebhookCall) -> Result<WebhookReply, E> {
        let target = self.find_waiting(&call.method, &call.path).await?;
        self.run_webhook(target, call).await
    }

    /// Resumes the waiting execution with the call as its Wait node's output, and answers
    /// as that node's response parameters say.
    pub(crate) async fn resume_waiting(
        &self,
        waiting: WaitingTarget,
        call: WebhookCall,
    ) -> Result<WebhookReply, E> {
        let WaitingTarget {
            tenant,
            id,
            node,
            workflow,
        } = waiting;
        let node = workflow
            .node(&node)
            .ok_or(E::NotFound("waiting execution"))?;
        let params = node.parameters();
        let credentials = if Credentials::used_by(&workflow) {
            let mut tx = self.db.tenant_read(tenant).await?;
            self.credentials
                .for_workflow(&mut tx, tenant, &workflow)
                .await?
        } else {
            Default::default()
        };
        if let Some(refusal) = check_access(node, call.remote_ip, &call.headers)
            .or_else(|| check_auth(node, &call.headers, &credentials))
        {
            return Ok(refusal);
        }
        let redact = caller_secrets(node, &call.headers, &credentials);
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
        // In its own task: a caller who hangs up must not cut the run short.
        let run = tokio::spawn(async move {
            service
                .claim_and_run(
                    tenant,
                    id,
                    ExecutionStatus::Waiting,
                    |_| true,
                    Some(vec![item]),
                    redact,
                )
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
}
