//! Durable waits: a long Wait suspends the run; the saved state (through JSON, as it is
//! stored) resumes it with what expressions, loops and pending branches had before.

use agente_engine::{
    Engine, Execution, ExecutionMode, ExecutionStatus, Item, Resume, RunRequest, Suspended,
};
use agente_workflow_model::Workflow;
use serde_json::{Value, json};

const NOW: i64 = 1_795_857_600_000;

fn link(node: &str) -> Value {
    json!([{"node": node, "type": "main", "index": 0}])
}

fn workflow(value: Value) -> Workflow {
    serde_json::from_value(value).unwrap()
}

/// The execution id expressions see as `$execution.id`.
const EX_WAIT: &str = "0190f0a0-0000-7000-8000-0000000000b2";

fn request(now_ms: i64) -> RunRequest {
    RunRequest {
        execution_id: EX_WAIT.parse().unwrap(),
        mode: ExecutionMode::Trigger,
        now_ms,
        durable_waits: true,
        ..RunRequest::default()
    }
}

/// Saves the suspended state as the service does (JSON) and resumes from the copy.
async fn resume(wf: &Workflow, exec: Execution, at: i64, items: Option<Vec<Value>>) -> Execution {
    assert_eq!(exec.status, ExecutionStatus::Waiting, "{:?}", exec.error);
    let saved = serde_json::to_string(&exec.suspended.expect("a waiting run has a state")).unwrap();
    let suspended: Suspended = serde_json::from_str(&saved).unwrap();
    let request = RunRequest {
        resume: Some(Resume {
            suspended,
            items: items.map(|v| v.into_iter().map(Item::from_value).collect()),
        }),
        ..request(at)
    };
    Engine::default().run(wf, request).await
}

fn jsons(exec: &Execution, node: &str) -> Vec<Value> {
    exec.output(node)
        .into_iter()
        .map(|i| i["json"].clone())
        .collect()
}

fn set(name: &str, field: &str, value: &str) -> Value {
    json!({"name": name, "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {
        "assignments": {"assignments": [{"name": field, "value": value, "type": "string"}]}, "includeOtherFields": true}})
}

#[tokio::test]
async fn a_long_wait_suspends_and_goes_on_with_expressions_and_other_branches_intact() {
    let wf = workflow(json!({
        "name": "wait",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            set("First", "a", "one"),
            {"name": "Nap", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"resume": "timeInterval", "amount": 2, "unit": "hours"}},
            set("After", "seen", "={{ $('First').item.json.a }}-{{ $json.a }}-{{ $execution.id }}"),
            set("Side", "side", "={{ $('First').item.json.a }}")
        ],
        "connections": {
            "Start": {"main": [link("First")]},
            "First": {"main": [[{"node": "Nap", "type": "main", "index": 0}, {"node": "Side", "type": "main", "index": 0}]]},
            "Nap": {"main": [link("After")]}
        }
    }));
    let waiting = Engine::default().run(&wf, request(NOW)).await;
    assert_eq!(waiting.status, ExecutionStatus::Waiting);
    let suspended = waiting.suspended.as_ref().unwrap();
    assert_eq!(suspended.node, "Nap");
    assert!((NOW + 7_200_000..NOW + 7_201_000).contains(&suspended.wait_till_ms.unwrap()));
    assert!(!suspended.on_webhook);
    // Nothing after the wait has run, the other branch neither (depth first).
    assert_eq!(waiting.last_node.as_deref(), Some("First"));
    assert!(!waiting.run_data.contains_key("Nap") && !waiting.run_data.contains_key("Side"));

    let done = resume(&wf, waiting, NOW + 7_200_000, None).await;
    assert_eq!(done.status, ExecutionStatus::Success, "{:?}", done.error);
    assert_eq!(
        jsons(&done, "After")[0]["seen"],
        format!("one-one-{EX_WAIT}")
    );
    assert_eq!(jsons(&done, "Side")[0]["side"], "one");
    assert_eq!(
        done.run_data["Nap"].len(),
        1,
        "the Wait node is recorded once"
    );
    assert_eq!(
        done.run_data["First"].len(),
        1,
        "nothing before the wait runs again"
    );
    let order: Vec<&String> = done.run_data.keys().collect();
    assert_eq!(order, ["Start", "First", "Nap", "After", "Side"]);
}

