//! Webhooks: `/webhook/<path>` runs the active workflow listening there; `/webhook-test/<path>`
//! runs a workflow once while its editor listens. Paths may hold parameters (`user/:id`),
//! registered under the node's webhook id as n8n does (`<webhookId>/user/:id`). The Webhook
//! node's own authentication (basic or header credentials) is checked before anything runs.

use super::store::{StoredWorkflow, load};
use super::waiting::WaitingTarget;
use super::webhook_access::check_access;
use super::webhook_cache::ResolvedRoute;
use super::webhook_node::{Respond, caller_secrets, check_auth, raw_body};
use super::{WorkflowService, WorkflowServiceError as E};
use agente_auth::{Action, AuthMethod, Principal, Resource, check_permission};
use agente_core::{Role, UserId};
use agente_engine::{Item, RunRequest};
use agente_store::sqlx::query;
use agente_store::{AnyConnection, TenantTx};
use agente_workflow_model::Workflow;
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
    /// As the workflow set them; the server drops those a webhook may not send.
    pub headers: Vec<(String, String)>,
    pub body: Value,
    /// An HTML page on purpose (see `WebhookResponse::html`).
    pub html: bool,
}

impl WebhookReply {
    pub(super) fn message(status: u16, message: &str) -> Self {
        Self {
            status,
            headers: vec![],
            body: json!({ "message": message }),
            html: false,
        }
    }
}

/// Who listens on a call: found from its method and path alone, before its body is read.
pub struct WebhookTarget(Target);

enum Target {
    Route {
        route: Arc<ResolvedRoute>,
        test: bool,
    },
    Waiting(WaitingTarget),
}

impl WebhookTarget {
    fn route(route: Arc<ResolvedRoute>, test: bool) -> Self {
        Self(Target::Route { route, test })
    }

    pub(super) fn waiting(waiting: WaitingTarget) -> Self {
        Self(Target::Waiting(waiting))
    }

    /// The tenant the call is for.
    pub fn tenant(&self) -> agente_core::TenantId {
        match &self.0 {
            Target::Route { route, .. } => route.tenant,
            Target::Waiting(w) => w.tenant,
        }
    }

    /// One key per listening node (a pattern route's calls share it), for rate limits.
    pub fn limit_key(&self) -> String {
        match &self.0 {
            Target::Route { route, .. } => {
                format!("{}/{}/{}", route.tenant, route.workflow_id, route.node)
            }
            Target::Waiting(w) => format!("{}/{}", w.tenant, w.id),
        }
    }
}

