//! What a model (or the rules) is shown about a failed execution: the failed node, its
//! parameters with secrets redacted, a sample of its input, and the error. Compact on
//! purpose: a few KiB, never credentials.

use agente_workflow_model::Workflow;
use serde::Serialize;
use serde_json::{Map, Value, json};

/// Longest text of one input value shown.
const VALUE_CHARS: usize = 200;
/// Most keys of the input item shown.
const MAX_KEYS: usize = 30;

/// A failed execution, as much as an explanation needs.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureContext {
    pub workflow: String,
    pub node: String,
    pub node_type: String,
    /// The node's parameters, secrets replaced by `[redacted]`.
    pub parameters: Value,
    /// Settings that shape failures: retries, on-error, timeouts.
    pub settings: Value,
    /// The first item the node received (values cut short), if any.
    pub input_sample: Option<Value>,
    pub error: String,
}

/// Builds the context from a stored execution's `data` (`resultData`) and error, and the
/// workflow it ran. `None` when the execution names no failed node the workflow has.
pub fn failure_context(
    workflow: &Workflow,
    data: Option<&Value>,
    error: Option<&str>,
) -> Option<FailureContext> {
    let result = data.and_then(|d| d.get("resultData"));
    let node_name = result
        .and_then(|r| r.pointer("/error/node"))
        .and_then(Value::as_str)
        .or_else(|| {
            result
                .and_then(|r| r.get("lastNodeExecuted"))
                .and_then(Value::as_str)
        })?;
    let node = workflow.node(node_name)?;
    let run_error = result
        .and_then(|r| r.get("runData"))
        .and_then(|r| r.get(node_name))
        .and_then(Value::as_array)
        .and_then(|runs| runs.last())
        .and_then(|run| run.get("error"))
        .and_then(Value::as_str);
    let error = result
        .and_then(|r| r.pointer("/error/message"))
        .and_then(Value::as_str)
        .or(run_error)
        .or(error)
        .unwrap_or("the node failed without a message")
        .to_string();
    let mut settings = Map::new();
    let node_json = serde_json::to_value(node).unwrap_or(Value::Null);
    for key in [
        "retryOnFail",
        "maxTries",
        "waitBetweenTries",
        "onError",
        "continueOnFail",
        "alwaysOutputData",
    ] {
        if let Some(v) = node_json.get(key) {
            settings.insert(key.into(), v.clone());
        }
    }
    Some(FailureContext {
        workflow: workflow.name().to_string(),
        node: node.name.clone(),
        node_type: node.kind.clone(),
        parameters: redact(&Value::Object(node.parameters().clone())),
        settings: Value::Object(settings),
        input_sample: result.and_then(|r| input_sample(workflow, r, node_name)),
        error: error.chars().take(2_000).collect(),
    })
}

/// The first item a parent node passed to `node` in this run.
fn input_sample(workflow: &Workflow, result: &Value, node: &str) -> Option<Value> {
    let connections = workflow.connections()?;
    for (from, by_type) in connections {
        for (output, targets) in by_type.get("main").into_iter().flatten().enumerate() {
            if targets.iter().flatten().any(|t| t.node == node) {
                let item = result
                    .get("runData")?
                    .get(from)?
                    .as_array()?
                    .last()?
                    .pointer(&format!("/data/main/{output}/0/json"))?;
                return Some(shorten(item));
            }
        }
    }
    None
}

fn shorten(item: &Value) -> Value {
    let Some(object) = item.as_object() else {
        return json!(cut(&item.to_string()));
    };
    let mut out = Map::new();
    for (key, value) in object.iter().take(MAX_KEYS) {
        let text = value.to_string();
        out.insert(
            key.clone(),
            if text.chars().count() > VALUE_CHARS {
                json!(cut(&text))
            } else {
                value.clone()
            },
        );
    }
    if object.len() > MAX_KEYS {
        out.insert(
            "…".into(),
            json!(format!("{} more keys", object.len() - MAX_KEYS)),
        );
    }
    Value::Object(out)
}

fn cut(text: &str) -> String {
    let mut s: String = text.chars().take(VALUE_CHARS).collect();
    s.push('…');
    s
}

/// Names that hold secrets, wherever they appear in parameters.
fn secret_name(name: &str) -> bool {
    let lower = name.to_lowercase().replace(['-', '_'], "");
    [
        "password",
        "secret",
        "token",
        "apikey",
        "authorization",
        "credential",
        "privatekey",
        "cookie",
        "signature",
    ]
    .iter()
    .any(|s| lower.contains(s))
}

/// Parameters with secret values replaced: keys that name a secret, and `{name, value}`
/// pairs (headers, query parameters) whose name does.
pub fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let pair_is_secret = map
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(secret_name);
            Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let hidden = secret_name(k) || (pair_is_secret && k == "value");
                        (
                            k.clone(),
                            if hidden && !v.is_null() {
                                json!("[redacted]")
                            } else {
                                redact(v)
                            },
                        )
                    })
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_reach_the_context() {
        let params = json!({
            "url": "https://api.test/orders",
            "headerParameters": { "parameters": [
                { "name": "Authorization", "value": "Bearer sk-live-123" },
                { "name": "Accept", "value": "application/json" },
            ]},
            "options": { "proxy": { "password": "hunter2" } },
            "apiKey": "abc",
        });
        let shown = redact(&params).to_string();
        for secret in ["sk-live-123", "hunter2", "abc\""] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("application/json") && shown.contains("https://api.test/orders"));
    }

    #[test]
    fn the_context_names_the_failed_node_its_input_and_error() {
        let workflow = Workflow::from_json(r#"{"name":"Orders","nodes":[
            {"name":"Hook","type":"n8n-nodes-base.webhook","parameters":{"path":"o"}},
            {"name":"Call","type":"n8n-nodes-base.httpRequest","retryOnFail":true,"parameters":{"url":"https://x.test"}}],
            "connections":{"Hook":{"main":[[{"node":"Call","type":"main","index":0}]]}}}"#).unwrap();
        let long = "y".repeat(500);
        let data = json!({ "resultData": {
            "runData": {
                "Hook": [{ "startTime": 0, "executionTime": 1, "data": { "main": [[{ "json": { "id": 7, "note": long } }]] } }],
                "Call": [{ "startTime": 0, "executionTime": 1, "data": {}, "error": "HTTP 404" }],
            },
            "lastNodeExecuted": "Call",
            "error": { "message": "The resource you are requesting could not be found (HTTP 404)", "node": "Call" },
        }});
        let c = failure_context(&workflow, Some(&data), None).unwrap();
        assert_eq!(
            (c.node.as_str(), c.node_type.as_str()),
            ("Call", "n8n-nodes-base.httpRequest")
        );
        assert!(c.error.contains("404"));
        assert_eq!(c.settings["retryOnFail"], true);
        let sample = c.input_sample.unwrap();
        assert_eq!(sample["id"], 7);
        assert!(sample["note"].as_str().unwrap().chars().count() <= VALUE_CHARS + 1);
        assert!(
            failure_context(&workflow, None, Some("x")).is_none(),
            "no node named"
        );
    }
}
