//! Explaining a failed execution: cause, steps to fix it and, where a setting or parameter
//! would fix it, a patch the user can apply. A configured model is asked first (structured
//! output, its patch checked); the offline rules always have an answer.

mod context;
mod rules;

pub use context::{FailureContext, failure_context, redact};

use crate::chat::{ChatModel, ChatRequest, OutputSchema, Spend, json_part};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;

/// Changes to the failed node: parameters merged into its own, node settings
/// (`retryOnFail`, `maxTries`, `waitBetweenTries`, `onError`) set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Patch {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub parameters: Value,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub settings: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Explanation {
    /// The failed node (what a patch applies to).
    pub node: String,
    pub cause: String,
    pub steps: Vec<String>,
    pub patch: Option<Patch>,
    /// Who explained it: a provider, or `offline`.
    pub provider: String,
}

/// Node settings a patch may change.
const SETTINGS: &[&str] = &[
    "retryOnFail",
    "maxTries",
    "waitBetweenTries",
    "onError",
    "alwaysOutputData",
];

fn schema() -> OutputSchema {
    OutputSchema {
        name: "explanation",
        description: "Why a workflow node failed and how to fix it",
        schema: json!({
            "type": "object",
            "required": ["cause", "steps"],
            "properties": {
                "cause": { "type": "string" },
                "steps": { "type": "array", "items": { "type": "string" }, "maxItems": 6 },
                "patch": { "type": "object", "properties": {
                    "parameters": { "type": "object" },
                    "settings": { "type": "object" },
                }},
            },
        }),
    }
}

const INSTRUCTIONS: &str = "You help people fix failed n8n workflow executions. Given the failed node, its \
parameters (secrets redacted), a sample of its input and the error, answer with the most likely cause \
(one or two sentences), up to six concrete steps, and — only when changing the node's parameters or its \
settings (retryOnFail, maxTries, waitBetweenTries, onError) would fix it — a patch. Never invent \
credentials; never put secrets in a patch.";

