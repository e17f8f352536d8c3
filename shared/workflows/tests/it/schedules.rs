//! Schedule triggers through the job scheduler: activation registers the schedule, a firing
//! becomes a job, the job runs the workflow from its trigger with n8n's schedule item, and
//! deactivation stops the firings.

use crate::common::{service, service_with_clock, tenant};
use agente_core::{Clock, FixedClock, SystemClock};
use agente_jobs::{JobError, JobPayload};
use agente_jobs::{Scheduler, SqlQueue};
use agente_store::backend_tests;
use agente_store::testing::Backend;
use agente_store::testing::TestDb;
use agente_workflows::ScheduleJob;
use serde_json::json;
use std::sync::Arc;

fn every_minute() -> serde_json::Value {
    json!({"name": "minutely", "settings": {"timezone": "Europe/Berlin"}, "nodes": [
        {"name": "Every minute", "type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1.2,
         "parameters": {"rule": {"interval": [{"field": "minutes", "minutesInterval": 1}]}}},
        {"name": "Note", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {
            "mode": "manual", "assignments": {"assignments": [
                {"name": "zone", "value": "={{ $json.Timezone }}", "type": "string"}]}}}
    ], "connections": {"Every minute": {"main": [[{"node": "Note", "type": "main", "index": 0}]]}}})
}

backend_tests!(an_active_schedule_fires_a_job_that_runs_the_workflow);
async fn an_active_schedule_fires_a_job_that_runs_the_workflow(backend: Backend) {
    let db = backend.db().await;
    // The service's time is fixed mid-minute, so the first firing (the next minute) is
    // due half a minute after activation however long the test takes to get there.
    let now = SystemClock.now_ms() / 60_000 * 60_000 + 30_000;
    let svc = service_with_clock(&db, Arc::new(FixedClock::at_ms(now)));
    let a = tenant(&db.db, "A").await;
    let id = svc.create(&a, &every_minute().to_string()).await.unwrap()[0].id;
    let later = FixedClock::at_ms(now + 61_000);
    let queue = SqlQueue::new(db.db.clone(), Arc::new(later.clone()));
    let scheduler = Scheduler::new(
        db.db.clone(),
        queue.clone().into(),
        Arc::new(later.clone()),
        "s",
    );
    assert_eq!(
        scheduler.tick().await.unwrap(),
        0,
        "{backend}: inactive workflows do not fire"
    );

    svc.activate(&a, id).await.unwrap();
    assert_eq!(scheduler.tick().await.unwrap(), 1, "{backend}");
    let lease = queue
        .claim(&["default".into()], "w", 30_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lease.job.kind, ScheduleJob::KIND);
    assert_eq!(
        lease.job.tenant,
        Some(a.tenant_id),
        "{backend}: the job names its tenant"
    );
    assert_eq!(
        lease.job.payload["tenant"],
        a.tenant_id.to_string(),
        "{backend}: and its payload too, for workers of the release before"
    );
    let record = run_scheduled(&svc, &lease.job)
        .await
        .unwrap()
        .expect("it ran");
    assert_eq!(
        (record.status.as_str(), record.mode.as_str()),
        ("success", "trigger")
    );
    let out = record.execution.unwrap().output("Note");
    assert!(
        out[0]["json"]["zone"]
            .as_str()
            .unwrap()
            .starts_with("Europe/Berlin (UTC+"),
        "{backend}: {out:?}"
    );

    // The firing shows in the workflow's schedule history, to its tenant only.
    queue.complete(&lease).await.unwrap();
    let history = svc.schedules().history(&a, id, 10).await.unwrap();
    assert_eq!(history.len(), 1, "{backend}");
    assert_eq!(
        (history[0].state.as_str(), history[0].attempts),
        ("done", 1)
    );
    assert!(history[0].started_at.is_some() && history[0].finished_at.is_some());
    let b = tenant(&db.db, "B").await;
    assert!(
        svc.schedules().history(&b, id, 10).await.is_err(),
        "{backend}"
    );

    // Deactivated: no more firings, and a firing already queued runs nothing.
    svc.deactivate(&a, id).await.unwrap();
    later.advance_secs(120);
    assert_eq!(scheduler.tick().await.unwrap(), 0, "{backend}");
    assert!(run_scheduled(&svc, &lease.job).await.unwrap().is_none());
}

#[tokio::test]
async fn schedule_jobs_without_a_tenant_or_with_a_bad_payload_go_to_the_dead_letters() {
    let db = TestDb::sqlite().await.unwrap();
    let handlers = agente_workflows::job_handlers(&service(&db));
    let job = |tenant, payload| agente_jobs::Job {
        id: "j".into(),
        kind: ScheduleJob::KIND.into(),
        queue: "default".into(),
        tenant,
        payload,
        priority: 0,
        attempt: 1,
        max_attempts: 5,
        timeout_ms: 60_000,
    };
    let workflow = agente_core::WorkflowId::new();
    let fatal = |r: Result<(), JobError>| match r {
        Err(JobError::Fatal(m)) => m,
        other => panic!("expected a fatal error, got {other:?}"),
    };
    let no_tenant = handlers
        .handle(job(
            None,
            json!({"workflow": workflow, "node": "Every minute"}),
        ))
        .await;
    assert!(fatal(no_tenant).contains("no tenant"));
    let tenant = Some(agente_core::TenantId::new());
    let bad = handlers.handle(job(tenant, json!({"workflow": "x"}))).await;
    assert!(fatal(bad).contains("workflow.schedule"));
    // A well-formed firing of a workflow that is gone runs nothing and succeeds.
    let gone = handlers
        .handle(job(
            tenant,
            json!({"workflow": workflow, "node": "Every minute"}),
        ))
        .await;
    assert!(gone.is_ok(), "{gone:?}");
}

/// Runs a claimed `workflow.schedule` job.
async fn run_scheduled(
    svc: &agente_workflows::WorkflowService,
    job: &agente_jobs::Job,
) -> Result<Option<agente_workflows::ExecutionRecord>, agente_workflows::WorkflowServiceError> {
    let (tenant, firing) = crate::common::call::<ScheduleJob>(job);
    svc.run_scheduled(tenant, &firing).await
}

#[tokio::test]
async fn jobs_enqueued_before_typed_payloads_still_decode_and_run() {
    let db = TestDb::sqlite().await.unwrap();
    let handlers = agente_workflows::job_handlers(&service(&db));
    let tenant = agente_core::TenantId::new();
    let job = |kind: &str, payload| agente_jobs::Job {
        id: "old".into(),
        kind: kind.into(),
        queue: "default".into(),
        tenant: Some(tenant),
        payload,
        priority: 0,
        attempt: 1,
        max_attempts: 5,
        timeout_ms: 60_000,
    };
    let execution = agente_core::ExecutionId::new();
    let workflow = agente_core::WorkflowId::new();
    // The payloads as the release before wrote them (the tenant inside); nothing is left
    // to run, so each succeeds — a payload that did not decode would be fatal.
    for (kind, payload) in [
        (
            "workflow.execute",
            json!({"tenant": tenant.to_string(), "execution": execution}),
        ),
        (
            "workflow.resume",
            json!({"tenant": tenant.to_string(), "execution": execution}),
        ),
        (
            "workflow.schedule",
            json!({"tenant": tenant.to_string(), "workflow": workflow, "node": "Every minute",
                   "scheduledAt": 1_800_000_000_000_i64}),
        ),
    ] {
        let outcome = handlers.handle(job(kind, payload)).await;
        assert!(outcome.is_ok(), "{kind}: {outcome:?}");
    }
}
