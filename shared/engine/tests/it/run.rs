//! The engine runs n8n workflows with n8n's semantics.

use agente_engine::{Engine, ExecutionStatus, Item, RunRequest};
use agente_workflow_model::Workflow;
use serde_json::{Value, json};

fn request(items: Vec<Value>) -> RunRequest {
    RunRequest {
        items: items.into_iter().map(Item::from_value).collect(),
        now_ms: 1_795_857_600_000,
        ..RunRequest::default()
    }
}

async fn run(workflow: &Value, items: Vec<Value>) -> agente_engine::Execution {
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
    let wf: Value = serde_json::from_str(include_str!(
        "../../../workflow-model/tests/fixtures/a-webhook-bench.json"
    ))
    .unwrap();
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
    let wf: Value = serde_json::from_str(include_str!(
        "../../../workflow-model/tests/fixtures/b-code-aggregate.json"
    ))
    .unwrap();
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

#[tokio::test]
async fn switch_routes_by_rules_with_a_fallback_output() {
    let rule = |value: &str| json!({"conditions": {"conditions": [{"leftValue": "={{ $json.kind }}", "rightValue": value, "operator": {"type": "string", "operation": "equals"}}]}});
    let wf = json!({
        "name": "switch",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger"},
            {"name": "Route", "type": "n8n-nodes-base.switch", "typeVersion": 3,
             "parameters": {"rules": {"values": [rule("a"), rule("b")]}, "options": {"fallbackOutput": "extra"}}},
            {"name": "A", "type": "n8n-nodes-base.noOp"}, {"name": "B", "type": "n8n-nodes-base.noOp"}, {"name": "Other", "type": "n8n-nodes-base.noOp"}
        ],
        "connections": {
            "Start": {"main": [[{"node": "Route", "type": "main", "index": 0}]]},
            "Route": {"main": [[{"node": "A", "type": "main", "index": 0}], [{"node": "B", "type": "main", "index": 0}], [{"node": "Other", "type": "main", "index": 0}]]}
        }
    });
    let exec = run(
        &wf,
        vec![
            json!({"kind": "a"}),
            json!({"kind": "c"}),
            json!({"kind": "b"}),
            json!({"kind": "a", "n": 2}),
        ],
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(exec.output("A").len(), 2);
    assert_eq!(jsons(exec.output("B")), vec![json!({"kind": "b"})]);
    assert_eq!(jsons(exec.output("Other")), vec![json!({"kind": "c"})]);
}

#[tokio::test]
async fn rename_crypto_summarize_and_wait() {
    let wf = chain(vec![
        json!({"name": "Rename", "type": "n8n-nodes-base.renameKeys", "parameters": {"keys": {"key": [{"currentKey": "amt", "newKey": "amount"}]}}}),
        json!({"name": "Hash", "type": "n8n-nodes-base.crypto", "parameters": {"action": "hash", "type": "SHA256", "value": "abc", "dataPropertyName": "sha"}}),
        json!({"name": "Sign", "type": "n8n-nodes-base.crypto", "parameters": {"action": "hmac", "type": "SHA256", "secret": "key",
            "value": "The quick brown fox jumps over the lazy dog", "dataPropertyName": "sig"}}),
        json!({"name": "Pause", "type": "n8n-nodes-base.wait", "parameters": {"amount": 0.05, "unit": "seconds"}}),
        json!({"name": "Totals", "type": "n8n-nodes-base.summarize", "parameters": {"fieldsToSplitBy": "team",
            "fieldsToSummarize": {"values": [{"aggregation": "sum", "field": "amount"}, {"aggregation": "count", "field": "amount"}]}}}),
    ]);
    let exec = run(
        &wf,
        vec![
            json!({"team": "x", "amt": 5}),
            json!({"team": "y", "amt": 1}),
            json!({"team": "x", "amt": 2.5}),
        ],
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let signed = &jsons(exec.output("Sign"))[0];
    assert_eq!(signed["amount"], 5);
    assert_eq!(
        signed["sha"],
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        signed["sig"],
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    );
    assert_eq!(
        jsons(exec.output("Totals")),
        vec![
            json!({"team": "x", "sum_amount": 7.5, "count_amount": 2}),
            json!({"team": "y", "sum_amount": 1.0, "count_amount": 1})
        ]
    );
    let too_long = chain(vec![
        json!({"name": "Nap", "type": "n8n-nodes-base.wait", "parameters": {"amount": 2, "unit": "hours"}}),
    ]);
    assert!(
        run(&too_long, vec![])
            .await
            .error
            .unwrap()
            .message
            .contains("65 s")
    );
}

#[tokio::test]
async fn the_workflow_timeout_stops_a_slow_run() {
    let mut wf = chain(vec![
        json!({"name": "Slow", "type": "n8n-nodes-base.wait", "parameters": {"amount": 3, "unit": "seconds"}}),
    ]);
    wf["settings"] = json!({"executionTimeout": 1});
    let started = std::time::Instant::now();
    let exec = run(&wf, vec![]).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let err = exec.error.unwrap();
    assert_eq!(err.node.as_deref(), Some("Slow"));
    assert!(err.message.contains("timed out"));
}

#[tokio::test]
async fn if_version_1_conditions_combine_all_or_any() {
    let wf = |combine: &str| {
        chain(vec![
            json!({"name": "If", "type": "n8n-nodes-base.if", "typeVersion": 1, "parameters": {
            "conditions": {
                "number": [{"value1": "={{ $json.amount }}", "operation": "larger", "value2": 100}],
                "string": [{"value1": "={{ $json.country }}", "value2": "DE"}]
            },
            "combineOperation": combine}}),
        ])
    };
    let items = vec![
        json!({"amount": 150, "country": "DE"}),
        json!({"amount": 150, "country": "FR"}),
        json!({"amount": "50", "country": "DE"}),
        json!({"amount": 10, "country": "US"}),
    ];
    let exec = run(&wf("all"), items.clone()).await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(jsons(exec.output_of("If", 0)), vec![items[0].clone()]);
    let exec = run(&wf("any"), items.clone()).await;
    assert_eq!(
        jsons(exec.output_of("If", 0)),
        vec![items[0].clone(), items[1].clone(), items[2].clone()]
    );
    assert_eq!(jsons(exec.output_of("If", 1)), vec![items[3].clone()]);
}

/// Start → Count (Code: two items) → Double → After; Start → Aside.
fn stepped() -> Value {
    json!({"name": "step", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Count", "type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {
            "jsCode": "return [{json: {n: 2}}, {json: {n: 3}}]"}},
        {"name": "Double", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {
            "mode": "manual", "includeOtherFields": true,
            "assignments": {"assignments": [{"name": "twice", "value": "={{ $json.n * 2 }}", "type": "number"}]}}},
        {"name": "After", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "parameters": {}},
        {"name": "Aside", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "parameters": {}}
    ], "connections": {
        "Start": {"main": [[{"node": "Count", "type": "main", "index": 0}, {"node": "Aside", "type": "main", "index": 0}]]},
        "Count": {"main": [[{"node": "Double", "type": "main", "index": 0}]]},
        "Double": {"main": [[{"node": "After", "type": "main", "index": 0}]]}
    }})
}

