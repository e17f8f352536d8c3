//! Workflow generation against local servers speaking the providers' formats: answers that
//! are broken JSON or invalid workflows are repaired with the validator's words, failing
//! providers hand over to the next, the offline planner is the last; tokens are admitted
//! and metered through the usage gate, and the plan's refusal falls back to offline.

use agente_ai::generate::generate;
use agente_ai::testing::{FakeLlm, Reply, TokenGate};
use agente_ai::{
    AiError, AiService, Anthropic, ApiKey, ChatModel, OpenAi, OpenAiApi, ProviderConfig,
    ProviderSpec, RetryPolicy,
};
use agente_auth::{AuthMethod, Principal};
use agente_core::{Role, TenantId, UserId};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const VALID: &str = r#"{"name":"Order alerts","nodes":[
  {"name":"Webhook","type":"n8n-nodes-base.webhook","typeVersion":2,"position":[0,0],"parameters":{"path":"orders","httpMethod":"POST"}},
  {"name":"Slack","type":"n8n-nodes-base.slack","typeVersion":2.2,"position":[220,0],"parameters":{"text":"New order"}}],
  "connections":{"Webhook":{"main":[[{"node":"Slack","type":"main","index":0}]]}}}"#;

fn config(fake: &FakeLlm, name: &str) -> ProviderConfig {
    let base = if name == "anthropic" {
        fake.base.clone()
    } else {
        format!("{}/v1", fake.base)
    };
    let mut c = ProviderConfig::new(name, &base, Some(ApiKey::new("sk-test")), "test-model");
    c.retry = RetryPolicy {
        attempts: 2,
        base: Duration::from_millis(10),
        max_wait: Duration::from_secs(1),
    };
    c
}

#[tokio::test]
async fn broken_answers_are_repaired_with_the_validators_words() {
    let fake = FakeLlm::start().await;
    let unsupported = VALID.replace("n8n-nodes-base.slack", "n8n-nodes-base.hubspot");
    fake.script([
        Reply::Answer("{\"name\": \"Order alerts\", \"nodes\": [".into()),
        Reply::Answer(unsupported),
        Reply::Answer(VALID.into()),
    ]);
    let model: Arc<dyn ChatModel> = Arc::new(OpenAi::new(
        config(&fake, "openai"),
        OpenAiApi::ChatCompletions,
    ));
    let generated = generate(&[model], "Post new orders to Slack")
        .await
        .unwrap();
    assert_eq!(generated.provider, "openai");
    assert_eq!(generated.repairs, 2);
    assert_eq!(generated.workflow["name"], "Order alerts");
    assert_eq!(generated.workflow["active"], false);
    assert_eq!(generated.workflow["nodes"][0]["webhookId"], "orders");

    let seen = fake.seen();
    assert_eq!(seen.len(), 3);
    let first = &seen[0].body;
    assert_eq!(
        first["response_format"]["json_schema"]["name"],
        "n8n_workflow"
    );
    let allowed = &first["response_format"]["json_schema"]["schema"]["properties"]["nodes"]["items"]
        ["properties"]["type"]["enum"];
    assert!(
        allowed
            .as_array()
            .unwrap()
            .contains(&json!("n8n-nodes-base.slack"))
    );
    assert!(
        !allowed
            .as_array()
            .unwrap()
            .contains(&json!("n8n-nodes-base.githubTrigger")),
        "only types the engine runs"
    );
    // Each correction carries the conversation and what was wrong.
    let second = seen[1].body["messages"].as_array().unwrap();
    assert_eq!(second.len(), 4, "system, request, answer, feedback");
    assert!(
        second[3]["content"]
            .as_str()
            .unwrap()
            .contains("does not parse")
    );
    let third = seen[2].body["messages"].as_array().unwrap();
    let feedback = third.last().unwrap()["content"].as_str().unwrap();
    assert!(
        feedback.contains("unsupported_node_type") && feedback.contains("Slack"),
        "{feedback}"
    );
    let tokens = generated.usage.usage();
    assert!(tokens.input > 0 && tokens.output > 0);
    // Every answer is accounted for, with the model that gave it.
    assert_eq!(generated.usage.0.len(), 3);
    assert!(
        generated
            .usage
            .0
            .iter()
            .all(|s| s.provider == "openai" && s.model == "test-model")
    );
}

