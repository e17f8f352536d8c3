//! Periodic upkeep as a scheduled job: execution pruning (n8n's defaults, 336 h and 10,000
//! per tenant, and each plan's shorter retention), metered use reported to Stripe, expired
//! test-webhook registrations, finished jobs (a day after they ended, their idempotency keys
//! with them), and the notification delivery log (30 days). The scheduler fires
//! `system.housekeeping` every 15 minutes — once across all replicas, under its lease — and
//! any worker runs it.

use crate::config::Config;
use agente_billing::Billing;
use agente_jobs::scheduler::register_in;
use agente_jobs::{
    CronSchedule, Handlers, JobCall, JobError, JobPayload, Misfire, NewJob, Queue, QueueError,
    RetryPolicy, ScheduleSpec,
};
use agente_notify::Notifier;
use agente_store::Db;
use agente_store::StoreError;
use agente_workflows::WorkflowService;
use serde::{Deserialize, Serialize};

/// One round of upkeep, with the retention to apply.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HousekeepingJob {
    /// Executions finished this many hours ago go.
    #[serde(default = "default_max_age_hours")]
    pub max_age_hours: i64,
    /// All but the newest this many executions per tenant go.
    #[serde(default = "default_keep")]
    pub keep: i64,
    /// Delivery log rows go after this many days.
    #[serde(default = "default_log_days")]
    pub notification_log_days: i64,
}

impl JobPayload for HousekeepingJob {
    const KIND: &'static str = "system.housekeeping";
}

fn default_max_age_hours() -> i64 {
    336
}
fn default_keep() -> i64 {
    10_000
}
fn default_log_days() -> i64 {
    30
}
/// Every 15 minutes, on the quarter hour.
const EVERY: &str = "0 */15 * * * *";
/// How long a finished job (and so its idempotency key and schedule history) is kept.
const KEEP_DONE_JOBS_MS: i64 = 24 * 3_600_000;

/// (Re)registers the upkeep schedule with this configuration's retention (the scheduler
/// process does, at start).
pub async fn register(db: &Db, config: &Config, now_ms: i64) -> anyhow::Result<()> {
    register_with(
        db,
        config.prune_max_age_hours,
        config.prune_max_count,
        config.notification_log_days,
        now_ms,
    )
    .await
}

/// The same with the retention given: executions finished `max_age_hours` ago go, and all
/// but the newest `keep` per tenant; delivery log rows after `log_days`.
pub async fn register_with(
    db: &Db,
    max_age_hours: i64,
    keep: i64,
    log_days: i64,
    now_ms: i64,
) -> anyhow::Result<()> {
    let spec = ScheduleSpec {
        id: "system/housekeeping".into(),
        cron: CronSchedule::parse(EVERY, "UTC").map_err(anyhow::Error::msg)?,
        every_weeks: 1,
        job: NewJob::of(&HousekeepingJob {
            max_age_hours,
            keep,
            notification_log_days: log_days,
        }),
        // One round makes up for any missed while nothing ran.
        misfire: Misfire::RunOnce,
    };
    // Schedulers starting together register it at the same moment: the loser of that race
    // tries again and replaces the winner's (identical) registration.
    let mut tries = 0;
    loop {
        tries += 1;
        let mut tx = db.system_tx().await?;
        match register_in(&mut tx, now_ms, "system", None, std::slice::from_ref(&spec)).await {
            Ok(()) => {
                tx.commit().await?;
                return Ok(());
            }
            Err(QueueError::Store(StoreError::Conflict(_))) if tries < 5 => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// What a worker runs for the upkeep job: every domain's pruning, so it lives beside the
/// services rather than in one of them; a failed round is tried again.
pub fn job_handlers(
    workflows: &WorkflowService,
    notifier: &Notifier,
    billing: &Billing,
    jobs: &Queue,
) -> Handlers {
    let services = (
        workflows.clone(),
        notifier.clone(),
        billing.clone(),
        jobs.clone(),
    );
    Handlers::new().register(
        RetryPolicy::default(),
        move |call: JobCall<HousekeepingJob>| {
            let (workflows, notifier, billing, jobs) = services.clone();
            async move {
                run(&workflows, &notifier, &billing, &jobs, &call.payload)
                    .await
                    .map_err(JobError::Retry)
            }
        },
    )
}

/// One round of upkeep with `retention`.
pub async fn run(
    workflows: &WorkflowService,
    notifier: &Notifier,
    billing: &Billing,
    jobs: &Queue,
    retention: &HousekeepingJob,
) -> Result<(), String> {
    let pruned = workflows
        .executions()
        .prune(retention.max_age_hours * 3_600_000, retention.keep)
        .await
        .map_err(|e| format!("pruning executions failed: {e}"))?;
    // Each plan keeps execution data for its own number of days (within the above).
    let pruned = pruned
        + billing
            .prune_executions_by_plan()
            .await
            .map_err(|e| format!("pruning executions by plan failed: {e}"))?;
    if pruned > 0 {
        tracing::info!(deleted = pruned, "pruned old executions");
    }
    workflows
        .webhooks()
        .purge_test_webhooks()
        .await
        .map_err(|e| format!("purging test webhooks failed: {e}"))?;
    let log_days = retention.notification_log_days.max(1) as u64;
    notifier
        .prune_deliveries(std::time::Duration::from_secs(log_days * 86_400))
        .await
        .map_err(|e| format!("pruning the notification log failed: {e}"))?;
    // Metered use goes to Stripe; a failure is logged and the next round sends it.
    if billing.takes_payments() {
        match billing.report_usage().await {
            Ok(r) if r.sent > 0 => {
                tracing::info!(
                    meter_events = r.sent,
                    usage_events = r.events,
                    "usage reported to Stripe"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "reporting usage to Stripe failed"),
        }
    }
    jobs.prune_done(jobs.now_ms() - KEEP_DONE_JOBS_MS)
        .await
        .map_err(|e| format!("pruning finished jobs failed: {e}"))?;
    Ok(())
}
