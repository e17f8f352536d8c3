//! Version history: every save kept with who and when, opened, compared, restored as a new
//! version, the oldest let go past the limit, and none of it visible to another tenant.

use crate::common::{service, tenant};
use agente_core::UserId;
use agente_store::backend_tests;
use agente_store::testing::{Backend, TestDb};
use agente_workflows::{MAX_KEPT_VERSIONS, WorkflowServiceError};
use serde_json::{Value, json};

fn doc(name: &str, nodes: &[&str]) -> String {
    let nodes: Vec<Value> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"id": format!("id-{n}"), "name": n, "type": "n8n-nodes-base.noOp", "position": [i * 200, 0]}))
        .collect();
    json!({"name": name, "nodes": nodes, "connections": {}}).to_string()
}

backend_tests!(every_save_is_kept_and_can_be_restored);
async fn every_save_is_kept_and_can_be_restored(backend: Backend) {
    let db = backend.db().await;
    let svc = service(&db);
    let mut a = tenant(&db.db, "A").await;
    let user = UserId::new();
    a.user_id = Some(user);
    let id = svc.create_one(&a, &doc("first", &["A"])).await.unwrap().id;
    svc.update(&a, id, &doc("second", &["A", "B"]), Some(1))
        .await
        .unwrap();
    svc.update(&a, id, &doc("third", &["B", "C", "D"]), Some(2))
        .await
        .unwrap();

    let versions = svc.versions(&a, id).await.unwrap();
    let seen: Vec<(i64, &str, i64)> = versions
        .iter()
        .map(|v| (v.version, v.name.as_str(), v.node_count))
        .collect();
    assert_eq!(seen, [(3, "third", 3), (2, "second", 2), (1, "first", 1)]);
    assert!(
        versions
            .iter()
            .all(|v| v.saved_by == Some(user.to_string()))
    );

    let (info, second) = svc.version(&a, id, 2).await.unwrap();
    assert_eq!((info.version, second.name()), (2, "second"));
    let changes = svc.compare_versions(&a, id, 2, 3).await.unwrap();
    assert_eq!(changes.added, ["C", "D"]);
    assert_eq!(changes.removed, ["A"]);
    assert!(changes.name_changed);
    assert_eq!(
        changes.moved,
        ["B"],
        "B moved from the second slot to the first"
    );

    // Restoring version 1 saves its document as version 4, itself in the history.
    let restored = svc.restore_version(&a, id, 1, Some(3)).await.unwrap();
    assert_eq!((restored.version, restored.workflow.name()), (4, "first"));
    assert_eq!(svc.get(&a, id).await.unwrap().workflow.nodes().len(), 1);
    assert_eq!(svc.versions(&a, id).await.unwrap()[0].version, 4);
    // Restoring against a version that moved on is a conflict, as a save is.
    assert!(matches!(
        svc.restore_version(&a, id, 2, Some(3)).await,
        Err(WorkflowServiceError::VersionConflict { current: 4, .. })
    ));

    let b = tenant(&db.db, "B").await;
    assert!(matches!(
        svc.versions(&b, id).await,
        Err(WorkflowServiceError::NotFound(_))
    ));
    assert!(matches!(
        svc.version(&b, id, 1).await,
        Err(WorkflowServiceError::NotFound(_))
    ));
    assert!(matches!(
        svc.version(&a, id, 99).await,
        Err(WorkflowServiceError::NotFound(_))
    ));
}

#[tokio::test]
async fn the_oldest_versions_go_past_the_limit() {
    let db = TestDb::sqlite().await.unwrap();
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let id = svc.create_one(&a, &doc("v", &["A"])).await.unwrap().id;
    for v in 1..MAX_KEPT_VERSIONS + 3 {
        svc.update(&a, id, &doc(&format!("v{v}"), &["A"]), Some(v))
            .await
            .unwrap();
    }
    let versions = svc.versions(&a, id).await.unwrap();
    assert_eq!(versions.len() as i64, MAX_KEPT_VERSIONS);
    assert_eq!(versions[0].version, MAX_KEPT_VERSIONS + 3);
    assert_eq!(versions.last().unwrap().version, 4);
}
