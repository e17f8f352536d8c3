//! The background roles as `agente serve` runs them: a worker picks up the job that
//! resumes a waiting execution when it is due.

use agente_auth::{AuthMethod, Principal};
use agente_core::{Clock, FixedClock, Role, SecretBox, SystemClock, TenantId};
use agente_engine::Engine;
use agente_jobs::WorkerOptions;
use agente_server::background::{self, Roles};
use agente_store::backend_tests;
use agente_store::testing::{Backend, TestDb};
use agente_workflows::{ServiceLimits, WorkflowService};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

backend_tests!(a_worker_resumes_a_waiting_execution_when_its_time_comes);
async fn a_worker_resumes_a_waiting_execution_when_its_time_comes(backend: Backend) {
    let db = backend.db().await;
    let clock = FixedClock::at_ms(SystemClock.now_ms());
    let workflows = service(&db, &clock);
    let p = editor_in_new_tenant(&db.db).await;
    let wf = json!({"name": "later", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Nap", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"amount": 3, "unit": "days"}},
        {"name": "Then", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "parameters": {}}
    ], "connections": {
        "Start": {"main": [[{"node": "Nap", "type": "main", "index": 0}]]},
        "Nap": {"main": [[{"node": "Then", "type": "main", "index": 0}]]}
    }});
    let id = workflows.create(&p, &wf.to_string()).await.unwrap()[0].id;
    let waiting = workflows.run(&p, id, vec![]).await.unwrap();
    assert_eq!(waiting.status.as_str(), "waiting", "{backend}");

    let running = start(&db, &workflows, &clock, false);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let early = workflows
        .executions()
        .get(&p, waiting.id, false)
        .await
        .unwrap();
    assert_eq!(
        early.status.as_str(),
        "waiting",
        "{backend}: not before its time"
    );

    clock.advance_secs(3 * 86_400 + 1);
    let mut status = agente_core::ExecutionStatus::Waiting;
    for _ in 0..250 {
        status = workflows
            .executions()
            .get(&p, waiting.id, false)
            .await
            .unwrap()
            .status;
        if status == agente_core::ExecutionStatus::Success {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    running.stop().await;
    assert_eq!(status.as_str(), "success", "{backend}");
}

backend_tests!(the_scheduler_fires_housekeeping_and_a_worker_prunes_old_executions);
async fn the_scheduler_fires_housekeeping_and_a_worker_prunes_old_executions(backend: Backend) {
    let db = backend.db().await;
    let clock = FixedClock::at_ms(SystemClock.now_ms());
    let workflows = service(&db, &clock);
    let p = editor_in_new_tenant(&db.db).await;
    let wf = json!({"name": "quick", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}}
    ], "connections": {}});
    let id = workflows.create(&p, &wf.to_string()).await.unwrap()[0].id;
    let old = workflows.run(&p, id, vec![]).await.unwrap();
    // Kept for one hour.
    agente_server::housekeeping::register_with(&db.db, 1, 10_000, 30, clock.now_ms())
        .await
        .unwrap();
    let running = start(&db, &workflows, &clock, true);
    clock.advance_secs(2 * 3_600);
    let mut gone = false;
    for _ in 0..250 {
        if workflows.executions().get(&p, old.id, false).await.is_err() {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    running.stop().await;
    assert!(gone, "{backend}: the two-hour-old execution was pruned");
}

fn service(db: &TestDb, clock: &FixedClock) -> WorkflowService {
    WorkflowService::new(
        db.db.clone(),
        Engine::default(),
        SecretBox::from_bytes(&[3u8; 32]),
        Arc::new(clock.clone()),
        ServiceLimits::default(),
    )
}

/// A fast-polling worker (and the scheduler when asked) on the test clock.
fn start(
    db: &TestDb,
    workflows: &WorkflowService,
    clock: &FixedClock,
    scheduler: bool,
) -> background::Background {
    let roles = Roles {
        workers: Some(WorkerOptions {
            idle_poll: Duration::from_millis(20),
            ..WorkerOptions::default()
        }),
        scheduler,
    };
    let notifier = agente_notify::Notifier::new(
        db.db.clone(),
        workflows.jobs().clone(),
        SecretBox::from_bytes(&[3u8; 32]),
        Arc::new(clock.clone()),
        Default::default(),
    );
    let billing = agente_billing::Billing::new(
        db.db.clone(),
        Arc::new(clock.clone()),
        None,
        Default::default(),
    );
    background::start(
        &db.db,
        workflows,
        &notifier,
        &billing,
        roles,
        Arc::new(clock.clone()),
    )
}

async fn editor_in_new_tenant(db: &agente_store::Db) -> Principal {
    let tenant = TenantId::new();
    db.tenant_execute(
        tenant,
        agente_store::sqlx::query(
            "INSERT INTO tenants (id, name, created_at) VALUES ($1, 'bg', 0)",
        )
        .bind(tenant.to_string()),
    )
    .await
    .unwrap();
    Principal {
        tenant_id: tenant,
        user_id: None,
        role: Role::Editor,
        method: AuthMethod::AccessToken,
    }
}
