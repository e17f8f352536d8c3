//! Runs nobody waits for go through the job queue: recorded `new` with their job in one
//! transaction, claimed and run once. The reaper restarts what a dead process or a lost
//! job left behind, and fails what it cannot restart.

use crate::common::{resume_due, run_queued, service_with_clock, tenant};
use agente_core::{Clock, ExecutionId, ExecutionMode, FixedClock, SystemClock, WorkflowId};
use agente_jobs::{JobPayload, Lease, SqlQueue};
use agente_store::backend_tests;
use agente_store::sqlx::query;
use agente_store::testing::Backend;
use agente_store::testing::TestDb;
use agente_workflows::{
    ExecuteJob, PENDING_STALE_MS, RUNNING_STALE_MS, ResumeJob, WebhookCall, WorkflowService,
};
use serde_json::{Value, json};
use std::sync::Arc;

fn link(node: &str) -> Value {
    json!([{"node": node, "type": "main", "index": 0}])
}

/// An active workflow whose webhook answers at once; answers its id.
async fn hook(svc: &WorkflowService, p: &agente_auth::Principal, path: &str) -> WorkflowId {
    let wf = json!({"name": "queued", "nodes": [
        {"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "webhookId": path,
         "parameters": {"httpMethod": "POST", "path": path, "responseMode": "onReceived"}},
        {"name": "Echo", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {
            "assignments": {"assignments": [{"name": "got", "value": "={{ $json.body.n }}", "type": "number"}]}}}
    ], "connections": {"Hook": {"main": [link("Echo")]}}});
    let id = svc.create(p, &wf.to_string()).await.unwrap()[0].id;
    svc.activate(p, id).await.unwrap();
    id
}

fn call(path: &str, n: i64) -> WebhookCall {
    WebhookCall {
        method: "POST".into(),
        path: path.into(),
        body: json!({"n": n}),
        ..WebhookCall::default()
    }
}

struct Setup {
    db: TestDb,
    clock: FixedClock,
    svc: WorkflowService,
    queue: SqlQueue,
}

fn setup(db: TestDb) -> Setup {
    let clock = FixedClock::at_ms(SystemClock.now_ms());
    let svc = service_with_clock(&db, Arc::new(clock.clone())).with_queued_background_runs();
    let queue = SqlQueue::new(db.db.clone(), Arc::new(clock.clone()));
    Setup {
        db,
        clock,
        svc,
        queue,
    }
}

impl Setup {
    async fn claim(&self) -> Option<Lease> {
        self.queue
            .claim(&["default".to_string()], "w", 30_000)
            .await
            .unwrap()
    }

    async fn exec(&self, p: &agente_auth::Principal, sql: &str, id: ExecutionId) {
        self.db
            .db
            .tenant_execute(p.tenant_id, query(sql).bind(id.to_string()))
            .await
            .unwrap();
    }

    /// Everything in the queue is gone (a flushed Redis, say).
    async fn lose_all_jobs(&self) {
        let mut tx = self.db.db.system_tx().await.unwrap();
        query("DELETE FROM jobs").execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }
}

backend_tests!(an_answered_at_once_webhook_queues_its_run_and_a_worker_runs_it_once);
async fn an_answered_at_once_webhook_queues_its_run_and_a_worker_runs_it_once(backend: Backend) {
    let db = backend.db().await;
    let s = setup(db);
    let a = tenant(&s.db.db, "A").await;
    hook(&s.svc, &a, "queued-1").await;
    let reply = s.svc.handle_webhook(call("queued-1", 7)).await.unwrap();
    assert_eq!(reply.body["message"], "Workflow was started", "{backend}");

    let listed = s
        .svc
        .executions()
        .list(&a, &Default::default())
        .await
        .unwrap();
    assert_eq!(listed.data.len(), 1, "{backend}");
    assert_eq!(
        listed.data[0].status.as_str(),
        "new",
        "{backend}: recorded before it runs"
    );
    let lease = s.claim().await.expect("its job");
    assert_eq!(lease.job.kind, ExecuteJob::KIND);
    let done = run_queued(&s.svc, &lease.job).await.unwrap().expect("ran");
    assert_eq!(
        done.status.as_str(),
        "success",
        "{backend}: {:?}",
        done.error
    );
    assert_eq!(done.execution.unwrap().output("Echo")[0]["json"]["got"], 7);
    assert_eq!(done.mode, ExecutionMode::Webhook);
    // The same job delivered again runs nothing.
    assert!(run_queued(&s.svc, &lease.job).await.unwrap().is_none());
    let stored = s.svc.executions().get(&a, done.id, true).await.unwrap();
    assert_eq!(stored.status.as_str(), "success");
    assert!(stored.data.is_some());

    // A queued run can be stopped before it starts.
    s.svc.handle_webhook(call("queued-1", 8)).await.unwrap();
    let lease = s.claim().await.expect("its job");
    let queued = s
        .svc
        .executions()
        .list(&a, &Default::default())
        .await
        .unwrap()
        .data[0]
        .id;
    assert_eq!(
        s.svc
            .executions()
            .stop(&a, queued)
            .await
            .unwrap()
            .status
            .as_str(),
        "canceled"
    );
    assert!(
        run_queued(&s.svc, &lease.job).await.unwrap().is_none(),
        "{backend}"
    );
}

