//! Stored workflows, activation, runs, executions and webhooks, on SQLite and Postgres.

use crate::common::{service, tenant};
use agente_auth::Principal;
use agente_core::Role;
use agente_store::backend_tests;
use agente_store::testing::Backend;
use agente_store::testing::TestDb;
use agente_workflows::{
    ExecutionBody, ExecutionQuery, ListQuery, WebhookCall, WorkflowBody, WorkflowServiceError,
};
use serde_json::{Value, json};

const BENCH: &str = include_str!("../../../workflow-model/tests/fixtures/a-webhook-bench.json");

backend_tests!(crud_activation_runs_and_webhooks);
async fn crud_activation_runs_and_webhooks(backend: Backend) {
    let db = backend.db().await;
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let b = tenant(&db.db, "B").await;

    // Import keeps unknown fields and answers in n8n's API shape.
    let created = svc.create(&a, BENCH).await.unwrap();
    let id = created[0].id;
    let api = serde_json::to_value(WorkflowBody::from(&created[0])).unwrap();
    assert_eq!(api["active"], false, "{backend}");
    assert_eq!(api["nodes"].as_array().unwrap().len(), 6);

    // Tenant B sees nothing of A's.
    assert!(
        matches!(
            svc.get(&b, id).await,
            Err(WorkflowServiceError::NotFound(_))
        ),
        "{backend}"
    );
    assert!(
        svc.list(&b, &ListQuery::default())
            .await
            .unwrap()
            .data
            .is_empty()
    );

    // A viewer may read but not change.
    let viewer = Principal {
        role: Role::Viewer,
        ..a.clone()
    };
    assert!(svc.get(&viewer, id).await.is_ok());
    assert!(matches!(
        svc.activate(&viewer, id).await,
        Err(WorkflowServiceError::Auth(_))
    ));

    // Activate registers POST /webhook/bench; a second workflow cannot take the path.
    assert!(svc.activate(&a, id).await.unwrap().active);
    let clash = svc.create(&b, BENCH).await.unwrap();
    assert!(
        matches!(
            svc.activate(&b, clash[0].id).await,
            Err(WorkflowServiceError::Conflict(_))
        ),
        "{backend}"
    );

    let reply = svc
        .handle_webhook(WebhookCall {
            method: "POST".into(),
            path: "bench".into(),
            body: json!({"n": 40}),
            ..WebhookCall::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (reply.status, reply.body.clone()),
        (200, json!({"tier": "high", "score": 80})),
        "{backend}"
    );
    let missing = svc
        .handle_webhook(WebhookCall {
            method: "GET".into(),
            path: "bench".into(),
            ..WebhookCall::default()
        })
        .await;
    assert!(matches!(missing, Err(WorkflowServiceError::NotFound(_))));

    // The webhook run was recorded with its data.
    let page = svc
        .executions()
        .list(
            &a,
            &ExecutionQuery {
                workflow_id: Some(id.to_string()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1, "{backend}");
    let exec = svc
        .executions()
        .get(&a, page.data[0].id, true)
        .await
        .unwrap();
    let exec = serde_json::to_value(ExecutionBody::from(&exec)).unwrap();
    assert_eq!(exec["status"], "success");
    assert_eq!(exec["mode"], "webhook");
    assert_eq!(exec["data"]["resultData"]["lastNodeExecuted"], "Respond");
    assert!(exec["data"]["resultData"]["runData"]["Set High"].is_array());
    assert!(
        svc.executions()
            .get(&b, page.data[0].id, false)
            .await
            .is_err(),
        "{backend}: cross-tenant read"
    );

    // Deactivation keeps the path the tenant's (no one else can claim it in the
    // meantime); it is free again once the workflow using it is deleted (below).
    svc.deactivate(&a, id).await.unwrap();
    assert!(
        matches!(
            svc.activate(&b, clash[0].id).await,
            Err(WorkflowServiceError::Conflict(m)) if m.contains("not available")
        ),
        "{backend}"
    );

    // Update, list with filters and cursor, delete.
    let mut doc: Value = serde_json::from_str(BENCH).unwrap();
    doc["name"] = json!("Renamed");
    let updated = svc.update(&a, id, &doc.to_string(), None).await.unwrap();
    assert_eq!((updated.workflow.name(), updated.version), ("Renamed", 2));
    svc.create(&a, &json!({"name": "Second", "nodes": [{"name": "Go", "type": "n8n-nodes-base.manualTrigger"}], "connections": {}}).to_string()).await.unwrap();
    let first = svc
        .list(
            &a,
            &ListQuery {
                limit: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(first.data.len(), 1);
    let rest = svc
        .list(
            &a,
            &ListQuery {
                limit: Some(1),
                cursor: first.next_cursor.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(rest.data.len(), 1);
    assert_ne!(first.data[0].id, rest.data[0].id);
    let named = svc
        .list(
            &a,
            &ListQuery {
                name: Some("renam".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(named.data.len(), 1);
    svc.delete(&a, id).await.unwrap();
    assert!(svc.get(&a, id).await.is_err());
    assert!(
        svc.activate(&b, clash[0].id).await.unwrap().active,
        "{backend}: a deleted workflow's path is free"
    );
}

#[tokio::test]
async fn invalid_documents_and_activations_are_refused_with_every_issue() {
    let db = TestDb::sqlite().await.unwrap();
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let dup =
        json!({"name": "x", "nodes": [{"name": "N", "type": "t"}, {"name": "N", "type": "t"}]})
            .to_string();
    assert!(matches!(
        svc.create(&a, &dup).await,
        Err(WorkflowServiceError::Invalid(_))
    ));
    assert!(matches!(
        svc.create(&a, "{not json").await,
        Err(WorkflowServiceError::BadInput(_))
    ));

    // Saved as a draft, but not activatable: unsupported node and no trigger.
    let draft = json!({"name": "draft", "nodes": [{"name": "Mystery", "type": "acme.unknown"}], "connections": {}}).to_string();
    let id = svc.create(&a, &draft).await.unwrap()[0].id;
    match svc.activate(&a, id).await {
        Err(WorkflowServiceError::Invalid(issues)) => {
            let codes: Vec<_> = issues.iter().map(|i| i.code).collect();
            assert!(
                codes.contains(&"unsupported_node_type") && codes.contains(&"missing_trigger"),
                "{codes:?}"
            );
        }
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn manual_runs_record_errors_and_respect_save_settings() {
    let db = TestDb::sqlite().await.unwrap();
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let wf = json!({
        "name": "fails",
        "nodes": [
            {"name": "Go", "type": "n8n-nodes-base.manualTrigger"},
            {"name": "Boom", "type": "n8n-nodes-base.stopAndError", "parameters": {"errorMessage": "={{ 'no ' + $json.what }}"}}
        ],
        "connections": {"Go": {"main": [[{"node": "Boom", "type": "main", "index": 0}]]}}
    });
    let id = svc.create(&a, &wf.to_string()).await.unwrap()[0].id;
    let record = svc
        .run(&a, id, vec![json!({"what": "luck"})])
        .await
        .unwrap();
    assert_eq!(
        (record.status.as_str(), record.error.as_deref()),
        ("error", Some("no luck"))
    );
    let stored = svc.executions().get(&a, record.id, true).await.unwrap();
    let stored = serde_json::to_value(ExecutionBody::from(&stored)).unwrap();
    assert_eq!(stored["data"]["resultData"]["error"]["node"], "Boom");

    // Retry runs again from the trigger with the same items; success runs cannot be retried.
    let retried = svc.executions().retry(&a, record.id).await.unwrap();
    assert_eq!(
        (retried.mode.as_str(), retried.error.as_deref()),
        ("retry", Some("no luck"))
    );
    assert_ne!(retried.id, record.id);

    let mut quiet = wf.clone();
    quiet["settings"] = json!({"saveDataErrorExecution": "none"});
    let id = svc.create(&a, &quiet.to_string()).await.unwrap()[0].id;
    let record = svc.run(&a, id, vec![]).await.unwrap();
    assert!(
        svc.executions().get(&a, record.id, false).await.is_err(),
        "not saved when the workflow says none"
    );
}

backend_tests!(credentials_are_sealed_at_rest_and_reach_the_engine);
async fn credentials_are_sealed_at_rest_and_reach_the_engine(backend: Backend) {
    use agente_workflows::NewCredential;
    let db = backend.db().await;
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let cred = svc
        .credentials()
        .create(
            &a,
            NewCredential {
                name: "token".into(),
                kind: "httpHeaderAuth".into(),
                data: serde_json::from_value(json!({"name": "X-Key", "value": "very-secret"}))
                    .unwrap(),
            },
        )
        .await
        .unwrap();
    // At rest the value is ciphertext.
    let mut tx = db.db.tenant_read(a.tenant_id).await.unwrap();
    let row = agente_store::sqlx::query("SELECT data FROM credentials WHERE id = $1")
        .bind(cred.id.to_string())
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let stored: String = agente_store::Row::try_get(&row, "data").unwrap();
    assert!(
        stored.starts_with("v1.") && !stored.contains("very-secret"),
        "{backend}"
    );
    drop(tx);

    // A Code node cannot see credentials; the engine resolves them for nodes that declare them.
    let wf = json!({"name": "uses cred", "nodes": [
        {"name": "Go", "type": "n8n-nodes-base.manualTrigger"},
        {"name": "Call", "type": "n8n-nodes-base.httpRequest", "parameters": {"url": "http://127.0.0.1:9/", "authentication": "genericCredentialType", "genericAuthType": "httpHeaderAuth"},
         "credentials": {"httpHeaderAuth": {"id": cred.id, "name": "token"}}}
    ], "connections": {"Go": {"main": [[{"node": "Call", "type": "main", "index": 0}]]}}});
    let id = svc.create(&a, &wf.to_string()).await.unwrap()[0].id;
    let record = svc.run(&a, id, vec![]).await.unwrap();
    let error = record.error.unwrap_or_default();
    assert!(
        error.contains("request failed"),
        "{backend}: credential not resolved: {error}"
    );
    assert!(!error.contains("very-secret"));

    // Another tenant's workflow naming the same credential gets nothing.
    let b = tenant(&db.db, "B").await;
    let id = svc.create(&b, &wf.to_string()).await.unwrap()[0].id;
    let record = svc.run(&b, id, vec![]).await.unwrap();
    assert!(
        record.error.unwrap_or_default().contains("does not exist"),
        "{backend}"
    );
}

backend_tests!(a_save_based_on_an_older_version_is_refused_and_changes_nothing);
async fn a_save_based_on_an_older_version_is_refused_and_changes_nothing(backend: Backend) {
    let db = backend.db().await;
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let id = svc.create(&a, BENCH).await.unwrap()[0].id;
    let mut doc: Value = serde_json::from_str(BENCH).unwrap();

    doc["name"] = json!("First editor");
    let first = svc.update(&a, id, &doc.to_string(), Some(1)).await.unwrap();
    assert_eq!(first.version, 2, "{backend}");

    // A second editor that opened version 1 saves: refused, and the first save stays.
    doc["name"] = json!("Second editor");
    match svc.update(&a, id, &doc.to_string(), Some(1)).await {
        Err(WorkflowServiceError::VersionConflict { expected, current }) => {
            assert_eq!((expected, current), (1, 2), "{backend}")
        }
        other => panic!("{backend}: expected a version conflict, got {other:?}"),
    }
    assert_eq!(
        svc.get(&a, id).await.unwrap().workflow.name(),
        "First editor"
    );

    // Two saves of the same version of an active workflow (its webhook registered again by
    // each) at once: exactly one lands, the other is a conflict, not a webhook clash.
    assert!(svc.activate(&a, id).await.unwrap().active);
    let (one, two) = {
        let mut d1 = doc.clone();
        d1["name"] = json!("Racer one");
        let mut d2 = doc.clone();
        d2["name"] = json!("Racer two");
        let (t1, t2) = (d1.to_string(), d2.to_string());
        tokio::join!(
            svc.update(&a, id, &t1, Some(2)),
            svc.update(&a, id, &t2, Some(2))
        )
    };
    let landed = [&one, &two].iter().filter(|r| r.is_ok()).count();
    assert_eq!(landed, 1, "{backend}: {one:?} / {two:?}");
    let loser = if one.is_ok() { two } else { one };
    assert!(
        matches!(
            loser,
            Err(WorkflowServiceError::VersionConflict { current: 3, .. })
        ),
        "{backend}: {loser:?}"
    );

    // Without an expected version (the REST API without If-Match) the save always lands.
    doc["name"] = json!("Anyone");
    assert_eq!(
        svc.update(&a, id, &doc.to_string(), None)
            .await
            .unwrap()
            .version,
        4
    );
}
