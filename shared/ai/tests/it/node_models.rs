//! The AI service as the engine's language models: a node's call goes to the provider at
//! the node's credential's URL with its key, tool calls come back, tokens are admitted and
//! metered under the call's id, a spent plan is refused before anything is sent, and
//! private addresses are refused unless the network policy allows them.

use agente_ai::AiService;
use agente_ai::testing::{FakeLlm, Reply, TokenGate};
use agente_core::TenantId;
use agente_core::llm::{LanguageModels, Message, ModelApi, ModelCall, ModelError, ToolSpec};
use agente_network::NetworkPolicy;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

fn call(api: ModelApi, base: String) -> ModelCall {
    ModelCall {
        api,
        base_url: Some(base),
        api_key: "sk-tenant-own".into(),
        model: "their-model".into(),
        system: "Be brief.".into(),
        messages: vec![Message::user("Weather in Oslo?")],
        tools: vec![ToolSpec {
            name: "weather".into(),
            description: "Weather in a city".into(),
            parameters: json!({ "type": "object", "properties": { "city": { "type": "string" } } }),
        }],
        max_tokens: 200,
        temperature: Some(0.0),
        json: false,
        usage_id: "ex1:Agent:0:0:0".into(),
    }
}

fn service(gate: Arc<TokenGate>, allow_private: bool) -> AiService {
    AiService::new(&[], None, None, Some(gate))
        .unwrap()
        .with_node_network(
            NetworkPolicy::with_private(allow_private),
            Duration::from_secs(5),
        )
}

#[tokio::test]
async fn a_node_call_uses_its_own_credential_and_is_metered() {
    let fake = FakeLlm::start().await;
    let gate = Arc::new(TokenGate::default());
    let ai = service(gate.clone(), true);
    let tenant = TenantId::new();

    fake.script([Reply::ToolCalls(vec![(
        "weather".into(),
        json!({ "city": "Oslo" }),
    )])]);
    let reply = ai
        .chat(tenant, call(ModelApi::OpenAi, format!("{}/v1", fake.base)))
        .await
        .unwrap();
    assert_eq!(reply.tool_calls[0].name, "weather");
    assert_eq!(reply.tool_calls[0].arguments, json!({ "city": "Oslo" }));
    let seen = &fake.seen()[0];
    assert_eq!(seen.path, "/v1/chat/completions");
    assert_eq!(seen.headers["authorization"], "Bearer sk-tenant-own");
    assert_eq!(seen.body["model"], "their-model");
    assert_eq!(seen.body["tools"][0]["function"]["name"], "weather");

    let told = gate.told.lock().unwrap().clone();
    assert_eq!(told.len(), 2, "{told:?}");
    assert_eq!(
        (told[0].0.as_str(), told[0].1, told[0].2),
        ("ai:node:ex1:Agent:0:0:0:admission", 1, true)
    );
    assert_eq!(told[1].0, "ai:node:ex1:Agent:0:0:0");
    assert_eq!(
        told[0].1 + told[1].1,
        reply.usage.total(),
        "every token once"
    );

    fake.script([Reply::Answer("Cold.".into())]);
    let reply = ai
        .chat(tenant, call(ModelApi::Anthropic, fake.base.clone()))
        .await
        .unwrap();
    assert_eq!(reply.text, "Cold.");
    let seen = &fake.seen()[1];
    assert_eq!(seen.path, "/v1/messages");
    assert_eq!(seen.headers["x-api-key"], "sk-tenant-own");
    assert_eq!(seen.body["tools"][0]["name"], "weather");
}

#[tokio::test]
async fn refusals_and_failures_reach_the_node_in_words() {
    let fake = FakeLlm::start().await;
    let base = format!("{}/v1", fake.base);

    let spent = Arc::new(TokenGate {
        limit: Some(0),
        ..TokenGate::default()
    });
    let err = service(spent, true)
        .chat(TenantId::new(), call(ModelApi::OpenAi, base.clone()))
        .await
        .unwrap_err();
    assert!(matches!(err, ModelError::Refused(_)), "{err:?}");
    assert!(fake.seen().is_empty(), "nothing sent");

    let ai = service(Arc::new(TokenGate::default()), true);
    fake.script([Reply::Error {
        status: 401,
        retry_after: None,
        message: "Incorrect API key provided".into(),
    }]);
    let err = ai
        .chat(TenantId::new(), call(ModelApi::OpenAi, base.clone()))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("Incorrect API key"), "{err}");
    assert!(!err.contains("sk-tenant-own"), "{err}");

    let before = fake.seen().len();
    let err = service(Arc::new(TokenGate::default()), false)
        .chat(TenantId::new(), call(ModelApi::OpenAi, base))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("local or private network"), "{err}");
    assert_eq!(fake.seen().len(), before);
}