backend_tests!(the_reaper_restarts_runs_of_dead_processes_and_lost_jobs);
async fn the_reaper_restarts_runs_of_dead_processes_and_lost_jobs(backend: Backend) {
    let db = backend.db().await;
    let s = setup(db);
    let a = tenant(&s.db.db, "A").await;
    hook(&s.svc, &a, "queued-2").await;
    s.svc.handle_webhook(call("queued-2", 1)).await.unwrap();
    let id = s
        .svc
        .executions()
        .list(&a, &Default::default())
        .await
        .unwrap()
        .data[0]
        .id;

    // A worker claimed it, then died: its job is done, the row says running, no beat.
    let lease = s.claim().await.unwrap();
    s.queue.complete(&lease).await.unwrap();
    s.exec(
        &a,
        "UPDATE executions SET status = 'running', heartbeat_at = 0 WHERE id = $1",
        id,
    )
    .await;
    // Its last heartbeat (0) is long before the stale limit.
    assert_eq!(
        s.svc.executions().reap(false).await.unwrap(),
        1,
        "{backend}"
    );
    let row = s.svc.executions().get(&a, id, false).await.unwrap();
    assert_eq!(row.status.as_str(), "new", "{backend}: queued again");
    assert_eq!(
        s.svc.executions().reap(false).await.unwrap(),
        0,
        "{backend}: once"
    );
    let lease = s.claim().await.expect("a new job");
    let done = run_queued(&s.svc, &lease.job).await.unwrap().expect("ran");
    assert_eq!(done.status.as_str(), "success", "{backend}");
    assert_eq!(done.execution.unwrap().output("Echo")[0]["json"]["got"], 1);

    // Its job lost (a flushed queue): found after PENDING_STALE_MS, enqueued again —
    // however often it is lost: a lost job does not spend the restarts a run whose
    // process died has.
    s.svc.handle_webhook(call("queued-2", 2)).await.unwrap();
    s.lose_all_jobs().await;
    assert_eq!(
        s.svc.executions().reap(false).await.unwrap(),
        0,
        "{backend}: not stale yet"
    );
    for lost in 1..=4 {
        s.clock.advance_secs(PENDING_STALE_MS / 1000 + 1);
        assert_eq!(
            s.svc.executions().reap(false).await.unwrap(),
            1,
            "{backend}: lost {lost} times"
        );
        if lost < 4 {
            s.lose_all_jobs().await;
        }
    }
    let lease = s.claim().await.expect("a new job");
    assert_eq!(
        run_queued(&s.svc, &lease.job)
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str(),
        "success"
    );
}

backend_tests!(a_run_whose_job_waits_in_a_backlog_is_left_alone_however_long);
async fn a_run_whose_job_waits_in_a_backlog_is_left_alone_however_long(backend: Backend) {
    let db = backend.db().await;
    let s = setup(db);
    let a = tenant(&s.db.db, "A").await;
    hook(&s.svc, &a, "backlog").await;
    s.svc.handle_webhook(call("backlog", 5)).await.unwrap();
    // Far longer than the reaper's three restarts would take: the job is still queued,
    // so the run is neither re-sent nor failed.
    for _ in 0..5 {
        s.clock.advance_secs(PENDING_STALE_MS / 1000 + 1);
        assert_eq!(
            s.svc.executions().reap(false).await.unwrap(),
            0,
            "{backend}"
        );
    }
    let lease = s.claim().await.expect("its one job");
    assert!(s.claim().await.is_none(), "{backend}: no second job");
    let done = run_queued(&s.svc, &lease.job).await.unwrap().unwrap();
    assert_eq!(done.status.as_str(), "success", "{backend}");
}

