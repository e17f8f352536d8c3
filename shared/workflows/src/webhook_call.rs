//! A webhook call, its answer, and who listens on it: the vocabulary shared by production
//! and test webhooks (`webhooks.rs`), the routes (`webhook_routes.rs`), the Webhook node's
//! own checks (`webhook_node.rs`, `webhook_access.rs`) and resumed waits (`waiting.rs`).

use agente_core::{ExecutionId, TenantId, WorkflowId};
use agente_workflow_model::Workflow;
use serde_json::{Map, Value, json};
use std::sync::Arc;

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
    pub(crate) fn message(status: u16, message: &str) -> Self {
        Self {
            status,
            headers: vec![],
            body: json!({ "message": message }),
            html: false,
        }
    }
}

/// Who listens on a call: found from its method and path alone, before its body is read.
pub struct WebhookTarget(pub(crate) Target);

pub(crate) enum Target {
    Route {
        route: Arc<ResolvedRoute>,
        test: bool,
    },
    Waiting(WaitingTarget),
}

impl WebhookTarget {
    pub(crate) fn route(route: Arc<ResolvedRoute>, test: bool) -> Self {
        Self(Target::Route { route, test })
    }

    pub(crate) fn waiting(waiting: WaitingTarget) -> Self {
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

/// What a call on one (method, path) resolves to.
#[derive(Debug)]
pub(crate) struct ResolvedRoute {
    pub tenant: TenantId,
    pub workflow_id: WorkflowId,
    pub node: String,
    pub params: Map<String, Value>,
    pub workflow: Arc<Workflow>,
}

/// A waiting execution a call may resume (see `find_waiting`).
pub(crate) struct WaitingTarget {
    pub tenant: agente_core::TenantId,
    pub id: ExecutionId,
    /// The Wait node.
    pub node: String,
    pub workflow: Arc<Workflow>,
}
