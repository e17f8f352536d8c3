//! Any JSON as a workflow's settings: validation never panics, and a workflow whose settings
//! pass validation runs to an end (success or a clean failure) without a panic — numbers
//! such as `executionTimeout: 1e300` included.
#![no_main]

use agente_workflow_model::Workflow;
use agente_engine::{Engine, RunRequest};
use agente_workflow_model::validate::{Severity, validate};
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use std::sync::OnceLock;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(settings) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let document = json!({
        "name": "settings",
        "nodes": [
            {"name": "Go", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Pass", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "parameters": {}}
        ],
        "connections": {"Go": {"main": [[{"node": "Pass", "type": "main", "index": 0}]]}},
        "settings": settings
    });
    let Ok(workflow) = serde_json::from_value::<Workflow>(document) else {
        return;
    };
    let engine = Engine::default();
    let issues = validate(&workflow, &|n| engine.supports(n));
    if issues.iter().any(|i| i.severity == Severity::Error) {
        return;
    }
    let _ = runtime().block_on(engine.run(&workflow, RunRequest::default()));
});
