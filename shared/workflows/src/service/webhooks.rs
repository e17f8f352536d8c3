//! Webhooks: `/webhook/<path>` runs the active workflow listening there; `/webhook-test/<path>`
//! runs a workflow once while its editor listens. Paths may hold parameters (`user/:id`),
//! registered under the node's webhook id as n8n does (`<webhookId>/user/:id`). The Webhook
//! node's own authentication (basic or header credentials) is checked before anything runs.

use super::store::{StoredWorkflow, load};
use super::webhook_access::check_access;
use super::webhook_cache::ResolvedRoute;
use super::webhook_node::{Respond, check_auth, raw_body};
use super::{WorkflowService, WorkflowServiceError as E};
use crate::Workflow;
use crate::engine::{Item, RunRequest};
use agente_auth::{Action, AuthMethod, Principal, Resource, check_permission};
use agente_core::{Role, UserId};
use agente_store::AnyConnection;
use agente_store::sqlx::query;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// How long `/webhook-test/` registrations wait for their one call.
pub const TEST_WEBHOOK_TTL_MS: i64 = 120_000;

/// An incoming webhook request.
#[derive(Clone, Debug, Default)]
pub struct WebhookCall {
    pub method: String,
    pub path: String,
    /// `/webhook-test/` rather than `/webhook/`.
    pub test: bool,
    /// Lower-case names.
    pub headers: Map<String, Value>,
    pub query: Map<String, Value>,
    /// The body parsed (JSON, form, or text).
    pub body: Value,
    /// The body as received, for the node's `rawBody` option.
    pub raw_body: bytes::Bytes,
    /// The caller's address, for the node's `ipWhitelist` option.
    pub remote_ip: Option<std::net::IpAddr>,
}

/// What to answer the caller.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl WebhookReply {
    pub(super) fn message(status: u16, message: &str) -> Self {
        Self {
            status,
            headers: vec![],
            body: json!({ "message": message }),
        }
    }
}

/// One route a workflow's Webhook node listens on.
struct Route {
    method: String,
    /// As registered: `path`, or `<webhookId>/<path>` when the path has parameters.
    path: String,
    node: String,
}

const WEBHOOK_TYPE: &str = "n8n-nodes-base.webhook";

fn webhook_routes(workflow: &Workflow) -> Result<Vec<Route>, E> {
    let mut routes = Vec::new();
    for n in workflow.nodes() {
        if n.kind != WEBHOOK_TYPE || n.is_disabled() {
            continue;
        }
        let p = n.parameters();
        let method = p
            .get("httpMethod")
            .and_then(Value::as_str)
            .unwrap_or("GET")
            .to_uppercase();
        let webhook_id = n.webhook_id.get().cloned();
        let path = p
            .get("path")
            .and_then(Value::as_str)
            .map(|s| s.trim_matches('/'))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or_else(|| webhook_id.clone())
            .unwrap_or_default();
        if path.is_empty() || path.len() > 512 || path.split('/').any(|s| s == ".." || s == ".") {
            return Err(E::BadInput(format!(
                "webhook node `{}` needs a path of 1 to 512 characters",
                n.name
            )));
        }
        let path = if path.split('/').any(|s| s.starts_with(':')) {
            let id = webhook_id.filter(|id| !id.is_empty()).ok_or_else(|| {
                E::BadInput(format!(
                    "webhook node `{}` has a path with parameters but no webhookId",
                    n.name
                ))
            })?;
            format!("{id}/{path}")
        } else {
            path
        };
        routes.push(Route {
            method,
            path,
            node: n.name.clone(),
        });
    }
    Ok(routes)
}