#[tokio::test]
async fn a_webhook_resume_outputs_the_call_and_a_time_limit_is_kept() {
    let wf = workflow(json!({
        "name": "approve",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Approval", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {
                "resume": "webhook", "limitWaitTime": true, "resumeAmount": 3, "resumeUnit": "days"}},
            set("Decided", "decision", "={{ $json.body.answer }}")
        ],
        "connections": {"Start": {"main": [link("Approval")]}, "Approval": {"main": [link("Decided")]}}
    }));
    // Short limits also wait durably: only a stored run can be reached by its webhook.
    let waiting = Engine::default().run(&wf, request(NOW)).await;
    let suspended = waiting.suspended.as_ref().unwrap();
    assert!(suspended.on_webhook);
    // From when the Wait node ran: the run's start, plus however long reaching it took.
    let limit = NOW + 3 * 86_400_000;
    assert!((limit..limit + 1_000).contains(&suspended.wait_till_ms.unwrap()));
    let done = resume(
        &wf,
        waiting,
        NOW + 60_000,
        Some(vec![json!({"body": {"answer": "yes"}})]),
    )
    .await;
    assert_eq!(done.status, ExecutionStatus::Success, "{:?}", done.error);
    assert_eq!(jsons(&done, "Decided")[0]["decision"], "yes");
    assert_eq!(
        jsons(&done, "Approval"),
        vec![json!({"body": {"answer": "yes"}})]
    );

    // Without durable waits (a sub-workflow its caller waits for) it fails clearly.
    let refused = Engine::default()
        .run(
            &wf,
            RunRequest {
                durable_waits: false,
                ..request(NOW)
            },
        )
        .await;
    assert_eq!(refused.status, ExecutionStatus::Error);
    assert!(
        refused
            .error
            .unwrap()
            .message
            .contains("cannot be suspended")
    );
}

#[tokio::test]
async fn a_specific_time_waits_until_then_and_a_past_one_not_at_all() {
    let at = |when: &str| {
        workflow(json!({
            "name": "at", "settings": {"timezone": "Europe/Berlin"},
            "nodes": [
                {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
                {"name": "Until", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"resume": "specificTime", "dateTime": when}}
            ],
            "connections": {"Start": {"main": [link("Until")]}}
        }))
    };
    // 2026-11-29T10:00 in Berlin (no offset given) is 09:00 UTC, a day after NOW.
    let waiting = Engine::default()
        .run(&at("2026-11-29T10:00:00"), request(NOW))
        .await;
    let till = waiting.suspended.as_ref().and_then(|s| s.wait_till_ms);
    assert_eq!(till, Some(1_795_942_800_000), "{:?}", waiting.error);
    let past = Engine::default()
        .run(&at("2020-01-01T00:00:00Z"), request(NOW))
        .await;
    assert_eq!(past.status, ExecutionStatus::Success, "{:?}", past.error);
    let bad = Engine::default()
        .run(&at("next tuesday"), request(NOW))
        .await;
    assert!(bad.error.unwrap().message.contains("dateTime"));
}

#[tokio::test]
async fn a_loop_with_a_wait_inside_keeps_its_queue_across_suspensions() {
    let wf = workflow(json!({
        "name": "drip",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Loop", "type": "n8n-nodes-base.splitInBatches", "typeVersion": 3, "parameters": {"batchSize": 1, "options": {}}},
            {"name": "Pause", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"amount": 10, "unit": "minutes"}},
            {"name": "Done", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "parameters": {}}
        ],
        "connections": {
            "Start": {"main": [link("Loop")]},
            "Loop": {"main": [link("Done"), link("Pause")]},
            "Pause": {"main": [link("Loop")]}
        }
    }));
    let items = (1..=3).map(|n| Item::from_value(json!({"n": n}))).collect();
    let mut exec = Engine::default()
        .run(
            &wf,
            RunRequest {
                items,
                ..request(NOW)
            },
        )
        .await;
    let mut at = NOW;
    let mut suspensions = 0;
    while exec.status == ExecutionStatus::Waiting {
        suspensions += 1;
        at += 600_000;
        exec = resume(&wf, exec, at, None).await;
    }
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(suspensions, 3);
    assert_eq!(
        jsons(&exec, "Done"),
        vec![json!({"n": 1}), json!({"n": 2}), json!({"n": 3})]
    );
    assert_eq!(exec.run_data["Pause"].len(), 3);
}