#[tokio::test]
async fn a_failing_provider_hands_over_and_offline_is_last() {
    let (a, o) = (FakeLlm::start().await, FakeLlm::start().await);
    let error = || Reply::Error {
        status: 529,
        retry_after: None,
        message: "Overloaded".into(),
    };
    a.script([error(), error()]);
    o.script([Reply::Answer(VALID.into())]);
    let anthropic: Arc<dyn ChatModel> = Arc::new(Anthropic::new(config(&a, "anthropic")));
    let openai: Arc<dyn ChatModel> =
        Arc::new(OpenAi::new(config(&o, "openai"), OpenAiApi::Responses));
    let generated = generate(&[anthropic.clone(), openai.clone()], "Post orders to Slack")
        .await
        .unwrap();
    assert_eq!(generated.provider, "openai");
    assert_eq!(generated.passed_over.len(), 1);
    assert!(
        generated.passed_over[0].starts_with("anthropic: anthropic answered 529"),
        "{:?}",
        generated.passed_over
    );
    assert_eq!(a.seen()[0].body["tool_choice"]["name"], "n8n_workflow");

    // Nobody answers well: invalid three times here, a timeout there → the offline planner.
    a.script([Reply::Error {
        status: 400,
        retry_after: None,
        message: "model not found".into(),
    }]);
    o.script([
        Reply::Answer("[]".into()),
        Reply::Answer("no".into()),
        Reply::Answer("{}".into()),
    ]);
    let generated = generate(
        &[anthropic, openai],
        "Every Monday at 9 fetch https://x.test/report and email it to a@b.io",
    )
    .await
    .unwrap();
    assert_eq!(generated.provider, "offline");
    assert_eq!(generated.passed_over.len(), 2);
    let types: Vec<&str> = generated.workflow["nodes"]
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
            "n8n-nodes-base.emailSend"
        ]
    );
}

fn member(role: Role) -> Principal {
    Principal {
        tenant_id: TenantId::new(),
        user_id: Some(UserId::new()),
        role,
        method: AuthMethod::AccessToken,
    }
}

#[tokio::test]
async fn tokens_are_admitted_then_metered_and_a_spent_plan_gets_the_offline_planner() {
    let fake = FakeLlm::start().await;
    let spec = ProviderSpec::OpenAi {
        api: OpenAiApi::ChatCompletions,
        config: config(&fake, "openai"),
    };
    let gate = Arc::new(TokenGate::default());
    let ai = AiService::new(std::slice::from_ref(&spec), None, None, Some(gate.clone())).unwrap();
    assert_eq!(ai.generation_providers(), ["openai", "offline"]);

    fake.script([Reply::Answer(VALID.into())]);
    let generated = ai
        .generate_workflow(&member(Role::Editor), "Post orders to Slack")
        .await
        .unwrap();
    assert_eq!(generated.provider, "openai");
    let told = gate.told.lock().unwrap().clone();
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told[0].0.ends_with(":admission") && told[0].1 == 1 && told[0].2);
    assert_eq!(told[1].0, told[0].0.trim_end_matches(":admission"));
    assert_eq!(
        told[0].1 + told[1].1,
        generated.usage.total(),
        "every token once"
    );

    // Viewers may not generate.
    let err = ai
        .generate_workflow(&member(Role::Viewer), "x")
        .await
        .unwrap_err();
    assert!(matches!(err, AiError::Auth(_)), "{err:?}");

    // Out of tokens: no provider is asked, the offline planner answers and says why.
    let spent = Arc::new(TokenGate {
        limit: Some(0),
        ..TokenGate::default()
    });
    let ai = AiService::new(&[spec], None, None, Some(spent.clone())).unwrap();
    let before = fake.seen().len();
    let generated = ai
        .generate_workflow(
            &member(Role::Editor),
            "When a webhook is called, post to #orders",
        )
        .await
        .unwrap();
    assert_eq!(generated.provider, "offline");
    assert_eq!(fake.seen().len(), before, "nothing sent");
    assert!(
        generated.notices[0].contains("AI tokens") || generated.notices[0].contains("ai tokens"),
        "{:?}",
        generated.notices
    );
    assert_eq!(spent.used(), 0);

    // A provider order naming one that is not set up is refused at start.
    let err = AiService::new(&[], Some(&["anthropic".to_string()]), None, None)
        .err()
        .unwrap();
    assert!(err.to_string().contains("`anthropic` is not set up"));
}