/// Matches a called path against a registered one; answers the path parameters.
fn match_path(registered: &str, called: &str) -> Option<Map<String, Value>> {
    let pattern: Vec<&str> = registered.split('/').collect();
    let parts: Vec<&str> = called.split('/').collect();
    if pattern.len() != parts.len() {
        return None;
    }
    let mut params = Map::new();
    for (p, c) in pattern.iter().zip(&parts) {
        match p.strip_prefix(':') {
            Some(name) if !c.is_empty() => {
                params.insert(name.to_string(), Value::String(c.to_string()));
            }
            Some(_) => return None,
            None if p == c => {}
            None => return None,
        }
    }
    Some(params)
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
        for route in webhook_routes(workflow)? {
            let clash = || {
                E::Conflict(format!(
                    "another workflow already listens on {} /webhook/{}",
                    route.method, route.path
                ))
            };
            if self
                .db
                .webhook_taken(&route.method, &route.path, id)
                .await?
            {
                return Err(clash());
            }
            insert_route(conn, "webhooks", p, id, &route, None)
                .await
                .map_err(|e| match e {
                    E::Store(agente_store::StoreError::Conflict(_)) => clash(),
                    other => other,
                })?;
        }
        Ok(())
    }

    /// Listens for one call on `/webhook-test/<path>` of each Webhook node of the stored
    /// workflow, for two minutes (an editor's "listen for test event"). Answers the paths.
    pub async fn listen_for_test_call(&self, p: &Principal, id: &str) -> Result<Vec<String>, E> {
        check_permission(p, Resource::Workflows, Action::Execute)?;
        let now = self.clock.now_ms();
        self.db.purge_test_webhooks(now).await?;
        let mut tx = self.db.tenant_tx(p.tenant_id).await?;
        let stored = load(&mut tx, p, id).await?;
        let routes = webhook_routes(&stored.workflow)?;
        if routes.is_empty() {
            return Err(E::BadInput(
                "the workflow has no enabled Webhook node".into(),
            ));
        }
        query("DELETE FROM test_webhooks WHERE workflow_id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(p.tenant_id.to_string())
            .execute(&mut *tx)
            .await?;
        let mut paths = Vec::new();
        for route in routes {
            insert_route(
                &mut tx,
                "test_webhooks",
                p,
                id,
                &route,
                Some(now + TEST_WEBHOOK_TTL_MS),
            )
            .await
            .map_err(|e| match e {
                E::Store(agente_store::StoreError::Conflict(_)) => E::Conflict(format!(
                    "someone else is listening on {} /webhook-test/{}",
                    route.method, route.path
                )),
                other => other,
            })?;
            paths.push(format!("{} /webhook-test/{}", route.method, route.path));
        }
        tx.commit().await?;
        Ok(paths)
    }

    /// Runs the workflow registered for the call and answers as its Webhook node's
    /// response mode says: at once, with the last node's data, or via Respond to Webhook.
    pub async fn handle_webhook(&self, call: WebhookCall) -> Result<WebhookReply, E> {
        let path = call.path.trim_matches('/').to_string();
        let now = self.clock.now_ms();
        let route = match self
            .webhook_cache
            .get(&call.method, &path)
            .filter(|_| !call.test)
        {
            Some(route) => route,
            None => {
                let generation = self.webhook_cache.generation();
                let route = Arc::new(self.resolve_route(&call, &path, now).await?);
                if !call.test {
                    self.webhook_cache
                        .put(&call.method, &path, generation, route.clone());
                }
                route
            }
        };
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
        let workflow_id = route.workflow_id.clone();
        let node_name = route.node.clone();
        let workflow = route.workflow.clone();
        let params = route.params.clone();
        let credentials = if Self::uses_credentials(&workflow) {
            let mut tx = self.db.tenant_read(tenant).await?;
            self.credentials_for(&mut tx, tenant, &workflow).await?
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
        if call.test {
            // One call per listen, as in n8n's editor.
            let mut tx = self.db.tenant_tx(tenant).await?;
            query("DELETE FROM test_webhooks WHERE workflow_id = $1 AND tenant_id = $2")
                .bind(&workflow_id)
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
        let prefix = if call.test { "webhook-test" } else { "webhook" };
        let mut item = Item::from_value(json!({
            "headers": call.headers,
            "params": params,
            "query": call.query,
            "body": call.body,
            "webhookUrl": format!("/{prefix}/{path}"),
            "executionMode": if call.test { "test" } else { "production" },
        }));
        item.binary = raw_body(node, &call);
        let request = RunRequest {
            start: Some(node_name.clone()),
            items: vec![item],
            execution_id: UserId::new().to_string(),
            mode: if call.test { "manual" } else { "webhook" }.into(),
            now_ms: now,
            credentials,
            durable_waits: true,
            ..RunRequest::default()
        };
        let respond = Respond::of(node);
        if mode == "onReceived" {
            self.start_in_background(&principal, workflow_id, (*workflow).clone(), request)
                .await?;
            return Ok(respond.at_once());
        }
        // In its own task: a caller who hangs up must not cut the run (and its record) short.
        let service = self.clone();
        let record = tokio::spawn(async move {
            service
                .execute_and_record(&principal, &workflow_id, &workflow, request)
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

impl WorkflowService {
    /// Finds who listens on the called path: the tenant, the workflow (parsed) and its
    /// Webhook node, and the path parameters.
    async fn resolve_route(
        &self,
        call: &WebhookCall,
        path: &str,
        now: i64,
    ) -> Result<ResolvedRoute, E> {
        let candidates = self
            .db
            .webhook_candidates(call.test, &call.method, path, now)
            .await?;
        // An exact path wins over a pattern; among patterns, the one with most fixed parts.
        let (registered, tenant, params) = candidates
            .into_iter()
            .filter_map(|(registered, tenant)| {
                match_path(&registered, path).map(|params| (registered, tenant, params))
            })
            .min_by_key(|(_, _, params)| params.len())
            .ok_or(E::NotFound("webhook"))?;
        let table = if call.test {
            "test_webhooks"
        } else {
            "webhooks"
        };
        // The registration and its workflow in one statement.
        let row = self
            .db
            .tenant_fetch_optional(
                tenant,
                query(&format!(
                    "SELECT h.node AS webhook_node, w.* FROM {table} h \
                     JOIN workflows w ON w.id = h.workflow_id AND w.tenant_id = h.tenant_id \
                     WHERE h.method = $1 AND h.path = $2 AND h.tenant_id = $3"
                ))
                .bind(&call.method)
                .bind(&registered)
                .bind(tenant.to_string()),
            )
            .await?
            .ok_or(E::NotFound("webhook"))?;
        let node: String = agente_store::Row::try_get(&row, "webhook_node")?;
        let stored = StoredWorkflow::from_row(&row)?;
        Ok(ResolvedRoute {
            tenant,
            workflow_id: stored.id,
            node,
            params,
            workflow: Arc::new(stored.workflow),
        })
    }
}

async fn insert_route(
    conn: &mut AnyConnection,
    table: &str,
    p: &Principal,
    workflow_id: &str,
    route: &Route,
    expires_at: Option<i64>,
) -> Result<(), E> {
    let sql = match expires_at {
        None => format!(
            "INSERT INTO {table} (method, path, tenant_id, workflow_id, node) VALUES ($1, $2, $3, $4, $5)"
        ),
        Some(_) => format!(
            "INSERT INTO {table} (method, path, tenant_id, workflow_id, node, expires_at) VALUES ($1, $2, $3, $4, $5, $6)"
        ),
    };
    let mut q = query(&sql)
        .bind(&route.method)
        .bind(&route.path)
        .bind(p.tenant_id.to_string())
        .bind(workflow_id)
        .bind(&route.node);
    if let Some(at) = expires_at {
        q = q.bind(at);
    }
    q.execute(&mut *conn)
        .await
        .map_err(|e| E::Store(e.into()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::match_path;

    #[test]
    fn matches_fixed_and_parameter_segments() {
        assert_eq!(match_path("orders", "orders").map(|p| p.len()), Some(0));
        let params = match_path("abc/user/:id/:tab", "abc/user/42/info").unwrap();
        assert_eq!(params["id"], "42");
        assert_eq!(params["tab"], "info");
        assert!(match_path("abc/user/:id", "abc/user").is_none());
        assert!(match_path("abc/user/:id", "abc/user/").is_none());
        assert!(match_path("abc/user/:id", "abc/team/1").is_none());
    }
}
