//! The editor's commands as a user gives them on the canvas, checked on the JSON they leave.

mod clipboard;
mod commands;
mod history;
mod layout;

use agente_editor::{Editor, Outlet, Point};
use agente_workflow_model::{Node, Workflow};
use serde_json::{Value, json};

/// An editor whose new ids count up (`id-1`, `id-2`, …).
pub fn editor(workflow: Value) -> Editor {
    let workflow: Workflow = serde_json::from_value(workflow).expect("a workflow");
    let mut next = 0;
    Editor::new(workflow, move || {
        next += 1;
        format!("id-{next}")
    })
}

/// Webhook → Set → IF (true: High, false: Low), as n8n exports it.
pub fn branching() -> Value {
    json!({
        "name": "Branching",
        "nodes": [
            {"id": "1", "name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
             "webhookId": "w-1", "parameters": {"path": "in", "httpMethod": "POST"}},
            {"id": "2", "name": "Set", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [220, 0],
             "parameters": {"value": "={{ $('Webhook').item.json.body }}"}},
            {"id": "3", "name": "IF", "type": "n8n-nodes-base.if", "typeVersion": 2.2, "position": [440, 0], "parameters": {}},
            {"id": "4", "name": "High", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [660, -100], "parameters": {}},
            {"id": "5", "name": "Low", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [660, 100], "parameters": {}}
        ],
        "connections": {
            "Webhook": {"main": [[{"node": "Set", "type": "main", "index": 0}]]},
            "Set": {"main": [[{"node": "IF", "type": "main", "index": 0}]]},
            "IF": {"main": [[{"node": "High", "type": "main", "index": 0}], [{"node": "Low", "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"},
        "pinData": {}
    })
}

pub fn json_of(e: &Editor) -> Value {
    e.workflow().to_value()
}

pub fn main_out(node: &str, index: usize) -> Outlet {
    Outlet {
        node: node.into(),
        kind: "main".into(),
        index,
    }
}

pub fn node(name: &str, kind: &str) -> Node {
    serde_json::from_value(json!({"name": name, "type": kind, "typeVersion": 1, "parameters": {}}))
        .expect("a node")
}

pub fn at(x: f64, y: f64) -> Point {
    Point { x, y }
}