#[tokio::test]
async fn a_step_run_stops_at_its_node_and_reuses_what_ran_before() {
    let wf: Workflow = serde_json::from_value(stepped()).unwrap();
    // To Double: the nodes leading to it run, nothing after it or beside it.
    let exec = Engine::default()
        .run(
            &wf,
            RunRequest {
                destination: Some("Double".into()),
                ..request(vec![])
            },
        )
        .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let ran: Vec<&str> = exec.run_data.keys().map(String::as_str).collect();
    assert_eq!(ran, ["Start", "Count", "Double"]);
    assert_eq!(
        jsons(exec.output("Double"))
            .iter()
            .map(|j| j["twice"].clone())
            .collect::<Vec<_>>(),
        [json!(4), json!(6)]
    );
    // Again with Count's earlier output reused: Count gives it without running its code.
    let earlier = vec![vec![Item::from_value(json!({"n": 10}))]];
    let exec = Engine::default()
        .run(
            &wf,
            RunRequest {
                destination: Some("Double".into()),
                reused: [("Count".to_string(), earlier)].into(),
                ..request(vec![])
            },
        )
        .await;
    assert_eq!(
        jsons(exec.output("Double")),
        [json!({"n": 10, "twice": 20})]
    );
    assert_eq!(exec.last_node.as_deref(), Some("Double"));
}
