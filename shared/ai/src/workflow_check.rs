//! Reading a model's answer as a workflow: the JSON found (code fences and chatter around it
//! are tolerated), filled in where n8n would fill it (ids, positions, versions), and held to
//! the engine's validator with only the node types the engine runs. What fails is described
//! in lines a model can act on.

use crate::chat::json_part;
use agente_engine::nodes::supports;
use agente_workflow_model::{Severity, Workflow, validate};
use serde_json::{Map, Value, json};

/// Largest answer read as a workflow.
pub const MAX_ANSWER: usize = 256 * 1024;

/// The workflow in `answer`, ready to import, or what is wrong with it.
pub fn check(answer: &str) -> Result<Value, Vec<String>> {
    if answer.len() > MAX_ANSWER {
        return Err(vec![format!("the answer is over {MAX_ANSWER} bytes")]);
    }
    let text =
        json_part(answer).ok_or_else(|| vec!["the answer holds no JSON object".to_string()])?;
    let mut value: Value =
        serde_json::from_str(text).map_err(|e| vec![format!("the JSON does not parse: {e}")])?;
    // Some models wrap the workflow (`{"workflow": {...}}`).
    if value.get("nodes").is_none()
        && let Some(inner) = value.get("workflow").filter(|w| w.get("nodes").is_some())
    {
        value = inner.clone();
    }
    fill_in(&mut value).map_err(|e| vec![e])?;
    let workflow = Workflow::from_json(&value.to_string())
        .map_err(|e| vec![format!("not an n8n workflow: {e}")])?;
    let errors: Vec<String> = validate(&workflow, &supports)
        .into_iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| match i.node {
            Some(node) => format!("{} (node `{node}`, at {}): {}", i.code, i.path, i.message),
            None => format!("{} (at {}): {}", i.code, i.path, i.message),
        })
        .collect();
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(errors)
    }
}

/// What n8n fills in on import: node ids, positions, a version, the webhook id; a new
/// workflow is inactive and runs nodes in v1 order.
fn fill_in(workflow: &mut Value) -> Result<(), String> {
    let object = workflow
        .as_object_mut()
        .ok_or("the workflow is not a JSON object")?;
    object.remove("id");
    object.insert("active".into(), json!(false));
    let named = object
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty());
    if !named {
        object.insert("name".into(), json!("Generated workflow"));
    }
    let settings = object.entry("settings").or_insert_with(|| json!({}));
    if let Some(settings) = settings.as_object_mut() {
        settings.entry("executionOrder").or_insert(json!("v1"));
    }
    object
        .entry("connections")
        .or_insert_with(|| Value::Object(Map::new()));
    let nodes = object
        .get_mut("nodes")
        .and_then(Value::as_array_mut)
        .ok_or("the workflow has no `nodes` list")?;
    for (i, node) in nodes.iter_mut().enumerate() {
        let Some(node) = node.as_object_mut() else {
            continue;
        };
        node.entry("id")
            .or_insert_with(|| json!(uuid::Uuid::new_v4().to_string()));
        node.entry("typeVersion").or_insert(json!(1));
        node.entry("parameters").or_insert_with(|| json!({}));
        let position_ok = node
            .get("position")
            .and_then(Value::as_array)
            .is_some_and(|p| p.len() == 2 && p.iter().all(Value::is_number));
        if !position_ok {
            node.insert("position".into(), json!([i as i64 * 220, 300]));
        }
        if node.get("type").and_then(Value::as_str) == Some("n8n-nodes-base.webhook")
            && !node.contains_key("webhookId")
        {
            let path = node
                .get("parameters")
                .and_then(|p| p.get("path"))
                .and_then(Value::as_str)
                .map(str::to_string);
            node.insert(
                "webhookId".into(),
                json!(path.unwrap_or_else(|| uuid::Uuid::new_v4().to_string())),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"name":"Ping","nodes":[
        {"name":"Start","type":"n8n-nodes-base.manualTrigger","parameters":{}},
        {"name":"Call","type":"n8n-nodes-base.httpRequest","typeVersion":4.2,"parameters":{"url":"https://x.test"}}],
        "connections":{"Start":{"main":[[{"node":"Call","type":"main","index":0}]]}}}"#;

    #[test]
    fn a_workflow_in_chatter_is_found_and_filled_in() {
        let answer = format!("Here you go:\n```json\n{GOOD}\n```\nEnjoy!");
        let w = check(&answer).unwrap();
        assert_eq!(w["active"], false);
        assert_eq!(w["settings"]["executionOrder"], "v1");
        assert!(w["nodes"][0]["id"].is_string());
        assert_eq!(w["nodes"][1]["position"], json!([220, 300]));
        let wrapped = format!(r#"{{"workflow": {GOOD}}}"#);
        assert!(check(&wrapped).is_ok());
    }

    #[test]
    fn what_is_wrong_is_said_in_lines_a_model_can_fix() {
        assert_eq!(
            check("no JSON here").unwrap_err(),
            vec!["the answer holds no JSON object"]
        );
        assert!(check("{\"name\": \"x\", \"nodes\": [").unwrap_err()[0].contains("does not parse"));
        let unknown = GOOD.replace("n8n-nodes-base.httpRequest", "n8n-nodes-base.hubspot");
        let errors = check(&unknown).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("unsupported_node_type") && e.contains("Call")),
            "{errors:?}"
        );
        let dangling = GOOD.replace(r#""node":"Call""#, r#""node":"Nowhere""#);
        let errors = check(&dangling).unwrap_err();
        assert!(
            errors.iter().any(|e| e.contains("dangling_connection")),
            "{errors:?}"
        );
    }
}
