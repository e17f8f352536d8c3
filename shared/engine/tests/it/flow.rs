//! Loops, sub-workflows, cancellation and the network policy of the engine.

use agente_engine::{
    BoxFuture, Engine, Execution, ExecutionStatus, Host, Item, RunRequest, SubWorkflowCall,
};
use agente_workflow_model::Workflow;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn workflow(v: Value) -> Workflow {
    serde_json::from_value(v).unwrap()
}

fn request(items: Vec<Value>) -> RunRequest {
    RunRequest {
        items: items.into_iter().map(Item::from_value).collect(),
        now_ms: 1_795_857_600_000,
        ..RunRequest::default()
    }
}

fn jsons(items: Vec<Value>) -> Vec<Value> {
    items.into_iter().map(|i| i["json"].clone()).collect()
}

fn link(to: &str) -> Value {
    json!([{"node": to, "type": "main", "index": 0}])
}

/// Manual → Loop (v3, batch 2) —loop→ Double → back to Loop; Loop —done→ After.
fn loop_workflow(version: f64) -> Value {
    json!({
        "name": "loop",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Loop", "type": "n8n-nodes-base.splitInBatches", "typeVersion": version, "parameters": {"batchSize": 2, "options": {}}},
            {"name": "Double", "type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {
                "jsCode": "return $input.all().map(i => ({json: {n: i.json.n * 2, run: $runIndex}}));"}},
            {"name": "After", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "parameters": {}}
        ],
        "connections": {
            "Start": {"main": [link("Loop")]},
            "Loop": {"main": if version >= 3.0 { json!([link("After"), link("Double")]) } else { json!([link("Double")]) }},
            "Double": {"main": [link("Loop")]}
        }
    })
}

#[tokio::test]
async fn loop_over_items_emits_batches_then_everything_on_done() {
    let items: Vec<Value> = (1..=5).map(|n| json!({"n": n})).collect();
    let exec = Engine::default()
        .run(&workflow(loop_workflow(3.0)), request(items))
        .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    // Batches of 2, 2, 1: the body ran three times, the loop node four.
    assert_eq!(exec.run_data["Double"].len(), 3);
    assert_eq!(exec.run_data["Loop"].len(), 4);
    assert_eq!(exec.run_data["After"].len(), 1);
    let done: Vec<i64> = jsons(exec.output("After"))
        .iter()
        .map(|j| j["n"].as_i64().unwrap())
        .collect();
    assert_eq!(done, vec![2, 4, 6, 8, 10]);
    let runs: Vec<i64> = jsons(exec.output("After"))
        .iter()
        .map(|j| j["run"].as_i64().unwrap())
        .collect();
    assert_eq!(runs, vec![0, 0, 1, 1, 2]);
}

#[tokio::test]
async fn legacy_split_in_batches_stops_when_no_items_are_left() {
    let items: Vec<Value> = (1..=3).map(|n| json!({"n": n})).collect();
    let exec = Engine::default()
        .run(&workflow(loop_workflow(1.0)), request(items))
        .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    // Batches of 2 and 1, then one last run that emits nothing.
    assert_eq!(exec.run_data["Double"].len(), 2);
    assert_eq!(exec.run_data["Loop"].len(), 3);
}

#[tokio::test]
async fn loop_with_a_zero_batch_size_is_a_clear_error() {
    let mut wf = loop_workflow(3.0);
    wf["nodes"][1]["parameters"]["batchSize"] = json!(0);
    let exec = Engine::default()
        .run(&workflow(wf), request(vec![json!({"n": 1})]))
        .await;
    assert_eq!(exec.status, ExecutionStatus::Error);
    assert!(exec.error.unwrap().message.contains("batchSize"));
}

/// A host that runs inline sub-workflows with the same engine and remembers the calls.
struct InMemory {
    me: std::sync::Weak<InMemory>,
    engine: Engine,
    calls: Mutex<Vec<(usize, u8)>>,
}

impl Host for InMemory {
    fn run_sub_workflow(&self, call: SubWorkflowCall) -> BoxFuture<'_, Result<Vec<Item>, String>> {
        Box::pin(async move {
            self.calls
                .lock()
                .unwrap()
                .push((call.items.len(), call.depth));
            let base = RunRequest {
                host: self.me.upgrade().map(|me| me as Arc<dyn Host>),
                ..request(vec![])
            };
            crate::run_inline(&self.engine, call, base).await
        })
    }
}

fn caller(mode: &str, sub: &Value, wait: bool) -> Value {
    json!({
        "name": "caller",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Call", "type": "n8n-nodes-base.executeWorkflow", "typeVersion": 1.1, "parameters": {
                "source": "parameter", "workflowJson": sub.to_string(), "mode": mode,
                "options": {"waitForSubWorkflow": wait}}}
        ],
        "connections": {"Start": {"main": [link("Call")]}}
    })
}

