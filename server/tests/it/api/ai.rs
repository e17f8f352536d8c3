//! AI workflow generation over HTTP: the offline provider by default (the result imports as
//! a workflow), a configured model through its wire format with tokens metered on the
//! tenant's billing, clear problems for bad input and for members who may not edit.

use crate::helpers::{Backend, TestApp, assert_problem, spawn_app, spawn_app_with};
use agente_ai::testing::{FakeLlm, Reply};
use agente_ai::{OpenAiApi, ProviderConfig, ProviderSpec};
use agente_store::backend_tests;
use reqwest::StatusCode;
use serde_json::{Value, json};

backend_tests!(a_description_becomes_a_workflow_that_imports);
async fn a_description_becomes_a_workflow_that_imports(backend: Backend) {
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
        .post_json(
            "/api/v1/api-keys",
            json!({"name": "ro", "role": "viewer"}),
            Some(&owner),
        )
        .await;
    let res = app
        .post(
            "/api/v1/ai/workflows/generate",
            json!({ "description": "post to slack" }),
            viewer["key"].as_str(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "{b}");
}

const VALID: &str = r#"{"name":"Hook to Slack","nodes":[
  {"name":"Webhook","type":"n8n-nodes-base.webhook","typeVersion":2,"position":[0,0],"parameters":{"path":"in","httpMethod":"POST"}},
  {"name":"Slack","type":"n8n-nodes-base.slack","typeVersion":2.2,"position":[220,0],"parameters":{"text":"hi"}}],
  "connections":{"Webhook":{"main":[[{"node":"Slack","type":"main","index":0}]]}}}"#;

/// The deployment's OpenAI provider: a local compatible server at `base`, no key.
fn openai_at(base: &str, model: &str) -> ProviderSpec {
    ProviderSpec::OpenAi {
        api: OpenAiApi::ChatCompletions,
        config: ProviderConfig::new("openai", base, None, model),
    }
}

#[tokio::test]
async fn a_configured_model_writes_it_and_its_tokens_are_billed() {
    let fake = FakeLlm::start().await;
    let base = format!("{}/v1", fake.base);
    let app = spawn_app_with(Backend::Sqlite, |c| {
        c.ai.providers = vec![openai_at(&base, "local-model")];
    })
    .await;
    let (owner, _, _) = app.signup("ai-model").await;
    fake.script([
        Reply::Answer("not json at all".into()),
        Reply::Answer(VALID.into()),
    ]);
    let generated: Value = app
        .post_json(
            "/api/v1/ai/workflows/generate",
            json!({ "description": "Post webhook calls to Slack" }),
            Some(&owner),
        )
        .await;
    assert_eq!(generated["provider"], "openai");
    assert_eq!(generated["repairs"], 1);
    assert_eq!(generated["workflow"]["name"], "Hook to Slack");
    assert_eq!(fake.seen()[0].body["model"], "local-model");
    let spent = generated["usage"]["inputTokens"].as_u64().unwrap()
        + generated["usage"]["outputTokens"].as_u64().unwrap();
    assert!(spent > 2);

    assert_eq!(
        ai_tokens_used(&app, &owner).await,
        spent,
        "every token counted once"
    );
}

