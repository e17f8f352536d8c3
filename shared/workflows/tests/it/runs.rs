//! Sub-workflows, error workflows, stopping and pruning executions, on SQLite and Postgres.

use crate::common::{eventually, service, tenant};
use agente_core::{ExecutionMode, WorkflowId};
use agente_store::backend_tests;
use agente_store::testing::Backend;
use agente_store::testing::TestDb;
use agente_workflows::{ExecutionQuery, WebhookCall, WorkflowServiceError};
use serde_json::{Value, json};

fn link(to: &str) -> Value {
    json!([{"node": to, "type": "main", "index": 0}])
}

fn sub_workflow() -> Value {
    json!({"name": "sub", "nodes": [
        {"name": "In", "type": "n8n-nodes-base.executeWorkflowTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Tag", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {
            "mode": "manual", "includeOtherFields": true,
            "assignments": {"assignments": [{"name": "doubled", "value": "={{ $json.n * 2 }}", "type": "number"}]}}}
    ], "connections": {"In": {"main": [link("Tag")]}}})
}

fn caller(sub_id: WorkflowId) -> Value {
    json!({"name": "caller", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Call", "type": "n8n-nodes-base.executeWorkflow", "typeVersion": 1.2, "parameters": {
            "workflowId": {"__rl": true, "value": sub_id, "mode": "list"}, "options": {}}}
    ], "connections": {"Start": {"main": [link("Call")]}}})
}