fn sub_workflow() -> Value {
    json!({
        "name": "sub",
        "nodes": [
            {"name": "In", "type": "n8n-nodes-base.executeWorkflowTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Tag", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {
                "mode": "manual", "assignments": {"assignments": [
                    {"name": "seen", "value": "={{ $json.n + 100 }}", "type": "number"}]},
                "includeOtherFields": true}}
        ],
        "connections": {"In": {"main": [link("Tag")]}}
    })
}

async fn run_with_host(wf: Value, items: Vec<Value>) -> (Execution, Vec<(usize, u8)>) {
    let host = Arc::new_cyclic(|me| InMemory {
        me: me.clone(),
        engine: Engine::default(),
        calls: Mutex::new(vec![]),
    });
    let exec = Engine::default()
        .run(
            &workflow(wf),
            RunRequest {
                host: Some(host.clone()),
                ..request(items)
            },
        )
        .await;
    let calls = host.calls.lock().unwrap().clone();
    (exec, calls)
}

#[tokio::test]
async fn execute_workflow_returns_the_sub_workflows_last_node() {
    let items = vec![json!({"n": 1}), json!({"n": 2})];
    let (exec, calls) = run_with_host(caller("once", &sub_workflow(), true), items.clone()).await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(
        jsons(exec.output("Call")),
        vec![json!({"n": 1, "seen": 101}), json!({"n": 2, "seen": 102})]
    );
    assert_eq!(calls, vec![(2, 1)]);

    // Once per item, with each result paired to its item.
    let (exec, calls) = run_with_host(caller("each", &sub_workflow(), true), items.clone()).await;
    assert_eq!(calls, vec![(1, 1), (1, 1)]);
    let out = exec.output("Call");
    assert_eq!(out[1]["pairedItem"], json!({"item": 1}));

    // Not waiting: the input goes on unchanged.
    let (exec, _) = run_with_host(caller("once", &sub_workflow(), false), items).await;
    assert_eq!(
        jsons(exec.output("Call")),
        vec![json!({"n": 1}), json!({"n": 2})]
    );
}

#[tokio::test]
async fn a_sub_workflow_error_fails_the_caller_and_recursion_is_bounded() {
    let failing = json!({
        "name": "fails",
        "nodes": [
            {"name": "In", "type": "n8n-nodes-base.executeWorkflowTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Boom", "type": "n8n-nodes-base.stopAndError", "typeVersion": 1, "parameters": {"errorMessage": "nope"}}
        ],
        "connections": {"In": {"main": [link("Boom")]}}
    });
    let (exec, _) = run_with_host(caller("once", &failing, true), vec![json!({})]).await;
    assert_eq!(exec.status, ExecutionStatus::Error);
    assert!(exec.error.unwrap().message.contains("nope"));

    // A workflow that calls a copy of itself nests until the depth limit stops it.
    let mut nested = sub_workflow();
    for _ in 0..10 {
        nested = caller("once", &nested, true);
        nested["nodes"][0] = json!({"name": "Start", "type": "n8n-nodes-base.executeWorkflowTrigger", "typeVersion": 1, "parameters": {}});
    }
    let (exec, calls) = run_with_host(nested, vec![json!({"n": 1})]).await;
    assert_eq!(exec.status, ExecutionStatus::Error);
    let message = exec.error.unwrap().message;
    assert!(message.contains("nest deeper"), "{message}");
    assert_eq!(calls.len(), 8);

    // Without a host the node says so.
    let exec = Engine::default()
        .run(
            &workflow(caller("once", &sub_workflow(), true)),
            request(vec![]),
        )
        .await;
    assert!(exec.error.unwrap().message.contains("cannot run here"));
}

#[tokio::test]
async fn cancelling_stops_a_running_execution() {
    let wf = workflow(json!({
        "name": "slow",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Wait", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"resume": "timeInterval", "amount": 30, "unit": "seconds"}},
            {"name": "After", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "parameters": {}}
        ],
        "connections": {"Start": {"main": [link("Wait")]}, "Wait": {"main": [link("After")]}}
    }));
    let req = request(vec![]);
    let token = req.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        token.cancel();
    });
    let started = std::time::Instant::now();
    let exec = Engine::default().run(&wf, req).await;
    assert_eq!(exec.status, ExecutionStatus::Canceled);
    assert_eq!(exec.last_node.as_deref(), Some("Wait"));
    assert!(!exec.run_data.contains_key("After"));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn the_http_node_cannot_reach_local_addresses_by_default() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    for url in [
        format!("http://127.0.0.1:{port}/"),
        format!("http://localhost:{port}/"),
        "http://169.254.169.254/latest/meta-data".to_string(),
        "http://[::1]/".to_string(),
    ] {
        let wf = workflow(json!({
            "name": "ssrf",
            "nodes": [
                {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
                {"name": "Fetch", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "parameters": {"url": url}}
            ],
            "connections": {"Start": {"main": [link("Fetch")]}}
        }));
        let exec = Engine::default().run(&wf, request(vec![])).await;
        assert_eq!(exec.status, ExecutionStatus::Error, "{url}");
        assert!(
            exec.error
                .unwrap()
                .message
                .contains("local or private network"),
            "{url}"
        );
    }
}

