//! Running a webhook call on the workflow its route names: the Webhook node's access rules
//! and authentication first, then a run answered as the node's response mode says.

use super::Executions;
use crate::credentials::Credentials;
use crate::error::WorkflowServiceError as E;
use crate::records::WorkflowRef;
use crate::webhook_access::check_access;
use crate::webhook_call::{ResolvedRoute, Target, WebhookCall, WebhookReply, WebhookTarget};
use crate::webhook_node::{Respond, caller_secrets, check_auth, raw_body};
use agente_auth::{AuthMethod, Principal};
use agente_core::{ExecutionMode, Role};
use agente_engine::{Item, RunRequest};
use agente_store::sqlx::query;
use serde_json::{Value, json};
use std::sync::Arc;

impl Executions {
    /// Runs the call on the workflow `target` names and answers as its Webhook (or Wait)
    /// node's response mode says: at once, with the last node's data, or via Respond to
    /// Webhook.
    pub async fn run_webhook(
        &self,
        target: WebhookTarget,
        call: WebhookCall,
    ) -> Result<WebhookReply, E> {
        match target.0 {
            Target::Route { route, test } => self.run_route(route, test, call).await,
            Target::Waiting(waiting) => self.resume_waiting(waiting, call).await,
        }
    }

    pub(crate) async fn run_route(
        &self,
        route: Arc<ResolvedRoute>,
        test: bool,
        call: WebhookCall,
    ) -> Result<WebhookReply, E> {
        let path = call.path.trim_matches('/').to_string();
        let now = self.clock.now_ms();
        let tenant = route.tenant;
        // The webhook acts for its tenant with the rights of an editor running the workflow.
        let principal = Principal {
            tenant_id: tenant,
            user_id: None,
            role: Role::Editor,
            method: AuthMethod::ApiKey {
                key_id: "webhook".into(),
            },
        };
        let workflow_id = route.workflow_id;
        let node_name = route.node.clone();
        let workflow = route.workflow.clone();
        let params = route.params.clone();
        let credentials = if Credentials::used_by(&workflow) {
            let mut tx = self.db.tenant_read(tenant).await?;
            self.credentials
                .for_workflow(&mut tx, tenant, &workflow)
                .await?
        } else {
            Default::default()
        };
        let node = workflow
            .node(&node_name)
            .ok_or(E::NotFound("webhook node"))?;
        if let Some(refusal) = check_access(node, call.remote_ip, &call.headers)
            .or_else(|| check_auth(node, &call.headers, &credentials))
        {
            return Ok(refusal);
        }
        if test {
            // One call per listen, as in n8n's editor.
            let mut tx = self.db.tenant_tx(tenant).await?;
            query("DELETE FROM test_webhooks WHERE workflow_id = $1 AND tenant_id = $2")
                .bind(workflow_id.to_string())
                .bind(tenant.to_string())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        let params_json = node.parameters();
        let mode = params_json
            .get("responseMode")
            .and_then(Value::as_str)
            .unwrap_or("onReceived")
            .to_string();
        let prefix = if test { "webhook-test" } else { "webhook" };
        let mut item = Item::from_value(json!({
            "headers": call.headers,
            "params": params,
            "query": call.query,
            "body": call.body,
            "webhookUrl": format!("{}/{prefix}/{path}", self.public_url),
            "executionMode": if test { "test" } else { "production" },
        }));
        item.binary = raw_body(node, &call);
        let request = RunRequest {
            start: Some(node_name.clone()),
            items: vec![item],
            mode: if test {
                ExecutionMode::Manual
            } else {
                ExecutionMode::Webhook
            },
            now_ms: now,
            redact: caller_secrets(node, &call.headers, &credentials),
            credentials,
            durable_waits: true,
            ..RunRequest::default()
        };
        let respond = Respond::of(node);
        if mode == "onReceived" {
            self.start_in_background(&principal, workflow_id.into(), (*workflow).clone(), request)
                .await?;
            return Ok(respond.at_once());
        }
        // In its own task: a caller who hangs up must not cut the run (and its record) short.
        let service = self.clone();
        let record = tokio::spawn(async move {
            service
                .execute_and_record(
                    &principal,
                    WorkflowRef::Stored(workflow_id),
                    &workflow,
                    request,
                )
                .await
        })
        .await
        .map_err(|e| E::Internal(format!("the webhook execution task failed: {e}")))??;
        let execution = record
            .execution
            .as_ref()
            .expect("fresh executions carry their data");
        Ok(respond.after(execution))
    }
}