/// The AI tokens the tenant's billing overview counts as used.
async fn ai_tokens_used(app: &TestApp, token: &str) -> u64 {
    let billing: Value = app.get_json("/api/v1/billing", Some(token)).await;
    billing["meters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["meter"] == "ai_tokens")
        .and_then(|m| m["used"].as_u64())
        .unwrap_or_else(|| panic!("no ai_tokens meter: {billing}"))
}

/// Stores `workflow` and runs it by hand; answers the execution.
async fn create_and_run(app: &TestApp, token: &str, workflow: Value) -> Value {
    let id = app.create_workflow(workflow, token).await;
    app.post_json(
        &format!("/api/v1/workflows/{id}/run"),
        json!({}),
        Some(token),
    )
    .await
}

backend_tests!(a_failed_execution_is_explained_without_its_secrets);
async fn a_failed_execution_is_explained_without_its_secrets(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (owner, _, _) = app.signup("explain").await;
    // The server's own network is off limits to workflows: this call fails.
    let wf = json!({"name": "Fetch", "nodes": [
        {"name": "Go", "type": "n8n-nodes-base.manualTrigger"},
        {"name": "Prepare", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {"assignments": {"assignments": [{"name": "order", "value": "A-1", "type": "string"}]}}},
        {"name": "Call", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "parameters": {
            "url": "http://127.0.0.1:9/orders",
            "sendHeaders": true,
            "headerParameters": {"parameters": [{"name": "Authorization", "value": "Bearer sk-very-secret"}]}}}
    ], "connections": {
        "Go": {"main": [[{"node": "Prepare", "type": "main", "index": 0}]]},
        "Prepare": {"main": [[{"node": "Call", "type": "main", "index": 0}]]}}});
    let run = create_and_run(&app, &owner, wf).await;
    assert_eq!(run["status"], "error", "{b}: {run}");
    let res = app
        .post(
            &format!(
                "/api/v1/ai/executions/{}/explain",
                run["id"].as_str().unwrap()
            ),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let text = res.text().await.unwrap();
    assert!(!text.contains("sk-very-secret"), "{b}: {text}");
    let explained: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(explained["provider"], "offline");
    assert!(
        explained["cause"]
            .as_str()
            .unwrap()
            .contains("could not be reached"),
        "{b}: {explained}"
    );
    assert!(!explained["steps"].as_array().unwrap().is_empty());

    // Only failures are explained; unknown ids are 404.
    let ok = json!({"name": "Fine", "nodes": [{"name": "Go", "type": "n8n-nodes-base.manualTrigger"}], "connections": {}});
    let run = create_and_run(&app, &owner, ok).await;
    let res = app
        .post(
            &format!(
                "/api/v1/ai/executions/{}/explain",
                run["id"].as_str().unwrap()
            ),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST, "bad_input", b).await;
    let res = app
        .post(
            "/api/v1/ai/executions/nope/explain",
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "{b}");
}

#[tokio::test]
async fn advice_comes_from_how_the_workflow_ran() {
    let app = spawn_app(Backend::Sqlite).await;
    let (owner, _, _) = app.signup("optimise").await;
    let wf = json!({"name": "Sometimes fails", "nodes": [
        {"name": "Go", "type": "n8n-nodes-base.manualTrigger"},
        {"name": "Check", "type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {
            "jsCode": "if ($input.first().json.fail) { throw new Error('bad input'); } return $input.all();"}}
    ], "connections": {"Go": {"main": [[{"node": "Check", "type": "main", "index": 0}]]}}});
    let id = &app.create_workflow(wf, &owner).await;
    let advice: Value = app
        .post_json(
            &format!("/api/v1/ai/workflows/{id}/optimise"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(advice["suggestions"][0]["title"], "Not enough runs yet");
    for fail in [true, false, true, false] {
        let run: Value = app
            .post_json(
                &format!("/api/v1/workflows/{id}/run"),
                json!({"items": [{"fail": fail}]}),
                Some(&owner),
            )
            .await;
        assert_eq!(run["status"], if fail { "error" } else { "success" });
    }
    let advice: Value = app
        .post_json(
            &format!("/api/v1/ai/workflows/{id}/optimise"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(advice["stats"]["executions"], 4, "{advice}");
    let titles: Vec<&str> = advice["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"“Check” failed in 2 of 4 runs"),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.contains("no error workflow")),
        "{titles:?}"
    );
    let res = app
        .post(
            "/api/v1/ai/workflows/nope/optimise",
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// Server-sent events of a body: (event, data) pairs.
fn events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter_map(|block| {
            let mut event = None;
            let mut data = String::new();
            for line in block.lines() {
                if let Some(e) = line.strip_prefix("event: ") {
                    event = Some(e.to_string());
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data.push_str(d);
                }
            }
            Some((event?, serde_json::from_str(&data).ok()?))
        })
        .collect()
}

#[tokio::test]
async fn generation_streams_the_models_answer_then_the_workflow() {
    let fake = FakeLlm::start().await;
    let base = format!("{}/v1", fake.base);
    let app = spawn_app_with(Backend::Sqlite, |c| {
        c.ai.providers = vec![openai_at(&base, "local-model")];
    })
    .await;
    let (owner, _, _) = app.signup("ai-stream").await;
    fake.script([
        Reply::Answer("{\"nodes\": [".into()),
        Reply::Answer(VALID.into()),
    ]);
    let res = app
        .post(
            "/api/v1/ai/workflows/generate/stream",
            json!({ "description": "Post webhook calls to Slack" }),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let all = events(&res.text().await.unwrap());
    let attempts: Vec<&Value> = all
        .iter()
        .filter(|(e, _)| e == "attempt")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(
        attempts,
        [
            &json!({"provider": "openai", "repair": 0}),
            &json!({"provider": "openai", "repair": 1})
        ]
    );
    let written: String = all
        .iter()
        .filter(|(e, _)| e == "delta")
        .map(|(_, d)| d["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        written,
        format!("{{\"nodes\": [{VALID}"),
        "both answers, as written"
    );
    assert!(fake.seen().iter().all(|s| s.body["stream"] == true));
    let (last, result) = all.last().unwrap();
    assert_eq!(last, "result");
    assert_eq!(result["provider"], "openai");
    assert_eq!(result["repairs"], 1);
    assert_eq!(result["workflow"]["name"], "Hook to Slack");
    // The assistant page reads each event as the type the handler wrote it with.
    let body: agente_app::api::GeneratedBody =
        serde_json::from_value(result.clone()).expect("the browser's type reads the result");
    assert_eq!((body.provider.as_str(), body.repairs), ("openai", 1));
    for (_, attempt) in all.iter().filter(|(e, _)| e == "attempt") {
        serde_json::from_value::<agente_app::api::GenerationAttempt>(attempt.clone())
            .expect("the browser's type reads an attempt");
    }

    // Refusals come before the stream, as plain problems.
    let res = app
        .post(
            "/api/v1/ai/workflows/generate/stream",
            json!({ "description": "" }),
            Some(&owner),
        )
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST, "bad_input", "sqlite").await;
}

backend_tests!(an_agent_node_uses_the_tenants_credential_and_its_tokens_are_billed);
async fn an_agent_node_uses_the_tenants_credential_and_its_tokens_are_billed(backend: Backend) {
    let fake = FakeLlm::start().await;
    // The fake listens on loopback, which workflows may reach only when allowed.
    let app = spawn_app_with(backend, |c| c.http_allow_private = true).await;
    let (owner, _, _) = app.signup(&format!("ai-agent-{backend:?}")).await;
    let credential: Value = app
        .post_json(
            "/api/v1/credentials",
            json!({ "name": "Our OpenAI", "type": "openAiApi",
                "data": { "apiKey": "sk-tenant-secret", "url": format!("{}/v1", fake.base) } }),
            Some(&owner),
        )
        .await;
    let workflow = json!({
        "name": "Price with VAT",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            {"name": "Question", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [200, 0], "parameters": {
                "mode": "manual", "assignments": {"assignments": [{"id": "1", "name": "chatInput", "type": "string", "value": "What is 80 with VAT?"}]}}},
            {"name": "AI Agent", "type": "@n8n/n8n-nodes-langchain.agent", "typeVersion": 1.7, "position": [400, 0],
                "parameters": {"promptType": "auto", "options": {}}},
            {"name": "Chat Model", "type": "@n8n/n8n-nodes-langchain.lmChatOpenAi", "typeVersion": 1.2, "position": [400, 200],
                "parameters": {"model": "gpt-4.1-mini", "options": {}},
                "credentials": {"openAiApi": {"id": credential["id"], "name": "Our OpenAI"}}},
            {"name": "VAT", "type": "@n8n/n8n-nodes-langchain.toolCode", "typeVersion": 1.1, "position": [600, 200],
                "parameters": {"name": "add_vat", "description": "Adds 25% VAT", "jsCode": "return String(Number(query) * 1.25);"}}
        ],
        "connections": {
            "Start": {"main": [[{"node": "Question", "type": "main", "index": 0}]]},
            "Question": {"main": [[{"node": "AI Agent", "type": "main", "index": 0}]]},
            "Chat Model": {"ai_languageModel": [[{"node": "AI Agent", "type": "ai_languageModel", "index": 0}]]},
            "VAT": {"ai_tool": [[{"node": "AI Agent", "type": "ai_tool", "index": 0}]]}
        }
    });
    fake.script([
        Reply::ToolCalls(vec![("add_vat".into(), json!({ "input": "80" }))]),
        Reply::Answer("80 with VAT is 100.".into()),
    ]);
    let before = fake.seen().len();
    let execution = create_and_run(&app, &owner, workflow).await;
    assert_eq!(execution["status"], "success", "{execution}");
    let seen = fake.seen()[before..].to_vec();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].headers["authorization"], "Bearer sk-tenant-secret");
    assert_eq!(seen[1].body["messages"][3]["content"], "100");
    let answer = execution["data"]["resultData"]["runData"]["AI Agent"][0]["data"]["main"][0]
        [0]["json"]["output"]
        .clone();
    assert_eq!(answer, "80 with VAT is 100.", "{execution}");
    assert!(!execution.to_string().contains("sk-tenant-secret"));

    let used = ai_tokens_used(&app, &owner).await;
    // The node logs what each call spent, as the provider counted it.
    let spent: u64 = execution["data"]["resultData"]["runData"]["AI Agent"][0]["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| {
            let l = l.as_str()?;
            let (input, rest) = l.split_once(": ")?.1.split_once(" input + ")?;
            Some(input.parse::<u64>().ok()? + rest.split_once(' ')?.0.parse::<u64>().ok()?)
        })
        .sum();
    assert!(spent > 2, "{execution}");
    assert_eq!(used, spent, "every token counted once");
    let report: Value = app.get_json("/api/v1/ai/calls", Some(&owner)).await;
    let calls = report["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2, "{report}");
    assert!(
        calls
            .iter()
            .all(|c| c["task"] == "node" && c["ownKey"] == true && c["model"] == "gpt-4.1-mini")
    );
    assert_eq!(
        report["inputTokens"].as_u64().unwrap() + report["outputTokens"].as_u64().unwrap(),
        spent
    );
}

async fn json_of(res: reqwest::Response) -> Value {
    res.json().await.unwrap()
}

backend_tests!(a_tenant_chooses_its_own_key_or_offline_and_sees_each_calls_cost);
async fn a_tenant_chooses_its_own_key_or_offline_and_sees_each_calls_cost(backend: Backend) {
    let fake = FakeLlm::start().await;
    let server_base = format!("{}/v1", fake.base);
    // The deployment has a provider of its own; the tenant's choice decides.
    let app = spawn_app_with(backend, |c| {
        c.http_allow_private = true;
        c.ai.providers = vec![openai_at(&server_base, "server-model")];
    })
    .await;
    let b = app.backend;
    let (owner, _, _) = app.signup(&format!("ai-settings-{backend:?}")).await;
    let settings = json_of(app.get("/api/v1/ai/settings", Some(&owner)).await).await;
    assert_eq!(
        settings,
        json!({ "generation": { "use": "server" }, "analysis": { "use": "server" } }),
        "{b}"
    );

    // Only a provider's credential with a key will do.
    let header = json_of(app.post("/api/v1/credentials",
        json!({ "name": "Header", "type": "httpHeaderAuth", "data": { "name": "X", "value": "y" } }), Some(&owner)).await).await;
    let own = json_of(app.post("/api/v1/credentials",
        json!({ "name": "Our OpenAI", "type": "openAiApi", "data": { "apiKey": "sk-own-secret", "url": format!("{}/v1", fake.base) } }), Some(&owner)).await).await;
    let choose = |credential: &Value| {
        json!({ "generation": { "use": "own", "credentialId": credential["id"], "model": "gpt-4.1-mini" },
                "analysis": { "use": "offline" } })
    };
    let res = app
        .put(
            "/api/v1/ai/settings",
            choose(&json!({ "id": "nope" })),
            &owner,
        )
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST, "bad_input", b).await;
    let res = app
        .put("/api/v1/ai/settings", choose(&header), &owner)
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST, "bad_input", b).await;
    let res = app
        .put(
            "/api/v1/ai/settings",
            json!({ "generation": { "use": "elsewhere" } }),
            &owner,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let res = app.put("/api/v1/ai/settings", choose(&own), &owner).await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let saved = json_of(app.get("/api/v1/ai/settings", Some(&owner)).await).await;
    assert_eq!(saved["generation"]["credentialId"], own["id"], "{b}");
    assert!(!saved.to_string().contains("sk-own-secret"), "{b}");

    // An editor may read the settings, not change them.
    let editor = json_of(
        app.post(
            "/api/v1/api-keys",
            json!({ "name": "ed", "role": "editor" }),
            Some(&owner),
        )
        .await,
    )
    .await;
    let editor = editor["key"].as_str().unwrap();
    assert_eq!(
        app.get("/api/v1/ai/settings", Some(editor)).await.status(),
        StatusCode::OK,
        "{b}"
    );
    assert_eq!(
        app.put("/api/v1/ai/settings", choose(&own), editor)
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "{b}"
    );

    // Generation goes to the tenant's key and model.
    let before = fake.seen().len();
    fake.script([Reply::Answer(VALID.into())]);
    let generated = json_of(
        app.post(
            "/api/v1/ai/workflows/generate",
            json!({ "description": "Post webhook calls to Slack" }),
            Some(&owner),
        )
        .await,
    )
    .await;
    assert_eq!(generated["provider"], "openai", "{b}: {generated}");
    let seen = &fake.seen()[before];
    assert_eq!(seen.headers["authorization"], "Bearer sk-own-secret", "{b}");
    assert_eq!(seen.body["model"], "gpt-4.1-mini", "{b}");

    // Analysis is offline: a failed run is explained without asking anyone.
    let failing = json!({ "name": "Fails", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
        {"name": "Boom", "type": "n8n-nodes-base.stopAndError", "typeVersion": 1, "position": [200, 0], "parameters": {"errorMessage": "boom"}}],
        "connections": {"Start": {"main": [[{"node": "Boom", "type": "main", "index": 0}]]}} });
    let execution = create_and_run(&app, &owner, failing).await;
    let seen_before = fake.seen().len();
    let explained = json_of(
        app.post(
            &format!(
                "/api/v1/ai/executions/{}/explain",
                execution["id"].as_str().unwrap()
            ),
            json!({}),
            Some(&owner),
        )
        .await,
    )
    .await;
    assert_eq!(explained["provider"], "offline", "{b}: {explained}");
    assert_eq!(fake.seen().len(), seen_before, "{b}: nothing sent");

    // The ledger: one generation answer on the tenant's key, priced at the model's rate.
    let report = json_of(app.get("/api/v1/ai/calls", Some(&owner)).await).await;
    let calls = report["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1, "{b}: {report}");
    let call = &calls[0];
    assert_eq!(
        (
            call["task"].as_str(),
            call["provider"].as_str(),
            call["ownKey"].as_bool()
        ),
        (Some("generation"), Some("openai"), Some(true)),
        "{b}"
    );
    let (input, output) = (
        call["inputTokens"].as_u64().unwrap(),
        call["outputTokens"].as_u64().unwrap(),
    );
    assert_eq!(
        input + output,
        generated["usage"]["inputTokens"].as_u64().unwrap()
            + generated["usage"]["outputTokens"].as_u64().unwrap()
    );
    let expected = (input as f64 * 0.40 + output as f64 * 1.60).round() as u64;
    assert_eq!(call["costMicros"].as_u64(), Some(expected), "{b}: {call}");
    assert_eq!(report["costMicros"].as_u64(), Some(expected), "{b}");

    // Another tenant sees none of it.
    let (other, _, _) = app.signup(&format!("ai-other-{backend:?}")).await;
    let theirs = json_of(app.get("/api/v1/ai/calls", Some(&other)).await).await;
    assert_eq!(theirs["calls"], json!([]), "{b}");
    let res = app.get("/api/v1/ai/calls?limit=abc", Some(&owner)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{b}");
}
