//! Webhook calls: `/webhook/<path>` runs the active workflow listening there;
//! `/webhook-test/<path>` runs a workflow once while its editor listens. Who listens is the
//! router's (`webhook_routes.rs`); running the call is the executions' (`webhook_run.rs`,
//! `waiting.rs` for `/webhook-waiting/`).

use crate::WorkflowService;
use crate::error::WorkflowServiceError as E;
use crate::webhook_call::{WebhookCall, WebhookReply, WebhookTarget};

/// How long `/webhook-test/` registrations wait for their one call.
pub const TEST_WEBHOOK_TTL_MS: i64 = 120_000;

impl WorkflowService {
    /// Finds who listens on a `/webhook/` (or, with `test`, `/webhook-test/`) call, before
    /// its body is read: a call nobody listens for costs one cached lookup.
    pub async fn find_webhook(
        &self,
        method: &str,
        path: &str,
        test: bool,
    ) -> Result<WebhookTarget, E> {
        let path = path.trim_matches('/');
        let route = self.webhooks.resolve(method, path, test).await?;
        Ok(WebhookTarget::route(route, test))
    }

    /// `find_webhook`, then `run_webhook`: for callers that hold the whole call already.
    pub async fn handle_webhook(&self, call: WebhookCall) -> Result<WebhookReply, E> {
        let target = self
            .find_webhook(&call.method, &call.path, call.test)
            .await?;
        self.run_webhook(target, call).await
    }

    /// Runs the call on the workflow `target` names (`Executions::run_webhook`).
    pub async fn run_webhook(
        &self,
        target: WebhookTarget,
        call: WebhookCall,
    ) -> Result<WebhookReply, E> {
        self.executions.run_webhook(target, call).await
    }
}
