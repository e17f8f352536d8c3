//! Webhook routes: which (method, path) a workflow's Webhook nodes listen on, registered
//! on activation (`webhooks`) or for one test call (`test_webhooks`). Paths may hold
//! parameters (`user/:id`), registered under the node's webhook id as n8n does
//! (`<webhookId>/user/:id`). Paths belong to a tenant (`webhook_paths`): one it claimed stays
//! its own until the workflow using it is deleted.

use crate::error::WorkflowServiceError as E;
use crate::store::{StoredWorkflow, load};
use crate::webhook_cache::WebhookCache;
use crate::webhook_call::ResolvedRoute;
use crate::webhooks::TEST_WEBHOOK_TTL_MS;
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::{Clock, WorkflowId};
use agente_store::sqlx::query;
use agente_store::{AnyConnection, Db, TenantTx};
use agente_workflow_model::Workflow;
use serde_json::{Map, Value};
use std::sync::Arc;

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

/// Who listens on which webhook path: registration on activation and for test calls,
/// resolution of a call (through this process's cache, which every change ends).
#[derive(Clone)]
pub struct WebhookRouter {
    db: Db,
    clock: Arc<dyn Clock>,
    cache: Arc<WebhookCache>,
}

impl WebhookRouter {
    pub(crate) fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            clock,
            cache: Arc::default(),
        }
    }

    /// Ends every cached route: a workflow changed, was (de)activated or deleted.
    pub(crate) fn changed(&self) {
        self.cache.invalidate();
    }

    /// Who listens on `path` (trimmed of slashes) for `method`: production routes come
    /// from the cache when they can.
    pub(crate) async fn resolve(
        &self,
        method: &str,
        path: &str,
        test: bool,
    ) -> Result<Arc<ResolvedRoute>, E> {
        if let Some(route) = self.cache.get(method, path).filter(|_| !test) {
            return Ok(route);
        }
        let generation = self.cache.generation();
        let route = Arc::new(
            self.resolve_route(method, path, test, self.clock.now_ms())
                .await?,
        );
        if !test {
            self.cache.put(method, path, generation, route.clone());
        }
        Ok(route)
    }

    /// Removes the workflow's production routes (deactivation); its paths stay the
    /// tenant's.
    pub(crate) async fn unregister(&self, tx: &mut TenantTx, id: WorkflowId) -> Result<(), E> {
        query("DELETE FROM webhooks WHERE workflow_id = $1 AND tenant_id = $2")
            .bind(id.to_string())
            .bind(tx.tenant().to_string())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Forgets `/webhook-test/` registrations nobody called in time.
    pub async fn purge_test_webhooks(&self) -> Result<u64, E> {
        Ok(self.db.purge_test_webhooks(self.clock.now_ms()).await?)
    }

    /// Replaces the workflow's webhook rows and claims their paths for the tenant; refuses
    /// a path another tenant holds (without saying whose, or how) and one another workflow
    /// of the tenant listens on with the same method.
    pub(crate) async fn register(
        &self,
        tx: &mut TenantTx,
        p: &Principal,
        id: WorkflowId,
        workflow: &Workflow,
    ) -> Result<(), E> {
        let routes = webhook_routes(workflow)?;
        self.claim_paths(tx, id, &routes).await?;
        query("DELETE FROM webhooks WHERE workflow_id = $1 AND tenant_id = $2")
            .bind(id.to_string())
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
            .bind(id.to_string())
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
    async fn claim_paths(
        &self,
        tx: &mut TenantTx,
        id: WorkflowId,
        routes: &[Route],
    ) -> Result<(), E> {
        for route in routes {
            if self.db.webhook_path_taken(tx, &route.path).await? {
                return Err(unavailable(&route.path));
            }
        }
        let tenant = tx.tenant().to_string();
        query("DELETE FROM webhook_paths WHERE workflow_id = $1 AND tenant_id = $2")
            .bind(id.to_string())
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
            .bind(id.to_string())
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
    pub async fn listen_for_test_call(
        &self,
        p: &Principal,
        id: WorkflowId,
    ) -> Result<Vec<String>, E> {
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
            .bind(id.to_string())
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
    workflow_id: WorkflowId,
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
        .bind(workflow_id.to_string())
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
