//! The offline planner's evaluation sets — `eval/requests.json` (the rules were tuned
//! against it) and `eval/held_out.json` (written afterwards and never tuned for) — requests
//! with the node types a person would expect, and how a result is scored. The figure is a benchmark
//! (`cargo bench -p agente-ai --bench offline_eval`), not a test: quality is measured.

use serde::Deserialize;
use serde_json::Value;

/// One request and the node types its workflow should contain (repeats count).
#[derive(Clone, Debug, Deserialize)]
pub struct Case {
    pub request: String,
    pub expect: Vec<String>,
}

/// The evaluation set the planner was developed against.
pub fn cases() -> Vec<Case> {
    serde_json::from_str(include_str!("../eval/requests.json")).expect("the evaluation set parses")
}

/// Requests written after the planner, to see how it does on words it was not tuned for.
pub fn held_out() -> Vec<Case> {
    serde_json::from_str(include_str!("../eval/held_out.json")).expect("the held-out set parses")
}

/// The expected types the workflow lacks (each as often as it is missing).
pub fn missing(workflow: &Value, expect: &[String]) -> Vec<String> {
    let mut have: Vec<&str> = workflow["nodes"]
        .as_array()
        .map(|nodes| nodes.iter().filter_map(|n| n["type"].as_str()).collect())
        .unwrap_or_default();
    let mut missing = Vec::new();
    for wanted in expect {
        match have.iter().position(|t| t == wanted) {
            Some(i) => {
                have.swap_remove(i);
            }
            None => missing.push(wanted.clone()),
        }
    }
    missing
}
