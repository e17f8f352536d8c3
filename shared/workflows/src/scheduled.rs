//! Schedule triggers: an active workflow's Schedule Trigger / Cron nodes become schedules of
//! the job scheduler (registered in the activation's transaction, removed on deactivation),
//! and each firing arrives as a job that runs the workflow from that node.

use crate::WorkflowService;
use crate::error::WorkflowServiceError as E;
use crate::executions::pending::acting_for;
use crate::jobs::{ScheduleJob, tenant_job};
use crate::records::ExecutionRecord;
use crate::store::load;
use agente_auth::Principal;
use agente_auth::{Action, Resource, check_permission};
use agente_core::{Clock, ExecutionMode, TenantId, WorkflowId};
use agente_engine::{Item, RunRequest};
use agente_jobs::scheduler::{register_in, remove_in};
use agente_jobs::{Firing, Misfire, ScheduleSpec};
use agente_store::{AnyConnection, Db};
use agente_workflow_model::Workflow;
use chrono::{DateTime, Datelike};
use chrono_tz::Tz;
use serde_json::{Value, json};
use std::sync::Arc;

/// A workflow's schedule triggers as the job scheduler's schedules: registered with
/// activation, removed with deactivation, and their firings' history.
#[derive(Clone)]
pub struct Schedules {
    clock: Arc<dyn Clock>,
    db: Db,
    jobs: agente_jobs::Queue,
}

impl Schedules {
    pub(crate) fn new(db: Db, clock: Arc<dyn Clock>, jobs: agente_jobs::Queue) -> Self {
        Self { clock, db, jobs }
    }

    /// Replaces the workflow's schedules with those of its enabled schedule triggers.
    pub(crate) async fn register(
        &self,
        conn: &mut AnyConnection,
        tenant: TenantId,
        id: WorkflowId,
        workflow: &Workflow,
    ) -> Result<(), E> {
        let specs: Vec<ScheduleSpec> = crate::schedule::schedules(workflow)
            .map_err(E::BadInput)?
            .into_iter()
            .enumerate()
            .map(|(i, s)| ScheduleSpec {
                id: format!("{id}/{i}"),
                job: tenant_job(
                    &ScheduleJob {
                        workflow: id,
                        node: s.node,
                        scheduled_at: None,
                    },
                    tenant,
                ),
                cron: s.cron,
                every_weeks: s.every_weeks,
                // n8n does not catch up on firings missed while it was down.
                misfire: Misfire::Skip,
            })
            .collect();
        register_in(
            conn,
            self.clock.now_ms(),
            &id.to_string(),
            Some(tenant),
            &specs,
        )
        .await
        .map_err(|e| E::BadInput(e.to_string()))
    }

    pub(crate) async fn remove(&self, conn: &mut AnyConnection, id: WorkflowId) -> Result<(), E> {
        remove_in(conn, &id.to_string())
            .await
            .map_err(|e| E::Internal(e.to_string()))
    }

    /// The latest firings of the workflow's schedule triggers (enqueued, started, finished,
    /// state, attempts, error), newest first; earlier schedules of it included.
    pub async fn history(
        &self,
        p: &Principal,
        id: WorkflowId,
        limit: u32,
    ) -> Result<Vec<Firing>, E> {
        check_permission(p, Resource::Workflows, Action::Read)?;
        {
            // Only a workflow of the caller's tenant: its id prefixes its schedules' ids.
            let mut tx = self.db.tenant_read(p.tenant_id).await?;
            load(&mut tx, p, id).await?;
        }
        self.jobs
            .schedule_history(&id.to_string(), limit)
            .await
            .map_err(|e| E::Internal(e.to_string()))
    }
}

impl WorkflowService {
    /// Runs one schedule firing (a `workflow.schedule` job of `tenant`). `None` when the
    /// workflow is gone or no longer active: nothing to run.
    pub async fn run_scheduled(
        &self,
        tenant: TenantId,
        firing: &ScheduleJob,
    ) -> Result<Option<ExecutionRecord>, E> {
        let (workflow_id, node) = (firing.workflow, firing.node.as_str());
        let principal = acting_for(tenant, "scheduler");
        let stored = {
            let mut tx = self.db.tenant_read(tenant).await?;
            match load(&mut tx, &principal, workflow_id).await {
                Ok(stored) => stored,
                Err(E::NotFound(_)) => return Ok(None),
                Err(e) => return Err(e),
            }
        };
        if !stored.active {
            return Ok(None);
        }
        let Some(trigger) = stored.workflow.node(node) else {
            return Ok(None);
        };
        let at = firing.scheduled_at.unwrap_or_else(|| self.clock.now_ms());
        let item = if trigger.kind == "n8n-nodes-base.cron" {
            json!({})
        } else {
            schedule_item(at, zone_of(&stored.workflow))
        };
        let request = RunRequest {
            start: Some(node.to_string()),
            items: vec![Item::from_value(item)],
            mode: ExecutionMode::Trigger,
            now_ms: self.clock.now_ms(),
            durable_waits: true,
            ..RunRequest::default()
        };
        match self
            .executions
            .execute_and_record(&principal, workflow_id.into(), &stored.workflow, request)
            .await
        {
            Ok(record) => Ok(Some(record)),
            // Over quota: this firing is skipped (billing told the tenant), not retried.
            Err(E::Refused(refusal)) => {
                tracing::info!(tenant = %tenant, workflow = %workflow_id, %refusal, "scheduled run skipped");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

fn zone_of(workflow: &Workflow) -> Tz {
    workflow
        .setting("timezone")
        .and_then(Value::as_str)
        .and_then(|z| z.parse().ok())
        .unwrap_or(Tz::UTC)
}

/// The item n8n's Schedule Trigger emits for a firing at `at_ms` in `zone`.
fn schedule_item(at_ms: i64, zone: Tz) -> Value {
    let at = DateTime::from_timestamp_millis(at_ms)
        .unwrap_or_default()
        .with_timezone(&zone);
    let day = at.day();
    let suffix = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    let time = at.format("%-I:%M:%S %P").to_string();
    json!({
        "timestamp": at.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
        "Readable date": format!("{} {day}{suffix} {}, {time}", at.format("%B"), at.format("%Y")),
        "Readable time": time,
        "Day of week": at.format("%A").to_string(),
        "Year": at.format("%Y").to_string(),
        "Month": at.format("%B").to_string(),
        "Day of month": at.format("%d").to_string(),
        "Hour": at.format("%H").to_string(),
        "Minute": at.format("%M").to_string(),
        "Second": at.format("%S").to_string(),
        "Timezone": format!("{} (UTC{})", zone.name(), at.format("%:z")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_item_reads_like_n8ns_in_the_workflow_zone() {
        // 2026-11-30 08:00:00 UTC is 09:00 in Berlin.
        let item = schedule_item(1_796_025_600_000, "Europe/Berlin".parse().unwrap());
        assert_eq!(item["timestamp"], "2026-11-30T09:00:00.000+01:00");
        assert_eq!(item["Readable date"], "November 30th 2026, 9:00:00 am");
        assert_eq!(item["Day of week"], "Monday");
        assert_eq!(item["Hour"], "09");
        assert_eq!(item["Timezone"], "Europe/Berlin (UTC+01:00)");
        let item = schedule_item(
            1_796_025_600_000 - 29 * 86_400_000 + 13 * 3_600_000,
            Tz::UTC,
        );
        assert_eq!(item["Readable date"], "November 1st 2026, 9:00:00 pm");
    }
}
