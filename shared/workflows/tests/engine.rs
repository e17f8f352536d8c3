//! The engine runs n8n workflows with n8n's semantics.
#![cfg(feature = "server")]

use agente_workflows::Workflow;
use agente_workflows::engine::{Engine, ExecutionStatus, Item, RunRequest};
use serde_json::{Value, json};

fn request(items: Vec<Value>) -> RunRequest {
    RunRequest {
        items: items.into_iter().map(Item::from_value).collect(),
        execution_id: "ex-test".into(),
        mode: "manual".into(),
        now_ms: 1_795_857_600_000,
        ..RunRequest::default()
    }
}

async fn run(workflow: &Value, items: Vec<Value>) -> agente_workflows::engine::Execution {
    let wf: Workflow = serde_json::from_value(workflow.clone()).unwrap();
    Engine::default().run(&wf, request(items)).await
}

fn jsons(items: Vec<Value>) -> Vec<Value> {
    items.into_iter().map(|i| i["json"].clone()).collect()
}

/// A linear workflow: Manual Trigger → nodes[0] → nodes[1] → …
fn chain(nodes: Vec<Value>) -> Value {
    let mut all = vec![
        json!({"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}}),
    ];
    all.extend(nodes);
    let mut connections = serde_json::Map::new();
    for pair in all.windows(2) {
        connections.insert(
            pair[0]["name"].as_str().unwrap().into(),
            json!({"main": [[{"node": pair[1]["name"], "type": "main", "index": 0}]]}),
        );
    }
    json!({"name": "chain", "nodes": all, "connections": connections})
}

#[tokio::test]
async fn peer_workflow_a_routes_and_responds_like_n8n() {
    let wf: Value = serde_json::from_str(include_str!("fixtures/a-webhook-bench.json")).unwrap();
    for (n, tier, score) in [(10, "low", 20), (40, "high", 80)] {
        let exec = run(
            &wf,
            vec![json!({"body": {"n": n}, "headers": {}, "query": {}})],
        )
        .await;
        assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
        let response = exec.response.clone().expect("Respond to Webhook ran");
        assert_eq!(response.status, 200);
        assert_eq!(response.body, json!({"tier": tier, "score": score}));
        let skipped = if tier == "low" { "Set High" } else { "Set Low" };
        assert!(
            !exec.run_data.contains_key(skipped),
            "{skipped} should not run"
        );
        assert_eq!(jsons(exec.output("Edit Fields"))[0]["seenBy"], "n8n");
    }
}

#[tokio::test]
async fn peer_workflow_b_code_then_aggregate() {
    let wf: Value = serde_json::from_str(include_str!("fixtures/b-code-aggregate.json")).unwrap();
    let exec = run(&wf, vec![]).await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(exec.output("Code").len(), 100);
    let agg = &jsons(exec.output("Aggregate"))[0];
    assert_eq!(agg["square"].as_array().unwrap().len(), 100);
    assert_eq!(agg["square"][9], 81);
    assert_eq!(agg["upper"][1], "ITEM-1");
}

#[tokio::test]
async fn branches_run_depth_first_and_merge_waits_for_both_inputs() {
    let wf = json!({
        "name": "merge",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "parameters": {}},
            {"name": "A", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {"assignments": {"assignments": [{"name": "from", "value": "a", "type": "string"}]}}},
            {"name": "A2", "type": "n8n-nodes-base.noOp", "parameters": {}},
            {"name": "B", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {"assignments": {"assignments": [{"name": "from", "value": "b", "type": "string"}]}}},
            {"name": "Merge", "type": "n8n-nodes-base.merge", "typeVersion": 3, "parameters": {}},
            {"name": "ByPos", "type": "n8n-nodes-base.merge", "typeVersion": 3, "parameters": {"mode": "combine", "combineBy": "combineByPosition"}}
        ],
        "connections": {
            "Start": {"main": [[{"node": "A", "type": "main", "index": 0}, {"node": "B", "type": "main", "index": 0}]]},
            "A": {"main": [[{"node": "A2", "type": "main", "index": 0}]]},
            "A2": {"main": [[{"node": "Merge", "type": "main", "index": 0}, {"node": "ByPos", "type": "main", "index": 0}]]},
            "B": {"main": [[{"node": "Merge", "type": "main", "index": 1}, {"node": "ByPos", "type": "main", "index": 1}]]}
        }
    });
    let exec = run(&wf, vec![json!({"x": 1})]).await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let order: Vec<&str> = exec.run_data.keys().map(String::as_str).collect();
    assert_eq!(
        order[..4],
        ["Start", "A", "A2", "B"],
        "A's branch runs to its end before B"
    );
    assert_eq!(
        jsons(exec.output("Merge")),
        vec![json!({"from": "a"}), json!({"from": "b"})]
    );
    assert_eq!(jsons(exec.output("ByPos")), vec![json!({"from": "b"})]);
    assert_eq!(
        exec.run_data["Merge"].len(),
        1,
        "merge runs once, with both inputs"
    );
}