fn code_workflow(code: &str) -> Workflow {
    workflow(json!({
        "name": "code",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Code", "type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {"jsCode": code}}
        ],
        "connections": {"Start": {"main": [link("Code")]}}
    }))
}

#[tokio::test]
async fn reused_sandboxes_never_cross_tenants_and_survive_failures() {
    let engine = Engine::default();
    let keyed = |key: &str| RunRequest {
        sandbox_key: key.into(),
        ..request(vec![])
    };
    let leak = code_workflow("globalThis.leaked = 'tenant A secret'; return [{json: {}}];");
    let peek = code_workflow("return [{json: {seen: typeof globalThis.leaked}}];");
    assert_eq!(
        engine.run(&leak, keyed("tenant-a")).await.status,
        ExecutionStatus::Success
    );
    let other = engine.run(&peek, keyed("tenant-b")).await;
    assert_eq!(
        jsons(other.output("Code")),
        vec![json!({"seen": "undefined"})]
    );

    // A run that exhausts the sandbox's memory does not break the next one.
    let hog = code_workflow("const a = []; while (true) a.push('x'.repeat(1 << 20));");
    let exec = engine.run(&hog, keyed("tenant-b")).await;
    assert_eq!(exec.status, ExecutionStatus::Error);
    let after = engine.run(&peek, keyed("tenant-b")).await;
    assert_eq!(after.status, ExecutionStatus::Success, "{:?}", after.error);
}

#[tokio::test]
async fn node_item_follows_paired_items_back_through_reordering_nodes() {
    // Start (3 people) → Sort by age desc → Filter age > 20 → Tag with Start's name.
    let wf = workflow(json!({
        "name": "paired",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Sort", "type": "n8n-nodes-base.sort", "typeVersion": 1, "parameters": {
                "sortFieldsUi": {"sortField": [{"fieldName": "age", "order": "descending"}]}}},
            {"name": "Filter", "type": "n8n-nodes-base.filter", "typeVersion": 2, "parameters": {
                "conditions": {"combinator": "and", "conditions": [
                    {"leftValue": "={{ $json.age }}", "rightValue": 20, "operator": {"type": "number", "operation": "gt"}}]}}},
            {"name": "Tag", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {
                "mode": "manual", "assignments": {"assignments": [
                    {"name": "from", "value": "={{ $('Start').item.json.name }}", "type": "string"},
                    {"name": "sorted", "value": "={{ $('Sort').item.json.name }}", "type": "string"}]}}}
        ],
        "connections": {
            "Start": {"main": [link("Sort")]},
            "Sort": {"main": [link("Filter")]},
            "Filter": {"main": [link("Tag")]}
        }
    }));
    let people = vec![
        json!({"name": "Ann", "age": 19}),
        json!({"name": "Bob", "age": 42}),
        json!({"name": "Cy", "age": 30}),
    ];
    let exec = Engine::default().run(&wf, request(people)).await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(
        jsons(exec.output("Tag")),
        vec![
            json!({"from": "Bob", "sorted": "Bob"}),
            json!({"from": "Cy", "sorted": "Cy"})
        ]
    );
}

#[tokio::test]
async fn legacy_loops_end_on_the_no_items_left_context() {
    // Start → SplitInBatches v1 (2 per batch) → IF noItemsLeft: true → Done, false → back.
    let wf = workflow(json!({
        "name": "legacy loop",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "SplitInBatches", "type": "n8n-nodes-base.splitInBatches", "typeVersion": 1, "parameters": {"batchSize": 2}},
            {"name": "Last?", "type": "n8n-nodes-base.if", "typeVersion": 1, "parameters": {
                "conditions": {"boolean": [{"value1": "={{ $node[\"SplitInBatches\"].context[\"noItemsLeft\"] }}", "value2": true}]}}},
            {"name": "Done", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "parameters": {}}
        ],
        "connections": {
            "Start": {"main": [link("SplitInBatches")]},
            "SplitInBatches": {"main": [link("Last?")]},
            "Last?": {"main": [link("Done"), link("SplitInBatches")]}
        }
    }));
    let items: Vec<Value> = (1..=5).map(|n| json!({"n": n})).collect();
    let exec = Engine::default().run(&wf, request(items)).await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(exec.run_data["SplitInBatches"].len(), 3);
    assert_eq!(exec.run_data["Done"].len(), 1);
    assert_eq!(jsons(exec.output("Done")), vec![json!({"n": 5})]);
}