/// The one answer for a path another tenant holds, whatever the reason: it tells nothing
/// about who, or whether the path is in use right now.
fn unavailable(path: &str) -> E {
    E::Conflict(format!(
        "the webhook path `{path}` is not available; choose another"
    ))
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
    /// Replaces the workflow's webhook rows and claims their paths for the tenant; refuses
    /// a path another tenant holds (without saying whose, or how) and one another workflow
    /// of the tenant listens on with the same method.
    pub(super) async fn register_webhooks(
        &self,
        tx: &mut TenantTx,
        p: &Principal,
        id: &str,
        workflow: &Workflow,
    ) -> Result<(), E> {
        let routes = webhook_routes(workflow)?;
        self.claim_paths(tx, id, &routes).await?;
        query("DELETE FROM webhooks WHERE workflow_id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(p.tenant_id.to_string())
            .execute(&mut **tx)
            .await?;
        for route in routes {
            let other = query(
                "SELECT w.name FROM webhooks h JOIN workflows w ON w.id = h.workflow_id \
                 AND w.tenant_id = h.tenant_id \
                 WHERE h.method = $1 AND h.path = $2 AND h.tenant_id = $3 AND h.workflow_id <> $4",
            )
            .bind(&route.method)
            .bind(&route.path)
            .bind(p.tenant_id.to_string())
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
            if let Some(row) = other {
                let name: String = agente_store::Row::try_get(&row, "name")?;
                return Err(E::Conflict(format!(
                    "your workflow `{name}` already listens on {} /webhook/{}",
                    route.method, route.path
                )));
            }
            insert_route(tx, "webhooks", p, id, &route, None)
                .await
                .map_err(|e| match e {
                    E::Store(agente_store::StoreError::Conflict(_)) => unavailable(&route.path),
                    other => other,
                })?;
        }
        Ok(())
    }

    /// Makes the routes' paths the tenant's (this workflow's claim), and lets go of the
    /// paths this workflow no longer uses. Refuses, naming nothing else, a path that
    /// another tenant holds.
    async fn claim_paths(&self, tx: &mut TenantTx, id: &str, routes: &[Route]) -> Result<(), E> {
        for route in routes {
            if self.db.webhook_path_taken(tx, &route.path).await? {
                return Err(unavailable(&route.path));
            }
        }
        let tenant = tx.tenant().to_string();
        query("DELETE FROM webhook_paths WHERE workflow_id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(&tenant)
            .execute(&mut **tx)
            .await?;
        let now = self.clock.now_ms();
        for route in routes {
            let (prefix, pattern) = agente_store::webhook_path_parts(&route.path);
            query(
                "INSERT INTO webhook_paths (path, workflow_id, tenant_id, prefix, pattern, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (path, workflow_id) DO NOTHING",
            )
            .bind(&route.path)
            .bind(id)
            .bind(&tenant)
            .bind(prefix)
            .bind(i64::from(pattern))
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Listens for one call on `/webhook-test/<path>` of each Webhook node of the stored
    /// workflow, for two minutes (an editor's "listen for test event"). Answers the paths.
    /// Listening claims the paths for the tenant, as activating does.
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
        self.claim_paths(&mut tx, id, &routes).await?;
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
                    "another of your workflows is listening on {} /webhook-test/{}",
                    route.method, route.path
                )),
                other => other,
            })?;
            paths.push(format!("{} /webhook-test/{}", route.method, route.path));
        }
        tx.commit().await?;
        Ok(paths)
    }

    /// Finds who listens on a `/webhook/` (or, with `test`, `/webhook-test/`) call, before
    /// its body is read: a call nobody listens for costs one cached lookup.
    pub async fn find_webhook(
        &self,
        method: &str,
        path: &str,
        test: bool,
    ) -> Result<WebhookTarget, E> {
        let path = path.trim_matches('/');
        if let Some(route) = self.webhook_cache.get(method, path).filter(|_| !test) {
            return Ok(WebhookTarget::route(route, test));
        }
        let generation = self.webhook_cache.generation();
        let route = Arc::new(
            self.resolve_route(method, path, test, self.clock.now_ms())
                .await?,
        );
        if !test {
            self.webhook_cache
                .put(method, path, generation, route.clone());
        }
        Ok(WebhookTarget::route(route, test))
    }

    /// `find_webhook`, then `run_webhook`: for callers that hold the whole call already.
    pub async fn handle_webhook(&self, call: WebhookCall) -> Result<WebhookReply, E> {
        let target = self
            .find_webhook(&call.method, &call.path, call.test)
            .await?;
        self.run_webhook(target, call).await
    }

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

    async fn run_route(
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
        if test {
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
            execution_id: UserId::new().to_string(),
            mode: if test { "manual" } else { "webhook" }.into(),
            now_ms: now,
            redact: caller_secrets(node, &call.headers, &credentials),
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
        method: &str,
        path: &str,
        test: bool,
        now: i64,
    ) -> Result<ResolvedRoute, E> {
        let candidates = self.db.webhook_candidates(test, method, path, now).await?;
        // An exact path wins over a pattern; among patterns, the one with most fixed parts.
        let (registered, tenant, params) = candidates
            .into_iter()
            .filter_map(|(registered, tenant)| {
                match_path(&registered, path).map(|params| (registered, tenant, params))
            })
            .min_by_key(|(_, _, params)| params.len())
            .ok_or(E::NotFound("webhook"))?;
        let table = if test { "test_webhooks" } else { "webhooks" };
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
                .bind(method)
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
