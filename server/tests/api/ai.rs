//! AI workflow generation over HTTP: the offline provider by default (the result imports as
//! a workflow), a configured model through its wire format with tokens metered on the
//! tenant's billing, clear problems for bad input and for members who may not edit.

use crate::helpers::{BACKENDS, Backend, assert_problem, spawn_app, spawn_app_with};
use agente_ai::testing::{FakeLlm, Reply};
use agente_ai::{OpenAiApi, ProviderConfig, ProviderSpec};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn a_description_becomes_a_workflow_that_imports() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let b = app.backend;
        let (owner, _, _) = app.signup("ai").await;
        let res = app
            .post(
                "/api/v1/ai/workflows/generate",
                json!({ "description": "Every Monday at 9, fetch https://api.shop.test/orders and post them to #sales" }),
                Some(&owner),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{b}");
        let generated: Value = res.json().await.unwrap();
        assert_eq!(generated["provider"], "offline", "{b}");
        let types: Vec<&str> = generated["workflow"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            types,
            [
                "n8n-nodes-base.scheduleTrigger",
                "n8n-nodes-base.httpRequest",
                "n8n-nodes-base.slack"
            ]
        );

        let res = app
            .post(
                "/api/v1/workflows",
                generated["workflow"].clone(),
                Some(&owner),
            )
            .await;
        assert!(
            res.status().is_success(),
            "{b}: the generated workflow imports: {}",
            res.text().await.unwrap()
        );

        let res = app
            .post(
                "/api/v1/ai/workflows/generate",
                json!({ "description": "  " }),
                Some(&owner),
            )
            .await;
        assert_problem(res, StatusCode::BAD_REQUEST, "bad_input", b).await;
        let res = app
            .post(
                "/api/v1/ai/workflows/generate",
                json!({ "prompt": "x" }),
                Some(&owner),
            )
            .await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", b).await;

        let viewer: Value = app
            .post(
                "/api/v1/api-keys",
                json!({"name": "ro", "role": "viewer"}),
                Some(&owner),
            )
            .await
            .json()
            .await
            .unwrap();
        let res = app
            .post(
                "/api/v1/ai/workflows/generate",
                json!({ "description": "post to slack" }),
                viewer["key"].as_str(),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{b}");
    }
}

const VALID: &str = r#"{"name":"Hook to Slack","nodes":[
  {"name":"Webhook","type":"n8n-nodes-base.webhook","typeVersion":2,"position":[0,0],"parameters":{"path":"in","httpMethod":"POST"}},
  {"name":"Slack","type":"n8n-nodes-base.slack","typeVersion":2.2,"position":[220,0],"parameters":{"text":"hi"}}],
  "connections":{"Webhook":{"main":[[{"node":"Slack","type":"main","index":0}]]}}}"#;

#[tokio::test]
async fn a_configured_model_writes_it_and_its_tokens_are_billed() {
    let fake = FakeLlm::start().await;
    let base = format!("{}/v1", fake.base);
    let app = spawn_app_with(Backend::Sqlite, |c| {
        c.ai.providers = vec![ProviderSpec::OpenAi {
            api: OpenAiApi::ChatCompletions,
            config: ProviderConfig::new("openai", &base, None, "local-model"),
        }];
    })
    .await;
    let (owner, _, _) = app.signup("ai-model").await;
    fake.script([
        Reply::Answer("not json at all".into()),
        Reply::Answer(VALID.into()),
    ]);
    let generated: Value = app
        .post(
            "/api/v1/ai/workflows/generate",
            json!({ "description": "Post webhook calls to Slack" }),
            Some(&owner),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(generated["provider"], "openai");
    assert_eq!(generated["repairs"], 1);
    assert_eq!(generated["workflow"]["name"], "Hook to Slack");
    assert_eq!(fake.seen()[0].body["model"], "local-model");
    let spent = generated["usage"]["inputTokens"].as_u64().unwrap()
        + generated["usage"]["outputTokens"].as_u64().unwrap();
    assert!(spent > 2);

    let billing: Value = app
        .get("/api/v1/billing", Some(&owner))
        .await
        .json()
        .await
        .unwrap();
    let ai = billing["meters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["meter"] == "ai_tokens")
        .unwrap();
    assert_eq!(
        ai["used"].as_u64().unwrap(),
        spent,
        "every token counted once: {billing}"
    );
}
