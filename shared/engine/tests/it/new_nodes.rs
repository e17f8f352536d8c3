//! Nodes as the editor makes them (the version and required parameters of
//! `agente_workflow_model::params`) run here: every node that computes over its items runs,
//! at that version, on its defaults (a version the engine refuses, such as Date & Time 1,
//! or a default it cannot use fails the run).

use agente_engine::{Engine, ExecutionStatus, Item, RunRequest};
use agente_workflow_model::catalogue::{self, Group};
use agente_workflow_model::{Workflow, params};
use serde_json::{Value, json};

/// Types whose new node cannot run before the user fills something in (a field to split,
/// a program, an address, a model), or that wait or call out.
const NEED_INPUT: &[&str] = &[
    "n8n-nodes-base.splitOut",
    "n8n-nodes-base.aggregate",
    "n8n-nodes-base.summarize",
    "n8n-nodes-base.renameKeys",
    "n8n-nodes-base.stopAndError",
    "n8n-nodes-base.wait",
    "n8n-nodes-base.executeWorkflow",
    "n8n-nodes-base.respondToWebhook",
    "n8n-nodes-base.merge",
];

#[tokio::test]
async fn nodes_made_by_the_editor_run_on_their_defaults() {
    let mut failed = Vec::new();
    for spec in params::specs() {
        let group = catalogue::lookup(spec.kind).map(|t| t.group);
        if matches!(group, Some(Group::Trigger | Group::Integration | Group::Ai))
            || NEED_INPUT.contains(&spec.kind)
        {
            continue;
        }
        let wf: Workflow = serde_json::from_value(json!({
            "name": "t",
            "nodes": [
                {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
                {"name": "Node", "type": spec.kind, "typeVersion": params::version_number(spec.version),
                 "parameters": Value::Object(spec.new_parameters())}
            ],
            "connections": {"Start": {"main": [[{"node": "Node", "type": "main", "index": 0}]]}}
        }))
        .unwrap();
        let exec = Engine::default()
            .run(
                &wf,
                RunRequest {
                    // `data` is where the HTML and XML nodes look by default.
                    items: vec![Item::from_value(json!({"a": 1, "data": "<p>x</p>"}))],
                    ..RunRequest::default()
                },
            )
            .await;
        if exec.status != ExecutionStatus::Success {
            failed.push(format!("{} {}: {:?}", spec.kind, spec.version, exec.error));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}
