//! Waiting executions through the service: a long Wait stores the execution `waiting` with
//! a delayed job that resumes it; a Wait for a webhook resumes on a call to
//! `/webhook-waiting/<id>`; a waiting execution can be stopped; each resumes once.

use crate::common::{resume_due, service_with_clock, tenant};
use agente_core::{Clock, FixedClock, SystemClock};
use agente_jobs::{JobPayload, SqlQueue};
use agente_store::backend_tests;
use agente_store::testing::Backend;
use agente_store::testing::TestDb;
use agente_workflows::{ExecutionBody, ResumeJob, WebhookCall, WorkflowServiceError};
use serde_json::{Value, json};
use std::sync::Arc;

fn link(node: &str) -> Value {
    json!([{"node": node, "type": "main", "index": 0}])
}

fn set(name: &str, field: &str, value: &str) -> Value {
    json!({"name": name, "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {
        "assignments": {"assignments": [{"name": field, "value": value, "type": "string"}]}, "includeOtherFields": true}})
}

fn two_hour_wait() -> Value {
    json!({"name": "follow-up", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
        set("First", "a", "one"),
        {"name": "Nap", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"resume": "timeInterval", "amount": 2, "unit": "hours"}},
        set("After", "seen", "={{ $('First').item.json.a }}")
    ], "connections": {"Start": {"main": [link("First")]}, "First": {"main": [link("Nap")]}, "Nap": {"main": [link("After")]}}})
}

