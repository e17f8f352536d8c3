//! The editor's expression preview agrees with the run it previews, on SQLite and Postgres.

use crate::common::{service, tenant};
use agente_store::backend_tests;
use agente_store::testing::Backend;
use agente_workflows::{MAX_PREVIEW_EXPRESSION, PreviewQuery, WorkflowServiceError};
use serde_json::{Value, json};

const GREETING: &str = "={{ 'Hi ' + $json.name }}";
const LINE: &str =
    "={{ $('Greet').item.json.greeting }} x{{ $json.n * 2 }} of {{ $input.all().length }}";

fn set(name: &str, field: &str, value: &str) -> Value {
    json!({"name": name, "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {
        "mode": "manual", "includeOtherFields": true,
        "assignments": {"assignments": [{"name": field, "value": value, "type": "string"}]}}})
}

fn workflow() -> Value {
    json!({"name": "preview", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
        set("Greet", "greeting", GREETING),
        set("Line", "line", LINE),
    ], "connections": {
        "Start": {"main": [[{"node": "Greet", "type": "main", "index": 0}]]},
        "Greet": {"main": [[{"node": "Line", "type": "main", "index": 0}]]}}})
}

backend_tests!(the_preview_of_each_item_is_what_the_run_gave);
async fn the_preview_of_each_item_is_what_the_run_gave(backend: Backend) {
    let db = backend.db().await;
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let id = svc.create(&a, &workflow().to_string()).await.unwrap()[0].id;
    let items = vec![
        json!({"name": "Ada", "n": 1}),
        json!({"name": "Bob", "n": 2}),
    ];
    let record = svc.run(&a, id, items).await.unwrap();
    assert_eq!(
        record.status.as_str(),
        "success",
        "{backend}: {:?}",
        record.error
    );
    let ran: Vec<Value> = record.execution.as_ref().unwrap().output("Line");
    let doc = workflow().to_string();
    for (i, item) in ran.iter().enumerate() {
        let preview = svc
            .preview_expression(
                &a,
                PreviewQuery {
                    document: doc.clone(),
                    node: "Line".into(),
                    expression: LINE.into(),
                    item: i,
                    execution: Some(record.id),
                },
            )
            .await
            .unwrap();
        assert_eq!(preview.items, 2, "{backend}");
        assert_eq!(
            preview.result,
            Ok(item["json"]["line"].clone()),
            "{backend}: item {i}"
        );
    }
    assert_eq!(ran[1]["json"]["line"], json!("Hi Bob x4 of 2"), "{backend}");

    // A failing expression answers the run's message; before any run the input is empty.
    let failing = PreviewQuery {
        document: doc.clone(),
        node: "Line".into(),
        expression: "={{ $json.nope.deeper }}".into(),
        item: 0,
        execution: Some(record.id),
    };
    let answer = svc.preview_expression(&a, failing.clone()).await.unwrap();
    assert!(answer.result.unwrap_err().contains("deeper"), "{backend}");
    let before = svc
        .preview_expression(
            &a,
            PreviewQuery {
                execution: None,
                expression: "={{ $input.all().length }}".into(),
                ..failing.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (before.result, before.items),
        (Ok(json!(0)), 0),
        "{backend}"
    );

    // Another tenant cannot read A's run through a preview.
    let b = tenant(&db.db, "B").await;
    let foreign = svc.preview_expression(&b, failing.clone()).await;
    assert!(
        matches!(foreign, Err(WorkflowServiceError::NotFound(_))),
        "{backend}: {foreign:?}"
    );

    // Bad requests say why.
    let long = "={{ 1 }}".to_string() + &" ".repeat(MAX_PREVIEW_EXPRESSION);
    for (q, why) in [
        (
            PreviewQuery {
                expression: long,
                ..failing.clone()
            },
            "at most",
        ),
        (
            PreviewQuery {
                node: "Nope".into(),
                ..failing.clone()
            },
            "no node",
        ),
        (
            PreviewQuery {
                expression: "plain".into(),
                ..failing
            },
            "not an expression",
        ),
    ] {
        match svc.preview_expression(&a, q).await {
            Err(WorkflowServiceError::BadInput(m)) => assert!(m.contains(why), "{backend}: {m}"),
            other => panic!("{backend}: {other:?}"),
        }
    }
}
