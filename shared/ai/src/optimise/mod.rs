//! Optimisation advice (the seed's "performance optimization"): figures from a workflow's
//! recent executions (`stats.rs`), the offline rules' advice (`rules.rs`) and, when a model
//! is configured, its advice on the same figures.

mod rules;
mod stats;

pub use stats::{NodeStats, WorkflowStats, stats};

use crate::chat::{ChatModel, ChatRequest, OutputSchema, Spend, json_part};
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    pub node: Option<String>,
    /// `high`, `medium` or `low`.
    pub impact: &'static str,
    pub title: String,
    pub detail: String,
}

/// Advice on a workflow: the rules', then (if one answers) a model's.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Advice {
    pub stats: WorkflowStats,
    pub suggestions: Vec<Suggestion>,
    /// The model whose advice was added, if any.
    pub model_provider: Option<String>,
}

const INSTRUCTIONS: &str = "You optimise n8n workflows. Given per-node figures from recent executions \
(runs, errors, average and longest time in ms, most items), suggest at most five concrete changes \
that would make the workflow faster, cheaper or more reliable. Name the node when a suggestion is \
about one. Do not repeat generic advice; ground each suggestion in the figures.";

fn schema() -> OutputSchema {
    OutputSchema {
        name: "suggestions",
        description: "Suggestions to improve a workflow",
        schema: json!({ "type": "object", "required": ["suggestions"], "properties": { "suggestions": {
            "type": "array", "maxItems": 5, "items": { "type": "object", "required": ["title", "detail"], "properties": {
                "node": { "type": "string" }, "title": { "type": "string" }, "detail": { "type": "string" },
                "impact": { "type": "string", "enum": ["high", "medium", "low"] },
            }},
        }}}),
    }
}

fn read(answer: &str) -> Option<Vec<Suggestion>> {
    let v: Value = serde_json::from_str(json_part(answer)?).ok()?;
    let list: Vec<Suggestion> = v
        .get("suggestions")?
        .as_array()?
        .iter()
        .take(5)
        .filter_map(|s| {
            let title = s.get("title")?.as_str()?.trim().to_string();
            let detail = s.get("detail")?.as_str()?.trim().to_string();
            let impact = match s.get("impact").and_then(Value::as_str) {
                Some("high") => "high",
                Some("low") => "low",
                _ => "medium",
            };
            (!title.is_empty()).then(|| Suggestion {
                node: s.get("node").and_then(Value::as_str).map(str::to_string),
                impact,
                title,
                detail,
            })
        })
        .collect();
    (!list.is_empty()).then_some(list)
}

/// The advice on `stats`, and the tokens a model spent on it.
pub async fn advise(models: &[Arc<dyn ChatModel>], stats: WorkflowStats) -> (Advice, Spend) {
    let mut suggestions = rules::advise(&stats);
    let mut usage = Spend::default();
    let mut model_provider = None;
    if stats.executions > 0 {
        let shown = serde_json::to_string_pretty(&stats).unwrap_or_default();
        for model in models {
            let mut request = ChatRequest::new(INSTRUCTIONS, shown.clone());
            request.schema = Some(schema());
            match model.complete(&request).await {
                Ok(answer) => {
                    usage.add(model.provider(), &answer);
                    if let Some(more) = read(&answer.text) {
                        suggestions.extend(more);
                        model_provider = Some(model.provider().to_string());
                        break;
                    }
                }
                Err(e) => {
                    tracing::info!(provider = model.provider(), error = %e, "optimisation advice passes to the next provider")
                }
            }
        }
    }
    (
        Advice {
            stats,
            suggestions,
            model_provider,
        },
        usage,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use agente_workflow_model::Workflow;

    fn run(ms: u64, items: usize, error: bool) -> Value {
        let mut r = json!({ "startTime": 0, "executionTime": ms, "data": { "main": [vec![json!({ "json": {} }); items]] } });
        if error {
            r["error"] = json!("HTTP 503");
        }
        r
    }

    #[test]
    fn figures_become_advice() {
        let wf = Workflow::from_json(
            r#"{"name":"Sync","nodes":[
            {"name":"Go","type":"n8n-nodes-base.manualTrigger"},
            {"name":"Fetch","type":"n8n-nodes-base.httpRequest","parameters":{}},
            {"name":"Shape","type":"n8n-nodes-base.set","parameters":{}}],"connections":{}}"#,
        )
        .unwrap();
        let data: Vec<Value> = (0..5)
            .map(|i| {
                json!({ "resultData": { "runData": {
                    "Go": [run(1, 1, false)],
                    "Fetch": [run(2_500, 1_500, i < 2)],
                    "Shape": [run(20, 1_500, false)],
                }}})
            })
            .collect();
        let executions: Vec<(&str, Option<&Value>)> = data
            .iter()
            .enumerate()
            .map(|(i, d)| (if i < 2 { "error" } else { "success" }, Some(d)))
            .collect();
        let s = stats(&wf, executions);
        assert_eq!((s.executions, s.failed), (5, 2));
        let fetch = s.nodes.iter().find(|n| n.node == "Fetch").unwrap();
        assert_eq!(
            (fetch.runs, fetch.errors, fetch.avg_ms, fetch.max_items),
            (5, 2, 2_500, 1_500)
        );
        let advice = rules::advise(&s);
        let titles: Vec<&str> = advice.iter().map(|a| a.title.as_str()).collect();
        assert!(
            titles.iter().any(|t| t.contains("“Fetch” takes 2500 ms")),
            "{titles:?}"
        );
        assert!(
            titles
                .iter()
                .any(|t| t.contains("“Fetch” failed in 2 of 5 runs")),
            "{titles:?}"
        );
        assert!(
            titles
                .iter()
                .any(|t| t.contains("“Shape” produced up to 1500 items")),
            "{titles:?}"
        );
        assert!(
            titles.iter().any(|t| t.contains("no error workflow")),
            "{titles:?}"
        );
        assert!(
            !titles.iter().any(|t| t.contains("“Shape” takes")),
            "a fast step is not flagged"
        );

        let empty = stats(&wf, []);
        assert_eq!(rules::advise(&empty)[0].title, "Not enough runs yet");
    }

    #[test]
    fn a_models_suggestions_are_read() {
        let answer = r#"{"suggestions":[{"node":"Fetch","title":"Use pagination","detail":"…","impact":"high"},{"title":"","detail":"x"}]}"#;
        let list = read(answer).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].node.as_deref(), list[0].impact),
            (Some("Fetch"), "high")
        );
        assert!(read("nothing").is_none());
    }
}
