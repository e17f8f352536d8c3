//! Periodic upkeep of the embedded deployment: execution pruning (n8n's defaults, 336 h and
//! 10,000 per tenant) and expired test-webhook registrations. Runs in `agente serve`; the
//! job scheduler will take it over when background work moves to workers.

use agente_workflows::service::WorkflowService;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(15 * 60);

pub fn spawn(workflows: WorkflowService, max_age_hours: i64, keep: i64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            match workflows
                .prune_executions(max_age_hours * 3_600_000, keep)
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "pruned old executions"),
                Err(e) => tracing::warn!(error = %e, "pruning executions failed"),
            }
            if let Err(e) = workflows.purge_test_webhooks().await {
                tracing::warn!(error = %e, "purging test webhooks failed");
            }
        }
    });
}
