//! Workflows the attacks use.

use serde_json::{Value, json};

/// Webhook (answering through Respond to Webhook) → Respond to Webhook with `respond`'s
/// parameters.
pub fn webhook_answering(path: &str, respond: Value) -> Value {
    json!({
        "name": format!("answers on {path}"),
        "nodes": [
            {"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2,
             "webhookId": uuid::Uuid::new_v4().to_string(), "position": [0, 0],
             "parameters": {"path": path, "httpMethod": "GET", "responseMode": "responseNode"}},
            {"name": "Respond", "type": "n8n-nodes-base.respondToWebhook", "typeVersion": 1.1,
             "position": [200, 0], "parameters": respond}
        ],
        "connections": {"Hook": {"main": [[{"node": "Respond", "type": "main", "index": 0}]]}}
    })
}

/// A Webhook node's workflow answering with the last node's data, on `method` `path`.
pub fn webhook(method: &str, path: &str, webhook_id: &str, extra: Value) -> Value {
    let mut params = json!({"path": path, "httpMethod": method, "responseMode": "lastNode"});
    if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    json!({
        "name": format!("{method} {path}"),
        "nodes": [
            {"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2,
             "webhookId": webhook_id, "position": [0, 0], "parameters": params}
        ],
        "connections": {}
    })
}

/// Manual Trigger → Code (`mode`: runOnceForAllItems or runOnceForEachItem) with
/// `settings`.
pub fn code(js: &str, mode: &str, settings: Value) -> Value {
    json!({
        "name": "code",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
             "position": [0, 0], "parameters": {}},
            {"name": "Code", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
             "parameters": {"mode": mode, "jsCode": js}}
        ],
        "connections": {"Start": {"main": [[{"node": "Code", "type": "main", "index": 0}]]}},
        "settings": settings
    })
}

/// `n` input items for a manual run.
pub fn items(n: usize) -> Value {
    json!({"items": (0..n).map(|i| json!({"i": i})).collect::<Vec<_>>()})
}
