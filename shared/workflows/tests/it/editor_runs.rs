//! Runs from the editor: its unsaved document, and "execute step" up to one node reusing
//! the earlier run's outputs, on SQLite and Postgres.

use crate::common::{service, tenant};
use agente_store::backend_tests;
use agente_store::testing::Backend;
use agente_workflows::{EditorRun, WorkflowServiceError};
use serde_json::{Value, json};

fn document(code: &str, factor: u32) -> Value {
    json!({"name": "steps", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Count", "type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {"jsCode": code}},
        {"name": "Times", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {
            "mode": "manual", "includeOtherFields": true,
            "assignments": {"assignments": [{"name": "x", "value": format!("={{{{ $json.n * {factor} }}}}"), "type": "number"}]}}},
        {"name": "After", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "parameters": {}}
    ], "connections": {
        "Start": {"main": [[{"node": "Count", "type": "main", "index": 0}]]},
        "Count": {"main": [[{"node": "Times", "type": "main", "index": 0}]]},
        "Times": {"main": [[{"node": "After", "type": "main", "index": 0}]]}
    }})
}

fn xs(record: &agente_workflows::ExecutionRecord, node: &str) -> Vec<Value> {
    let execution = record.execution.as_ref().unwrap();
    execution
        .output(node)
        .into_iter()
        .map(|i| i["json"]["x"].clone())
        .collect()
}

backend_tests!(a_step_runs_the_editors_document_up_to_its_node_and_reuses_the_earlier_run);
async fn a_step_runs_the_editors_document_up_to_its_node_and_reuses_the_earlier_run(
    backend: Backend,
) {
    let db = backend.db().await;
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let saved = document("return [{json: {n: 1}}, {json: {n: 2}}]", 2);
    let id = svc.create(&a, &saved.to_string()).await.unwrap()[0].id;

    // Unsaved in the editor: Times multiplies by 3. The step runs that, and stops there.
    let edited = document("return [{json: {n: 1}}, {json: {n: 2}}]", 3);
    let first = svc
        .run_from_editor(
            &a,
            id,
            EditorRun {
                document: edited.to_string(),
                destination: Some("Times".into()),
                previous: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        first.status.as_str(),
        "success",
        "{backend}: {:?}",
        first.error
    );
    assert_eq!(xs(&first, "Times"), [json!(3), json!(6)], "{backend}");
    let ran: Vec<&str> = first
        .execution
        .as_ref()
        .unwrap()
        .run_data
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        ran,
        ["Start", "Count", "Times"],
        "{backend}: nothing past the step"
    );

    // Count now gives other items, but the step reuses what it gave in the first run.
    let changed = document("return [{json: {n: 100}}]", 10);
    let step = EditorRun {
        document: changed.to_string(),
        destination: Some("Times".into()),
        previous: Some(first.id),
    };
    let second = svc.run_from_editor(&a, id, step.clone()).await.unwrap();
    assert_eq!(xs(&second, "Times"), [json!(10), json!(20)], "{backend}");
    // A whole run from the editor runs everything as the document says.
    let whole = svc
        .run_from_editor(
            &a,
            id,
            EditorRun {
                destination: None,
                ..step.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(xs(&whole, "After"), [json!(1000)], "{backend}");
    // The stored workflow is unchanged by all this.
    let stored = svc.get(&a, id).await.unwrap();
    assert_eq!(stored.version, 1, "{backend}");

    // A viewer may look but not run; a run of another workflow is not gone on from.
    let viewer = agente_auth::Principal {
        role: agente_core::Role::Viewer,
        ..a.clone()
    };
    let looked = svc.run_from_editor(&viewer, id, step.clone()).await;
    assert!(
        matches!(looked, Err(WorkflowServiceError::Auth(_))),
        "{backend}: {looked:?}"
    );
    let other = svc.create(&a, &saved.to_string()).await.unwrap()[0].id;
    let mixed = svc.run_from_editor(&a, other, step.clone()).await;
    assert!(
        matches!(mixed, Err(WorkflowServiceError::BadInput(_))),
        "{backend}: {mixed:?}"
    );

    // Someone else's workflow, a node that is not there, a broken document: refused.
    let b = tenant(&db.db, "B").await;
    let foreign = svc.run_from_editor(&b, id, step.clone()).await;
    assert!(
        matches!(foreign, Err(WorkflowServiceError::NotFound(_))),
        "{backend}: {foreign:?}"
    );
    let nowhere = svc
        .run_from_editor(
            &a,
            id,
            EditorRun {
                destination: Some("Nope".into()),
                ..step.clone()
            },
        )
        .await;
    assert!(
        matches!(nowhere, Err(WorkflowServiceError::BadInput(_))),
        "{backend}: {nowhere:?}"
    );
    let broken = svc
        .run_from_editor(
            &a,
            id,
            EditorRun {
                document: "{".into(),
                ..step
            },
        )
        .await;
    assert!(
        matches!(broken, Err(WorkflowServiceError::BadInput(_))),
        "{backend}: {broken:?}"
    );
}
