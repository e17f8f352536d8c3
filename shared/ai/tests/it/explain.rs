//! Explaining a failure through a model speaking Anthropic's format: the model sees the
//! failed node without its secrets, its patch is taken when usable, and an unusable answer
//! or a failing provider leaves the rules to answer.

use agente_ai::explain::{explain, failure_context};
use agente_ai::testing::{FakeLlm, Reply};
use agente_ai::{Anthropic, ApiKey, ChatModel, ProviderConfig, RetryPolicy};
use agente_workflow_model::Workflow;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn a_model_explains_with_a_patch_and_never_sees_secrets() {
    let workflow = Workflow::from_json(r#"{"name":"Sync","nodes":[
        {"name":"Go","type":"n8n-nodes-base.manualTrigger"},
        {"name":"Call","type":"n8n-nodes-base.httpRequest","parameters":{"url":"https://api.test/v1/orders",
          "headerParameters":{"parameters":[{"name":"X-Api-Key","value":"key-that-must-not-leak"}]}}}],
        "connections":{"Go":{"main":[[{"node":"Call","type":"main","index":0}]]}}}"#).unwrap();
    let data = json!({ "resultData": {
        "runData": { "Go": [{ "startTime": 0, "executionTime": 0, "data": { "main": [[{ "json": { "since": "2026-11-01" } }]] } }] },
        "lastNodeExecuted": "Call",
        "error": { "message": "The resource you are requesting could not be found (HTTP 404)", "node": "Call" },
    }});
    let context = failure_context(&workflow, Some(&data), None).unwrap();

    let fake = FakeLlm::start().await;
    let mut config = ProviderConfig::new(
        "anthropic",
        &fake.base,
        Some(ApiKey::new("sk-ant")),
        "claude-test",
    );
    config.retry = RetryPolicy {
        attempts: 1,
        base: Duration::from_millis(10),
        max_wait: Duration::from_secs(1),
    };
    let model: Arc<dyn ChatModel> = Arc::new(Anthropic::new(config));
    fake.script([Reply::Answer(
        json!({ "cause": "The API moved to /v2.", "steps": ["Change the URL to /v2/orders"],
                "patch": { "parameters": { "url": "https://api.test/v2/orders" } } })
        .to_string(),
    )]);
    let (explanation, usage) = explain(std::slice::from_ref(&model), &context).await;
    assert_eq!(explanation.provider, "anthropic");
    assert_eq!(
        explanation.patch.unwrap().parameters["url"],
        "https://api.test/v2/orders"
    );
    assert!(usage.total() > 0);
    let sent = fake.seen()[0].body.to_string();
    assert!(!sent.contains("key-that-must-not-leak"), "{sent}");
    assert!(
        sent.contains("2026-11-01") && sent.contains("HTTP 404"),
        "the input sample and error are shown"
    );
    assert_eq!(fake.seen()[0].body["tool_choice"]["name"], "explanation");

    // Nonsense, then an outage: the rules answer.
    fake.script([Reply::Answer("I am not sure.".into())]);
    let (explanation, _) = explain(std::slice::from_ref(&model), &context).await;
    assert_eq!(explanation.provider, "offline");
    assert!(explanation.cause.contains("404"));
    fake.script([Reply::Error {
        status: 500,
        retry_after: None,
        message: "boom".into(),
    }]);
    let (explanation, _) = explain(&[model], &context).await;
    assert_eq!(explanation.provider, "offline");
}