#[tokio::test]
async fn the_reaper_fails_what_it_cannot_restart_and_gives_up_after_three_attempts() {
    let s = setup(TestDb::sqlite().await.unwrap());
    let a = tenant(&s.db.db, "A").await;
    // An inline run (a manual run, a webhook answered at the end) keeps nothing to restart.
    let inline = ExecutionId::new();
    s.db.db
        .tenant_execute(
            a.tenant_id,
            query("INSERT INTO executions (id, tenant_id, workflow_id, status, mode, started_at) VALUES ($1, $2, $3, 'running', 'manual', 0)")
                .bind(inline.to_string())
                .bind(a.tenant_id.to_string())
                .bind(WorkflowId::new().to_string()),
        )
        .await
        .unwrap();
    assert_eq!(s.svc.executions().reap(false).await.unwrap(), 1);
    let row = s.svc.executions().get(&a, inline, false).await.unwrap();
    assert_eq!(row.status.as_str(), "error");
    assert!(row.error.unwrap().contains("stopped before it finished"));

    hook(&s.svc, &a, "queued-3").await;
    s.svc.handle_webhook(call("queued-3", 1)).await.unwrap();
    let id = s
        .svc
        .executions()
        .list(&a, &json_query("new"))
        .await
        .unwrap()
        .data[0]
        .id;
    for attempt in 1..=4 {
        while let Some(lease) = s.claim().await {
            s.queue.complete(&lease).await.unwrap();
        }
        s.exec(
            &a,
            "UPDATE executions SET status = 'running', heartbeat_at = 0 WHERE id = $1",
            id,
        )
        .await;
        s.clock.advance_secs(RUNNING_STALE_MS / 1000 + 1);
        assert_eq!(
            s.svc.executions().reap(false).await.unwrap(),
            1,
            "attempt {attempt}"
        );
    }
    let row = s.svc.executions().get(&a, id, false).await.unwrap();
    assert_eq!(row.status.as_str(), "error", "three restarts, then failed");
    // A production run the reaper fails is announced (the manual one above is not).
    let news = s.claim().await.expect("the failure is announced");
    assert_eq!(news.job.kind, <agente_notify::Event as JobPayload>::KIND);
    assert_eq!(news.job.payload["id"], format!("execution.failed:{id}"));
    assert_eq!(news.job.payload["data"]["workflow"]["name"], "queued");
    assert!(s.claim().await.is_none(), "announced once");
}

#[tokio::test]
async fn an_overdue_wait_whose_job_was_lost_is_resumed() {
    let s = setup(TestDb::postgres().await.unwrap());
    let a = tenant(&s.db.db, "A").await;
    let wf = json!({"name": "w", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Nap", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"amount": 1, "unit": "hours"}}
    ], "connections": {"Start": {"main": [link("Nap")]}}});
    let id = s.svc.create(&a, &wf.to_string()).await.unwrap()[0].id;
    let waiting = s.svc.run(&a, id, vec![]).await.unwrap();
    s.lose_all_jobs().await;
    s.clock.advance_secs(3_600 + 1);
    assert_eq!(
        s.svc.executions().reap(false).await.unwrap(),
        0,
        "its job may still come"
    );
    s.clock.advance_secs(PENDING_STALE_MS / 1000);
    assert_eq!(s.svc.executions().reap(false).await.unwrap(), 1);
    let lease = s.claim().await.expect("a resume job");
    assert_eq!(lease.job.kind, ResumeJob::KIND);
    let done = resume_due(&s.svc, &lease.job)
        .await
        .unwrap()
        .expect("resumed");
    assert_eq!((done.id, done.status.as_str()), (waiting.id, "success"));
}

#[tokio::test]
async fn workflows_starting_themselves_without_waiting_stop_at_the_depth_limit() {
    let s = setup(TestDb::sqlite().await.unwrap());
    let a = tenant(&s.db.db, "A").await;
    let wf = json!({"name": "again", "nodes": [
        {"name": "In", "type": "n8n-nodes-base.executeWorkflowTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Again", "type": "n8n-nodes-base.executeWorkflow", "typeVersion": 1.1, "parameters": {
            "source": "database", "workflowId": "SELF", "options": {"waitForSubWorkflow": false}}}
    ], "connections": {"In": {"main": [link("Again")]}}});
    let id = s.svc.create(&a, &wf.to_string()).await.unwrap()[0].id;
    let mut doc = wf.clone();
    doc["nodes"][1]["parameters"]["workflowId"] = json!(id);
    s.svc.update(&a, id, &doc.to_string(), None).await.unwrap();
    let first = s.svc.run(&a, id, vec![]).await.unwrap();
    assert_eq!(first.status.as_str(), "success", "{:?}", first.error);
    let mut runs = 1;
    while let Some(lease) = s.claim().await {
        let record = run_queued(&s.svc, &lease.job).await.unwrap().unwrap();
        s.queue.complete(&lease).await.unwrap();
        runs += 1;
        if record.status.as_str() == "error" {
            assert!(
                record.error.unwrap().contains("nest deeper"),
                "stopped by the depth limit"
            );
            break;
        }
        assert!(runs < 20, "the chain did not stop");
    }
    // Left queued: only the notifier's news of the failed run.
    let news = s.claim().await.expect("the failure is announced");
    assert_eq!(news.job.kind, <agente_notify::Event as JobPayload>::KIND);
    assert_eq!(news.job.payload["kind"], "execution.failed");
    assert!(s.claim().await.is_none(), "nothing else left queued");
    assert_eq!(runs, agente_engine::MAX_SUB_WORKFLOW_DEPTH as usize + 1);
}

fn json_query(status: &str) -> agente_workflows::ExecutionQuery {
    serde_json::from_value(json!({ "status": status })).unwrap()
}
