//! Live updates: what a manual run, a save and an activation tell the event bus, and who
//! hears it.

use crate::common::{service, tenant};
use agente_core::UserId;
use agente_events::{Change, Delivery};
use agente_store::testing::TestDb;
use futures::{Stream, StreamExt};
use serde_json::json;
use std::time::Duration;

async fn changes(stream: &mut (impl Stream<Item = Delivery> + Unpin), n: usize) -> Vec<Change> {
    let mut out = Vec::new();
    while out.len() < n {
        let next = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .expect("an event in time")
            .expect("the stream goes on");
        match next {
            Delivery::Event(e) => out.push(e.change.clone()),
            Delivery::Gap => panic!("a gap"),
        }
    }
    out
}

#[tokio::test]
async fn a_manual_run_tells_each_node_with_its_item_counts() {
    let db = TestDb::sqlite().await.unwrap();
    let svc = service(&db);
    let a = tenant(&db.db, "A").await;
    let wf = json!({
        "name": "branches",
        "nodes": [
            {"name": "Go", "type": "n8n-nodes-base.manualTrigger"},
            {"name": "Three", "type": "n8n-nodes-base.code", "typeVersion": 2,
             "parameters": {"jsCode": "return [{json:{n:1}},{json:{n:2}},{json:{n:3}}]"}},
            {"name": "Big?", "type": "n8n-nodes-base.if", "typeVersion": 2, "parameters": {"conditions": {
                "combinator": "and", "options": {"caseSensitive": true, "typeValidation": "strict"},
                "conditions": [{"leftValue": "={{ $json.n }}", "rightValue": 1, "operator": {"type": "number", "operation": "gt"}}]}}},
            {"name": "Boom", "type": "n8n-nodes-base.stopAndError", "parameters": {"errorMessage": "too big"}}
        ],
        "connections": {
            "Go": {"main": [[{"node": "Three", "type": "main", "index": 0}]]},
            "Three": {"main": [[{"node": "Big?", "type": "main", "index": 0}]]},
            "Big?": {"main": [[{"node": "Boom", "type": "main", "index": 0}], []]}
        }
    });
    let id = svc.create(&a, &wf.to_string()).await.unwrap()[0].id;
    let mut mine = Box::pin(svc.live_updates(&a, Some(id), None).unwrap());
    let b = tenant(&db.db, "B").await;
    let mut stranger = Box::pin(svc.live_updates(&b, None, None).unwrap());

    let record = svc.run(&a, id, vec![]).await.unwrap();
    let exec = record.id.to_string();
    let told = changes(&mut mine, 10).await;
    let node_started = |node: &str| Change::NodeStarted {
        execution_id: exec.clone(),
        node: node.into(),
    };
    assert_eq!(
        told[0],
        Change::ExecutionStarted {
            execution_id: exec.clone(),
            mode: "manual".into()
        }
    );
    assert_eq!(told[1], node_started("Go"));
    assert_eq!(told[3], node_started("Three"));
    let Change::NodeFinished { node, items, .. } = &told[6] else {
        panic!("{:?}", told[6]);
    };
    assert_eq!((node.as_str(), items.as_slice()), ("Big?", &[2, 1][..]));
    let Change::NodeFinished { error, .. } = &told[8] else {
        panic!("{:?}", told[8]);
    };
    assert_eq!(error.as_deref(), Some("too big"));
    assert_eq!(
        told[9],
        Change::ExecutionFinished {
            execution_id: exec.clone(),
            status: "error".into(),
            error: Some("too big".into()),
            node: Some("Boom".into()),
        }
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(200), stranger.next())
            .await
            .is_err(),
        "another tenant hears nothing"
    );
}

#[tokio::test]
async fn saves_and_activations_are_told_with_the_version_and_who() {
    let db = TestDb::sqlite().await.unwrap();
    let svc = service(&db);
    let mut a = tenant(&db.db, "A").await;
    let user = UserId::new();
    a.user_id = Some(user);
    let wf = json!({
        "name": "hooked",
        "nodes": [{"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2,
                   "parameters": {"path": "live-hook", "httpMethod": "POST"}, "webhookId": "live-hook"}],
        "connections": {}
    });
    let id = svc.create(&a, &wf.to_string()).await.unwrap()[0].id;
    let mut all = Box::pin(svc.live_updates(&a, None, None).unwrap());
    let saved = svc.update(&a, id, &wf.to_string(), Some(1)).await.unwrap();
    svc.activate(&a, id).await.unwrap();
    svc.deactivate(&a, id).await.unwrap();
    assert_eq!(
        changes(&mut all, 3).await,
        [
            Change::WorkflowSaved {
                version: saved.version,
                by: user.to_string()
            },
            Change::WorkflowActivated { active: true },
            Change::WorkflowActivated { active: false },
        ]
    );
}
