//! Import → export gives back equal JSON, and validation reports every problem.

use agente_workflow_model::{Issue, Node, OnError, Workflow, validate};
use serde_json::{Value, json};

const FIXTURES: &[&str] = &[
    include_str!("../fixtures/a-webhook-bench.json"),
    include_str!("../fixtures/b-code-aggregate.json"),
    include_str!("../fixtures/c-http-echo.json"),
    include_str!("../fixtures/kitchen-sink.json"),
];

#[test]
fn every_fixture_round_trips_to_an_equal_value_and_then_stays_byte_stable() {
    for text in FIXTURES {
        let original: Value = serde_json::from_str(text).unwrap();
        let workflow = Workflow::from_json(text).unwrap();
        let exported = workflow.to_value();
        assert_eq!(exported, original, "round trip changed {}", workflow.name());
        // Twice through gives the very same text.
        let again = Workflow::from_json(&exported.to_string()).unwrap();
        assert_eq!(again.to_value().to_string(), exported.to_string());
    }
}

#[test]
fn typed_view_reads_the_known_fields() {
    let wf = Workflow::from_json(FIXTURES[3]).unwrap();
    let fetch = wf.node("Fetch").unwrap();
    assert_eq!(fetch.on_error(), OnError::ContinueErrorOutput);
    assert_eq!(fetch.retry(), Some((4, 2000)));
    assert_eq!(fetch.type_version(), 4.2);
    assert_eq!(fetch.parameters()["url"], "https://api.example.test/items");
    assert_eq!(
        fetch.credentials.get().unwrap()["httpHeaderAuth"]
            .id
            .get()
            .map(String::as_str),
        Some("cred1")
    );
    assert!(wf.node("Community node").unwrap().is_disabled());
    assert_eq!(wf.setting("timezone"), Some(&json!("Europe/Berlin")));
    let legacy: Node =
        serde_json::from_value(json!({"name": "x", "type": "t", "continueOnFail": true})).unwrap();
    assert_eq!(legacy.on_error(), OnError::ContinueRegularOutput);
}

#[test]
fn arrays_of_workflows_import_too() {
    let both = format!("[{}, {}]", FIXTURES[0], FIXTURES[1]);
    assert_eq!(Workflow::many_from_json(&both).unwrap().len(), 2);
    assert_eq!(Workflow::many_from_json(FIXTURES[2]).unwrap().len(), 1);
    assert!(Workflow::many_from_json("42").is_err());
    assert!(Workflow::from_json(r#"{"nodes": [{"name": 1}]}"#).is_err());
}

fn codes(issues: &[Issue]) -> Vec<(&'static str, Option<&str>, &str)> {
    issues
        .iter()
        .map(|i| (i.code, i.node.as_deref(), i.path.as_str()))
        .collect()
}

#[test]
fn validation_reports_every_problem_with_node_and_path() {
    let wf = Workflow::from_json(
        &json!({
            "name": "",
            "nodes": [
                {"name": "Set", "type": "n8n-nodes-base.set", "id": "a"},
                {"name": "Set", "type": "n8n-nodes-base.set", "id": "a"},
                {"name": "Mystery", "type": "acme.mystery", "position": [1]}
            ],
            "connections": {
                "Set": {"main": [[{"node": "Nowhere", "type": "main", "index": 0}]]},
                "Ghost/1": {"main": [[{"node": "Set", "type": "main", "index": 0}]]}
            }
        })
        .to_string(),
    )
    .unwrap();
    let supported = |n: &Node| n.kind.starts_with("n8n-nodes-base.");
    let issues = validate(&wf, &supported);
    let found = codes(&issues);
    for expected in [
        ("missing_name", None, "/name"),
        ("duplicate_node_name", Some("Set"), "/nodes/1/name"),
        ("duplicate_node_id", Some("Set"), "/nodes/1/id"),
        ("unsupported_node_type", Some("Mystery"), "/nodes/2/type"),
        ("bad_position", Some("Mystery"), "/nodes/2/position"),
        ("missing_trigger", None, "/nodes"),
        (
            "dangling_connection",
            Some("Set"),
            "/connections/Set/main/0/0/node",
        ),
        (
            "dangling_connection",
            Some("Ghost/1"),
            "/connections/Ghost~11",
        ),
    ] {
        assert!(
            found.contains(&expected),
            "missing {expected:?} in {found:?}"
        );
    }
    assert_eq!(found.len(), 8, "{found:?}");
}

#[test]
fn a_valid_workflow_has_no_issues() {
    let wf = Workflow::from_json(FIXTURES[0]).unwrap();
    assert_eq!(validate(&wf, &|_| true), vec![]);
}

/// What a real n8n (2.8.4) wrote with `n8n export:workflow --all` after importing the peer
/// workflows and the kitchen sink: its own fields (versionId, shared, activeVersionId, …)
/// included. Every workflow in it must come back unchanged and be runnable or explained.
#[test]
fn a_real_n8n_export_round_trips_unchanged() {
    let text = include_str!("../fixtures/n8n-2.8.4-export.json");
    let original: Value = serde_json::from_str(text).unwrap();
    let workflows = Workflow::many_from_json(text).unwrap();
    assert_eq!(workflows.len(), 4);
    let exported = Value::Array(workflows.iter().map(Workflow::to_value).collect());
    assert_eq!(exported, original);
    for wf in &workflows {
        for issue in validate(wf, &|_| true) {
            assert_ne!(
                issue.severity,
                agente_workflow_model::Severity::Error,
                "{}: {issue:?}",
                wf.name()
            );
        }
    }
}