#[tokio::test]
async fn errors_stop_or_continue_as_configured() {
    let stop = chain(vec![
        json!({"name": "Boom", "type": "n8n-nodes-base.stopAndError", "parameters": {"errorMessage": "={{ 'bad ' + $json.id }}"}}),
    ]);
    let exec = run(&stop, vec![json!({"id": 7})]).await;
    assert_eq!(exec.status, ExecutionStatus::Error);
    let err = exec.error.unwrap();
    assert_eq!(
        (err.node.as_deref(), err.message.as_str()),
        (Some("Boom"), "bad 7")
    );

    let regular = chain(vec![
        json!({"name": "Boom", "type": "n8n-nodes-base.stopAndError", "onError": "continueRegularOutput", "parameters": {"errorMessage": "soft"}}),
        json!({"name": "After", "type": "n8n-nodes-base.noOp", "parameters": {}}),
    ]);
    let exec = run(&regular, vec![]).await;
    assert_eq!(exec.status, ExecutionStatus::Success);
    assert_eq!(jsons(exec.output("After")), vec![json!({"error": "soft"})]);

    let mut error_output = chain(vec![
        json!({"name": "Boom", "type": "n8n-nodes-base.stopAndError", "onError": "continueErrorOutput", "parameters": {"errorMessage": "routed"}}),
    ]);
    error_output["nodes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "Handler", "type": "n8n-nodes-base.noOp", "parameters": {}}));
    error_output["connections"]["Boom"] =
        json!({"main": [[], [{"node": "Handler", "type": "main", "index": 0}]]});
    let exec = run(&error_output, vec![]).await;
    assert_eq!(exec.status, ExecutionStatus::Success);
    assert_eq!(
        jsons(exec.output("Handler")),
        vec![json!({"error": "routed"})]
    );
}

#[tokio::test]
async fn expression_errors_name_node_parameter_and_expression() {
    let wf = chain(vec![
        json!({"name": "Edit", "type": "n8n-nodes-base.set", "typeVersion": 3.4,
        "parameters": {"assignments": {"assignments": [{"name": "x", "value": "={{ $json.a.b.c }}", "type": "string"}]}}}),
    ]);
    let exec = run(&wf, vec![json!({})]).await;
    let err = exec.error.unwrap();
    assert_eq!(err.node.as_deref(), Some("Edit"));
    assert!(
        err.message.contains("assignments.assignments")
            && err.message.contains("$json.a.b.c")
            && err.message.contains("TypeError"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn retries_disabled_pinned_execute_once_and_always_output() {
    let flaky = chain(vec![
        json!({"name": "Flaky", "type": "n8n-nodes-base.code", "retryOnFail": true, "maxTries": 3, "waitBetweenTries": 0,
        "parameters": {"jsCode": "globalThis.n = (globalThis.n || 0) + 1; if (globalThis.n < 3) throw new Error('flaky'); console.log('try', n); return [{json: {tries: n}}];"}}),
    ]);
    let exec = run(&flaky, vec![]).await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(jsons(exec.output("Flaky")), vec![json!({"tries": 3})]);
    assert!(exec.run_data["Flaky"][0].logs.iter().any(|l| l == "try 3"));

    let mut wf = chain(vec![
        json!({"name": "Off", "type": "n8n-nodes-base.stopAndError", "disabled": true, "parameters": {}}),
        json!({"name": "Pinned", "type": "n8n-nodes-base.noOp", "parameters": {}}),
        json!({"name": "Once", "type": "n8n-nodes-base.noOp", "executeOnce": true, "parameters": {}}),
        json!({"name": "None", "type": "n8n-nodes-base.filter", "typeVersion": 2, "alwaysOutputData": true,
            "parameters": {"conditions": {"conditions": [{"leftValue": "={{ $json.p }}", "rightValue": 100, "operator": {"type": "number", "operation": "gt"}}]}}}),
    ]);
    wf["pinData"] = json!({"Pinned": [{"json": {"p": 1}}, {"json": {"p": 2}}]});
    let exec = run(&wf, vec![json!({"in": 1})]).await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(jsons(exec.output("Off")), vec![json!({"in": 1})]);
    assert_eq!(
        jsons(exec.output("Pinned")),
        vec![json!({"p": 1}), json!({"p": 2})]
    );
    assert_eq!(jsons(exec.output("Once")), vec![json!({"p": 1})]);
    assert_eq!(jsons(exec.output("None")), vec![json!({})]);
}

#[tokio::test]
async fn list_nodes_filter_sort_limit_split_dedupe() {
    let wf = chain(vec![
        json!({"name": "Split", "type": "n8n-nodes-base.splitOut", "parameters": {"fieldToSplitOut": "rows"}}),
        json!({"name": "Dedupe", "type": "n8n-nodes-base.removeDuplicates", "parameters": {}}),
        json!({"name": "Keep", "type": "n8n-nodes-base.filter", "typeVersion": 2,
            "parameters": {"conditions": {"conditions": [{"leftValue": "={{ $json.n }}", "rightValue": 1, "operator": {"type": "number", "operation": "gt"}}]}}}),
        json!({"name": "Sort", "type": "n8n-nodes-base.sort", "parameters": {"sortFieldsUi": {"sortField": [{"fieldName": "n", "order": "descending"}]}}}),
        json!({"name": "Top", "type": "n8n-nodes-base.limit", "parameters": {"maxItems": 2}}),
        json!({"name": "Each", "type": "n8n-nodes-base.code", "parameters": {"mode": "runOnceForEachItem", "jsCode": "return { json: { n: item.json.n, label: `#${$itemIndex}:${item.json.n}` } };"}}),
    ]);
    let exec = run(
        &wf,
        vec![json!({"rows": [{"n": 1}, {"n": 5}, {"n": 3}, {"n": 5}, {"n": 4}]})],
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(exec.output("Split").len(), 5);
    assert_eq!(exec.output("Dedupe").len(), 4);
    assert_eq!(
        jsons(exec.output("Each")),
        vec![
            json!({"n": 5, "label": "#0:5"}),
            json!({"n": 4, "label": "#1:4"})
        ]
    );
}