backend_tests!(execute_workflow_runs_a_stored_workflow_of_the_same_tenant);
async fn execute_workflow_runs_a_stored_workflow_of_the_same_tenant(backend: Backend) {
    let db = backend.db().await;
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let b = tenant(&db.db, "B").await;
    let sub = svc.create(&a, &sub_workflow().to_string()).await.unwrap()[0].id;
    let main = svc.create(&a, &caller(sub).to_string()).await.unwrap()[0].id;
    let record = svc
        .run(&a, main, vec![json!({"n": 4}), json!({"n": 5})])
        .await
        .unwrap();
    assert_eq!(
        record.status.as_str(),
        "success",
        "{backend}: {:?}",
        record.error
    );
    let out: Vec<Value> = record
        .execution
        .unwrap()
        .output("Call")
        .into_iter()
        .map(|i| i["json"]["doubled"].clone())
        .collect();
    assert_eq!(out, vec![json!(8), json!(10)], "{backend}");
    // The sub-workflow's run is an execution of its own.
    let subs = svc
        .executions()
        .list(
            &a,
            &ExecutionQuery {
                workflow_id: Some(sub.to_string()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(subs.data.len(), 1, "{backend}");
    assert_eq!(subs.data[0].mode, ExecutionMode::Integrated);

    // Another tenant cannot call A's workflow by its id.
    let foreign = svc.create(&b, &caller(sub).to_string()).await.unwrap()[0].id;
    let record = svc.run(&b, foreign, vec![]).await.unwrap();
    assert_eq!(record.status.as_str(), "error", "{backend}");
    assert!(
        record.error.unwrap().contains("does not exist"),
        "{backend}"
    );
}

backend_tests!(a_failed_production_run_starts_the_error_workflow);
async fn a_failed_production_run_starts_the_error_workflow(backend: Backend) {
    let db = backend.db().await;
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let handler = json!({"name": "on error", "nodes": [
        {"name": "Error Trigger", "type": "n8n-nodes-base.errorTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Note", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "parameters": {}}
    ], "connections": {"Error Trigger": {"main": [link("Note")]}}});
    let handler_id = svc.create(&a, &handler.to_string()).await.unwrap()[0].id;
    let failing = json!({"name": "fails", "settings": {"errorWorkflow": handler_id}, "nodes": [
        {"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "webhookId": "f1",
         "parameters": {"httpMethod": "POST", "path": format!("fails-{backend}"), "responseMode": "lastNode"}},
        {"name": "Boom", "type": "n8n-nodes-base.stopAndError", "typeVersion": 1, "parameters": {"errorMessage": "card declined"}}
    ], "connections": {"Hook": {"main": [link("Boom")]}}});
    let failing_id = svc.create(&a, &failing.to_string()).await.unwrap()[0].id;
    svc.activate(&a, failing_id).await.unwrap();
    let reply = svc
        .handle_webhook(WebhookCall {
            method: "POST".into(),
            path: format!("fails-{backend}"),
            ..WebhookCall::default()
        })
        .await
        .unwrap();
    assert_eq!(reply.status, 500, "{backend}");

    let handled = eventually(|| async {
        let page = svc
            .executions()
            .list(
                &a,
                &ExecutionQuery {
                    workflow_id: Some(handler_id.to_string()),
                    include_data: Some(true),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        page.data.into_iter().next()
    })
    .await;
    assert_eq!(handled.mode, ExecutionMode::Error, "{backend}");
    let item = handled
        .data
        .unwrap()
        .pointer("/resultData/runData/Note/0/data/main/0/0/json")
        .cloned()
        .unwrap();
    assert_eq!(item["execution"]["error"]["message"], "card declined");
    assert_eq!(item["execution"]["lastNodeExecuted"], "Boom");
    assert_eq!(item["workflow"]["id"], json!(failing_id));

    // A manual run of the failing workflow does not start it again.
    svc.run(&a, failing_id, vec![]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let page = svc
        .executions()
        .list(
            &a,
            &ExecutionQuery {
                workflow_id: Some(handler_id.to_string()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1, "{backend}");
}

backend_tests!(a_long_run_is_listed_as_running_and_can_be_stopped);
async fn a_long_run_is_listed_as_running_and_can_be_stopped(backend: Backend) {
    let db = backend.db().await;
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let b = tenant(&db.db, "B").await;
    let slow = json!({"name": "slow", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Wait", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"amount": 30, "unit": "seconds"}}
    ], "connections": {"Start": {"main": [link("Wait")]}}});
    let id = svc.create(&a, &slow.to_string()).await.unwrap()[0].id;
    let runner = {
        let (svc, a, id) = (svc.clone(), a.clone(), id);
        tokio::spawn(async move { svc.run(&a, id, vec![]).await })
    };
    let running = eventually(|| async {
        let page = svc
            .executions()
            .list(
                &a,
                &ExecutionQuery {
                    status: Some("running".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        page.data.into_iter().next()
    })
    .await;
    // Another tenant cannot stop it.
    assert!(
        matches!(
            svc.executions().stop(&b, running.id).await,
            Err(WorkflowServiceError::NotFound(_))
        ),
        "{backend}"
    );
    let stopped = svc.executions().stop(&a, running.id).await.unwrap();
    assert_eq!(stopped.status.as_str(), "canceled", "{backend}");
    let finished = runner.await.unwrap().unwrap();
    assert_eq!(finished.status.as_str(), "canceled");
    // Stopping it again says it has finished.
    assert!(matches!(
        svc.executions().stop(&a, running.id).await,
        Err(WorkflowServiceError::Conflict(_))
    ));
}

backend_tests!(a_run_in_another_process_is_stopped_through_its_row);
async fn a_run_in_another_process_is_stopped_through_its_row(backend: Backend) {
    let db = backend.db().await;
    // Two services over one database: two processes of a scaled-out deployment.
    let (here, there) = (service(&db), service(&db));
    let a = tenant(&db.db, "A").await;
    let slow = json!({"name": "slow", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Wait", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"amount": 30, "unit": "seconds"}}
    ], "connections": {"Start": {"main": [link("Wait")]}}});
    let id = here.create(&a, &slow.to_string()).await.unwrap()[0].id;
    let runner = {
        let (svc, a, id) = (there.clone(), a.clone(), id);
        tokio::spawn(async move { svc.run(&a, id, vec![]).await })
    };
    let running = eventually(|| async {
        let query = ExecutionQuery {
            status: Some("running".into()),
            ..Default::default()
        };
        here.executions()
            .list(&a, &query)
            .await
            .unwrap()
            .data
            .into_iter()
            .next()
    })
    .await;
    let stopped = here.executions().stop(&a, running.id).await.unwrap();
    assert_eq!(stopped.status.as_str(), "canceled", "{backend}");
    assert_eq!(
        runner.await.unwrap().unwrap().status.as_str(),
        "canceled",
        "{backend}"
    );
}

backend_tests!(pruning_keeps_the_newest_executions_of_each_tenant);
async fn pruning_keeps_the_newest_executions_of_each_tenant(backend: Backend) {
    let db = backend.db().await;
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let b = tenant(&db.db, "B").await;
    let wf = json!({"name": "quick", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}}
    ], "connections": {}});
    let ida = svc.create(&a, &wf.to_string()).await.unwrap()[0].id;
    let idb = svc.create(&b, &wf.to_string()).await.unwrap()[0].id;
    for _ in 0..3 {
        svc.run(&a, ida, vec![]).await.unwrap();
    }
    svc.run(&b, idb, vec![]).await.unwrap();
    let count = |p| {
        let svc = svc.clone();
        async move {
            svc.executions()
                .list(&p, &ExecutionQuery::default())
                .await
                .unwrap()
                .data
                .len()
        }
    };
    let newest = svc
        .executions()
        .list(&a, &ExecutionQuery::default())
        .await
        .unwrap()
        .data[0]
        .id;
    // Keep one per tenant: A loses two, B keeps its one.
    let deleted = svc.executions().prune(336 * 3_600_000, 1).await.unwrap();
    assert!(deleted >= 2, "{backend}: {deleted}");
    assert_eq!(count(a.clone()).await, 1, "{backend}");
    assert_eq!(count(b.clone()).await, 1, "{backend}");
    assert_eq!(
        svc.executions()
            .list(&a, &ExecutionQuery::default())
            .await
            .unwrap()
            .data[0]
            .id,
        newest
    );
    // Everything older than the cut-off goes.
    svc.executions().prune(-60_000, 10_000).await.unwrap();
    assert_eq!(count(a).await, 0, "{backend}");
    assert_eq!(count(b).await, 0, "{backend}");
}

#[tokio::test]
async fn activation_refuses_a_schedule_that_cannot_fire() {
    let db = TestDb::sqlite().await.unwrap();
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let wf = |expression: &str| {
        json!({"name": "cron", "settings": {"timezone": "Europe/Paris"}, "nodes": [
            {"name": "Tick", "type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1.2, "parameters": {
                "rule": {"interval": [{"field": "cronExpression", "expression": expression}]}}}
        ], "connections": {}})
        .to_string()
    };
    let bad = svc.create(&a, &wf("0 25 * * *")).await.unwrap()[0].id;
    match svc.activate(&a, bad).await {
        Err(WorkflowServiceError::BadInput(m)) => assert!(m.contains("not a cron pattern"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let good = svc.create(&a, &wf("0 9 * * 1-5")).await.unwrap()[0].id;
    assert!(svc.activate(&a, good).await.unwrap().active);
}
