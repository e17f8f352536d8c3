//! Periodic upkeep: execution pruning (n8n's defaults, 336 h and 10,000 per tenant), expired
//! test-webhook registrations, and finished jobs (a day after they ended, their idempotency
//! keys with them). Runs in `agente serve`.

use agente_jobs::SqlQueue;
use agente_workflows::service::WorkflowService;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(15 * 60);
/// How long a finished job (and so its idempotency key and schedule history) is kept.
const KEEP_DONE_JOBS_MS: i64 = 24 * 3_600_000;

pub fn spawn(workflows: WorkflowService, jobs: SqlQueue, max_age_hours: i64, keep: i64) {
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
            if let Err(e) = jobs.prune_done(jobs.now_ms() - KEEP_DONE_JOBS_MS).await {
                tracing::warn!(error = %e, "pruning finished jobs failed");
            }
        }
    });
}
