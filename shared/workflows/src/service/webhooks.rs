//! Production webhooks: `/webhook/<path>` runs the active workflow listening there.

use super::store::load;
use super::{WorkflowService, WorkflowServiceError as E};
use crate::Workflow;
use crate::engine::{Item, RunRequest};
use agente_auth::{AuthMethod, Principal};
use agente_core::{Role, UserId};
use agente_store::AnyConnection;
use agente_store::sqlx::query;
use serde_json::{Map, Value, json};

/// An incoming webhook request.
#[derive(Clone, Debug, Default)]
pub struct WebhookCall {
    pub method: String,
    pub path: String,
    pub headers: Map<String, Value>,
    pub query: Map<String, Value>,
    pub body: Value,
}

/// What to answer the caller.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

const WEBHOOK_TYPE: &str = "n8n-nodes-base.webhook";

/// (method, path) of every enabled webhook node.
fn webhook_routes(workflow: &Workflow) -> Vec<(String, String, String)> {
    workflow
        .nodes()
        .iter()
        .filter(|n| n.kind == WEBHOOK_TYPE && !n.is_disabled())
        .map(|n| {
            let p = n.parameters();
            let method = p
                .get("httpMethod")
                .and_then(Value::as_str)
                .unwrap_or("GET")
                .to_uppercase();
            let path = p
                .get("path")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            let path = path
                .or_else(|| n.webhook_id.get().cloned())
                .unwrap_or_default();
            (method, path.trim_matches('/').to_string(), n.name.clone())
        })
        .collect()
}

impl WorkflowService {
    /// Replaces the workflow's webhook rows; refuses paths another workflow owns.
    pub(super) async fn register_webhooks(
        &self,
        conn: &mut AnyConnection,
        p: &Principal,
        id: &str,
        workflow: &Workflow,
    ) -> Result<(), E> {
        query("DELETE FROM webhooks WHERE workflow_id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(p.tenant_id.to_string())
            .execute(&mut *conn)
            .await?;
        for (method, path, node) in webhook_routes(workflow) {
            if path.is_empty() || path.len() > 512 || path.contains("..") {
                return Err(E::BadInput(format!(
                    "webhook node `{node}` needs a path of 1 to 512 characters"
                )));
            }
            if self.db.webhook_taken(&method, &path, id).await? {
                return Err(E::Conflict(format!(
                    "another workflow already listens on {method} /webhook/{path}"
                )));
            }
            query("INSERT INTO webhooks (method, path, tenant_id, workflow_id, node) VALUES ($1, $2, $3, $4, $5)")
                .bind(&method)
                .bind(&path)
                .bind(p.tenant_id.to_string())
                .bind(id)
                .bind(&node)
                .execute(&mut *conn)
                .await
                .map_err(|e| match agente_store::StoreError::from(e) {
                    agente_store::StoreError::Conflict(_) => {
                        E::Conflict(format!("another workflow already listens on {method} /webhook/{path}"))
                    }
                    other => E::Store(other),
                })?;
        }
        Ok(())
    }

    /// Runs the active workflow registered for the call and answers as its Webhook node's
    /// response mode says: at once, with the last node's data, or via Respond to Webhook.
    pub async fn handle_webhook(&self, call: WebhookCall) -> Result<WebhookReply, E> {
        let path = call.path.trim_matches('/').to_string();
        let tenant = self
            .db
            .tenant_of_webhook(&call.method, &path)
            .await?
            .ok_or(E::NotFound("webhook"))?;
        // The webhook acts for its tenant with the rights of an editor running the workflow.
        let principal = Principal {
            tenant_id: tenant,
            user_id: None,
            role: Role::Editor,
            method: AuthMethod::ApiKey {
                key_id: "webhook".into(),
            },
        };
        let (workflow_id, node_name, stored) = {
            let mut tx = self.db.tenant_read(tenant).await?;
            let row = query("SELECT workflow_id, node FROM webhooks WHERE method = $1 AND path = $2 AND tenant_id = $3")
                .bind(&call.method)
                .bind(&path)
                .bind(tenant.to_string())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(E::NotFound("webhook"))?;
            use agente_store::Row;
            let workflow_id: String = row.try_get("workflow_id")?;
            let node: String = row.try_get("node")?;
            let stored = load(&mut tx, &principal, &workflow_id).await?;
            (workflow_id, node, stored)
        };
        let node = stored
            .workflow
            .node(&node_name)
            .ok_or(E::NotFound("webhook node"))?;
        let params = node.parameters();
        if let Some(auth) = params
            .get("authentication")
            .and_then(Value::as_str)
            .filter(|a| *a != "none")
        {
            return Err(E::BadInput(format!(
                "webhook authentication `{auth}` needs credentials, which this server does not store yet"
            )));
        }
        let mode = params
            .get("responseMode")
            .and_then(Value::as_str)
            .unwrap_or("onReceived")
            .to_string();
        let item = Item::from_value(json!({
            "headers": call.headers,
            "params": {},
            "query": call.query,
            "body": call.body,
            "webhookUrl": format!("/webhook/{path}"),
            "executionMode": "production",
        }));
        let request = RunRequest {
            start: Some(node_name.clone()),
            items: vec![item],
            execution_id: UserId::new().to_string(),
            mode: "webhook".into(),
            now_ms: self.clock.now_ms(),
            ..RunRequest::default()
        };
        if mode == "onReceived" {
            let service = self.clone();
            let workflow = stored.workflow.clone();
            tokio::spawn(async move {
                if let Err(e) = service
                    .execute_and_record(&principal, &workflow_id, &workflow, request)
                    .await
                {
                    tracing::error!(error = %e, "webhook execution could not be recorded");
                }
            });
            return Ok(WebhookReply {
                status: 200,
                headers: vec![],
                body: json!({ "message": "Workflow was started" }),
            });
        }
        let record = self
            .execute_and_record(&principal, &workflow_id, &stored.workflow, request)
            .await?;
        let execution = record
            .execution
            .as_ref()
            .expect("fresh executions carry their data");
        if let Some(response) = &execution.response {
            return Ok(WebhookReply {
                status: response.status,
                headers: response.headers.clone(),
                body: response.body.clone(),
            });
        }
        if let Some(err) = &execution.error {
            return Ok(WebhookReply {
                status: 500,
                headers: vec![],
                body: json!({ "message": "Error in workflow", "error": err.message }),
            });
        }
        let last = execution
            .last_node
            .as_deref()
            .map(|n| execution.output(n))
            .unwrap_or_default();
        let body = last
            .first()
            .map(|i| i["json"].clone())
            .unwrap_or_else(|| json!({}));
        Ok(WebhookReply {
            status: 200,
            headers: vec![],
            body,
        })
    }
}