backend_tests!(a_long_wait_is_stored_and_its_job_resumes_it_once_when_due);
async fn a_long_wait_is_stored_and_its_job_resumes_it_once_when_due(backend: Backend) {
    let db = backend.db().await;
    let clock = FixedClock::at_ms(SystemClock.now_ms());
    let svc = service_with_clock(&db, Arc::new(clock.clone()));
    let a = tenant(&db.db, "A").await;
    let id = svc.create(&a, &two_hour_wait().to_string()).await.unwrap()[0].id;
    let started = clock.now_ms();
    let waiting = svc.run(&a, id, vec![]).await.unwrap();
    assert_eq!(
        waiting.status.as_str(),
        "waiting",
        "{backend}: {:?}",
        waiting.error
    );
    // Two hours from when the Wait node ran (a few real milliseconds into the run).
    let till = waiting.wait_till.expect("a time to go on");
    assert!(
        (started + 7_200_000..started + 7_201_000).contains(&till),
        "{backend}"
    );
    let stored = svc.executions().get(&a, waiting.id, true).await.unwrap();
    assert_eq!(stored.status.as_str(), "waiting");
    assert_eq!(stored.finished_at, None);
    let api = serde_json::to_value(ExecutionBody::from(&stored)).unwrap();
    assert!(api["waitTill"].as_str().is_some(), "{backend}: {api}");
    assert_eq!(api["data"]["resultData"]["lastNodeExecuted"], "First");

    // The job is there but not due; resuming early does nothing.
    let queue = SqlQueue::new(db.db.clone(), Arc::new(clock.clone()));
    let lanes = ["default".to_string()];
    assert!(
        queue.claim(&lanes, "w", 30_000).await.unwrap().is_none(),
        "{backend}"
    );
    assert!(
        svc.executions()
            .resume_due(a.tenant_id, waiting.id)
            .await
            .unwrap()
            .is_none(),
        "{backend}"
    );

    clock.advance_secs(7_201);
    let lease = queue
        .claim(&lanes, "w", 30_000)
        .await
        .unwrap()
        .expect("due");
    assert_eq!(lease.job.kind, ResumeJob::KIND);
    let done = resume_due(&svc, &lease.job)
        .await
        .unwrap()
        .expect("resumed");
    assert_eq!(
        done.status.as_str(),
        "success",
        "{backend}: {:?}",
        done.error
    );
    assert_eq!(
        done.started_at, started,
        "{backend}: one execution, first start kept"
    );
    let out = done.execution.unwrap().output("After");
    assert_eq!(out[0]["json"]["seen"], "one", "{backend}");
    let stored = svc.executions().get(&a, waiting.id, true).await.unwrap();
    assert_eq!(
        (stored.status.as_str(), stored.wait_till),
        ("success", None)
    );
    assert!(stored.finished_at.is_some());
    let run_data = &stored.data.unwrap()["resultData"]["runData"];
    assert_eq!(run_data["Nap"].as_array().unwrap().len(), 1, "{backend}");
    assert_eq!(
        run_data["After"][0]["data"]["main"][0][0]["json"]["seen"],
        "one"
    );

    // At-least-once delivery: the same job again runs nothing.
    assert!(
        resume_due(&svc, &lease.job).await.unwrap().is_none(),
        "{backend}"
    );
    let all = svc
        .executions()
        .list(&a, &Default::default())
        .await
        .unwrap();
    assert_eq!(all.data.len(), 1, "{backend}: still one execution");

    // Another tenant cannot resume or see it.
    let b = tenant(&db.db, "B").await;
    assert!(
        svc.executions()
            .resume_due(b.tenant_id, waiting.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(svc.executions().get(&b, waiting.id, false).await.is_err());
}

#[tokio::test]
async fn a_waiting_execution_can_be_stopped_and_then_never_resumes() {
    let db = TestDb::sqlite().await.unwrap();
    let clock = FixedClock::at_ms(SystemClock.now_ms());
    let svc = service_with_clock(&db, Arc::new(clock.clone()));
    let a = tenant(&db.db, "A").await;
    let id = svc.create(&a, &two_hour_wait().to_string()).await.unwrap()[0].id;
    let waiting = svc.run(&a, id, vec![]).await.unwrap();
    let stopped = svc.executions().stop(&a, waiting.id).await.unwrap();
    assert_eq!(stopped.status.as_str(), "canceled");
    assert!(stopped.finished_at.is_some());
    clock.advance_secs(7_201);
    assert!(
        svc.executions()
            .resume_due(a.tenant_id, waiting.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        svc.executions().stop(&a, waiting.id).await,
        Err(WorkflowServiceError::Conflict(_))
    ));
}

backend_tests!(a_webhook_wait_resumes_on_a_call_to_its_url_with_the_call);
async fn a_webhook_wait_resumes_on_a_call_to_its_url_with_the_call(backend: Backend) {
    let db = backend.db().await;
    let svc =
        service_with_clock(&db, Arc::new(SystemClock)).with_public_url("https://agente.example/");
    let a = tenant(&db.db, "A").await;
    let wf = json!({"name": "approval", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
        set("Ask", "link", "={{ $execution.resumeUrl }}/approve"),
        {"name": "Approval", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {
            "resume": "webhook", "httpMethod": "POST", "responseMode": "lastNode",
            "options": {"webhookSuffix": "approve"}}},
        set("Decided", "decision", "={{ $json.body.answer }} for {{ $('Ask').item.json.link }}")
    ], "connections": {"Start": {"main": [link("Ask")]}, "Ask": {"main": [link("Approval")]},
        "Approval": {"main": [link("Decided")]}}});
    let id = svc.create(&a, &wf.to_string()).await.unwrap()[0].id;
    let waiting = svc.run(&a, id, vec![]).await.unwrap();
    assert_eq!(
        waiting.status.as_str(),
        "waiting",
        "{backend}: {:?}",
        waiting.error
    );
    assert_eq!(waiting.wait_till, None, "{backend}: no time limit, no job");
    let url = format!(
        "https://agente.example/webhook-waiting/{}/approve",
        waiting.id
    );
    let ask = waiting.execution.as_ref().unwrap().output("Ask");
    assert_eq!(ask[0]["json"]["link"], url.as_str());

    let call = |method: &str, path: String| WebhookCall {
        method: method.into(),
        path,
        headers: [("content-type".to_string(), json!("application/json"))]
            .into_iter()
            .collect(),
        body: json!({"answer": "yes"}),
        ..WebhookCall::default()
    };
    for (method, path) in [
        ("GET", format!("{}/approve", waiting.id)),
        ("POST", format!("{}/other", waiting.id)),
        ("POST", "no-such-execution/approve".to_string()),
    ] {
        assert!(
            matches!(
                svc.executions()
                    .handle_waiting_webhook(call(method, path.clone()))
                    .await,
                Err(WorkflowServiceError::NotFound(_))
            ),
            "{backend}: {method} {path}"
        );
    }
    let reply = svc
        .executions()
        .handle_waiting_webhook(call("POST", format!("{}/approve", waiting.id)))
        .await
        .unwrap();
    assert_eq!(reply.status, 200, "{backend}: {reply:?}");
    assert_eq!(
        reply.body["decision"],
        format!("yes for {url}"),
        "{backend}"
    );
    let stored = svc.executions().get(&a, waiting.id, false).await.unwrap();
    assert_eq!(stored.status.as_str(), "success");
    // Resumed once: a second call finds nothing waiting.
    assert!(matches!(
        svc.executions()
            .handle_waiting_webhook(call("POST", format!("{}/approve", waiting.id)))
            .await,
        Err(WorkflowServiceError::NotFound(_))
    ));
}

#[tokio::test]
async fn a_sub_workflow_its_caller_waits_for_cannot_wait_long() {
    let db = TestDb::sqlite().await.unwrap();
    let svc = service_with_clock(&db, Arc::new(SystemClock));
    let a = tenant(&db.db, "A").await;
    let sub = json!({"name": "sub", "nodes": [
        {"name": "In", "type": "n8n-nodes-base.executeWorkflowTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Nap", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"amount": 1, "unit": "days"}}
    ], "connections": {"In": {"main": [link("Nap")]}}});
    let caller = |wait: bool| {
        json!({"name": "caller", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Call", "type": "n8n-nodes-base.executeWorkflow", "typeVersion": 1.1, "parameters": {
            "source": "parameter", "workflowJson": sub.to_string(), "options": {"waitForSubWorkflow": wait}}}
    ], "connections": {"Start": {"main": [link("Call")]}}})
    };
    let id = svc.create(&a, &caller(true).to_string()).await.unwrap()[0].id;
    let failed = svc.run(&a, id, vec![]).await.unwrap();
    assert_eq!(failed.status.as_str(), "error");
    assert!(failed.error.unwrap().contains("cannot be suspended"));

    // Not waiting for it: the sub-workflow's own execution waits durably.
    let id = svc.create(&a, &caller(false).to_string()).await.unwrap()[0].id;
    assert_eq!(
        svc.run(&a, id, vec![]).await.unwrap().status.as_str(),
        "success"
    );
    let waiting = crate::common::eventually(|| async {
        let q = serde_json::from_value(json!({"status": "waiting"})).unwrap();
        let page = svc.executions().list(&a, &q).await.unwrap();
        page.data.into_iter().next()
    })
    .await;
    assert_eq!(waiting.mode, agente_core::ExecutionMode::Integrated);
}