/// Reads a model's answer; `None` if it is not a usable explanation.
fn read(answer: &str, provider: &str) -> Option<Explanation> {
    let v: Value = serde_json::from_str(json_part(answer)?).ok()?;
    let cause = v.get("cause")?.as_str()?.trim().to_string();
    let steps: Vec<String> = v
        .get("steps")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .take(6)
        .collect();
    if cause.is_empty() || steps.is_empty() {
        return None;
    }
    let patch = v.get("patch").and_then(|p| {
        let parameters = p
            .get("parameters")
            .filter(|x| x.is_object())
            .cloned()
            .unwrap_or(json!({}));
        let settings: serde_json::Map<String, Value> = p
            .get("settings")
            .and_then(Value::as_object)
            .map(|s| {
                s.iter()
                    .filter(|(k, _)| SETTINGS.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        // A patch that would write a secret is not offered.
        let empty = parameters.as_object().is_some_and(|o| o.is_empty()) && settings.is_empty();
        (!empty && redact(&parameters) == parameters).then(|| Patch {
            parameters,
            settings: Value::Object(settings),
        })
    });
    Some(Explanation {
        node: String::new(),
        cause,
        steps,
        patch,
        provider: provider.into(),
    })
}

/// The explanation of `context`: the first model that gives a usable one, else the rules.
/// Answers the tokens spent too.
pub async fn explain(
    models: &[Arc<dyn ChatModel>],
    context: &FailureContext,
) -> (Explanation, Spend) {
    let mut usage = Spend::default();
    let shown = serde_json::to_string_pretty(context).unwrap_or_default();
    for model in models {
        let mut request = ChatRequest::new(INSTRUCTIONS, shown.clone());
        request.schema = Some(schema());
        request.temperature = Some(0.1);
        match model.complete(&request).await {
            Ok(answer) => {
                usage.add(model.provider(), &answer);
                if let Some(explanation) = read(&answer.text, model.provider()) {
                    return (
                        Explanation {
                            node: context.node.clone(),
                            ..explanation
                        },
                        usage,
                    );
                }
                tracing::info!(
                    provider = model.provider(),
                    "an explanation could not be read; next provider"
                );
            }
            Err(e) => {
                tracing::info!(provider = model.provider(), error = %e, "explanation passes to the next provider")
            }
        }
    }
    (
        Explanation {
            node: context.node.clone(),
            ..rules::explain(context)
        },
        usage,
    )
}

impl Patch {
    /// Applies the patch to node `node` of `workflow` (n8n JSON): parameters merged into the
    /// node's (objects deeply, anything else replaced), known settings set.
    pub fn apply(&self, workflow: &mut Value, node: &str) -> Result<(), String> {
        let target = workflow
            .get_mut("nodes")
            .and_then(Value::as_array_mut)
            .and_then(|nodes| {
                nodes
                    .iter_mut()
                    .find(|n| n.get("name").and_then(Value::as_str) == Some(node))
            })
            .and_then(Value::as_object_mut)
            .ok_or_else(|| format!("the workflow has no node `{node}` any more"))?;
        let parameters = target.entry("parameters").or_insert_with(|| json!({}));
        merge(parameters, &self.parameters);
        for (key, value) in self.settings.as_object().into_iter().flatten() {
            if !SETTINGS.contains(&key.as_str()) {
                return Err(format!("`{key}` is not a node setting a fix may change"));
            }
            target.insert(key.clone(), value.clone());
        }
        Ok(())
    }
}

fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(node_type: &str, error: &str) -> FailureContext {
        FailureContext {
            workflow: "Orders".into(),
            node: "Call".into(),
            node_type: node_type.into(),
            parameters: json!({ "url": "https://api.test/orders" }),
            settings: json!({}),
            input_sample: Some(json!({ "id": 1, "total": 12 })),
            error: error.into(),
        }
    }

    #[test]
    fn the_rules_know_the_common_errors() {
        let http = "n8n-nodes-base.httpRequest";
        let e = rules::explain(&context(
            http,
            "Authorization failed - please check your credentials (HTTP 401)",
        ));
        assert!(
            e.cause.contains("401") && e.cause.contains("credentials"),
            "{}",
            e.cause
        );
        assert!(e.patch.is_none());
        let e = rules::explain(&context(
            http,
            "The service is receiving too many requests from you (HTTP 429)",
        ));
        assert_eq!(e.patch.unwrap().settings["retryOnFail"], true);
        let e = rules::explain(&context(http, "HTTP 503 Service Unavailable"));
        assert!(e.cause.contains("503"));
        let e = rules::explain(&context(http, "the request timed out after 10000 ms"));
        assert_eq!(e.patch.unwrap().parameters["options"]["timeout"], 30_000);
        let e = rules::explain(&context(http, "getaddrinfo ENOTFOUND api.tset"));
        assert!(e.cause.contains("could not be reached"));
        let e = rules::explain(&context(
            "n8n-nodes-base.set",
            "Cannot read properties of undefined (reading 'email')",
        ));
        assert!(
            e.cause.contains("`email`") && e.cause.contains("id, total"),
            "{}",
            e.cause
        );
        let e = rules::explain(&context("n8n-nodes-base.code", "customer is not defined"));
        assert!(e.cause.contains("`customer`"));
        let e = rules::explain(&context(
            "n8n-nodes-base.emailSend",
            "SMTP: 535 authentication failed",
        ));
        assert!(e.cause.contains("mail server"), "{}", e.cause);
        let e = rules::explain(&context("n8n-nodes-base.noOp", "something odd"));
        assert!(e.cause.contains("something odd") && !e.steps.is_empty());
    }

    #[test]
    fn a_patch_merges_parameters_and_sets_settings() {
        let mut wf = json!({ "nodes": [{ "name": "Call", "parameters": { "url": "u", "options": { "redirect": true } } }] });
        let patch = Patch {
            parameters: json!({ "options": { "timeout": 30000 } }),
            settings: json!({ "retryOnFail": true }),
        };
        patch.apply(&mut wf, "Call").unwrap();
        assert_eq!(
            wf["nodes"][0]["parameters"],
            json!({ "url": "u", "options": { "redirect": true, "timeout": 30000 } })
        );
        assert_eq!(wf["nodes"][0]["retryOnFail"], true);
        assert!(patch.apply(&mut wf, "Gone").is_err());
        let bad = Patch {
            parameters: json!({}),
            settings: json!({ "type": "n8n-nodes-base.code" }),
        };
        assert!(bad.apply(&mut wf, "Call").is_err(), "only known settings");
    }

    #[test]
    fn a_models_answer_is_read_and_a_secret_patch_refused() {
        let good = r#"{"cause":"Wrong path","steps":["Fix the URL"],"patch":{"parameters":{"url":"https://api.test/v2/orders"},"settings":{"retryOnFail":true,"evil":1}}}"#;
        let e = read(good, "openai").unwrap();
        assert_eq!(
            e.patch.as_ref().unwrap().parameters["url"],
            "https://api.test/v2/orders"
        );
        assert_eq!(
            e.patch.unwrap().settings,
            json!({ "retryOnFail": true }),
            "only known settings"
        );
        let secret = r#"{"cause":"c","steps":["s"],"patch":{"parameters":{"apiKey":"sk-123"}}}"#;
        assert!(read(secret, "openai").unwrap().patch.is_none());
        assert!(read(r#"{"cause":"","steps":[]}"#, "openai").is_none());
        assert!(read("no", "openai").is_none());
    }
}
