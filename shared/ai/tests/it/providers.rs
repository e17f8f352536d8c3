//! Each provider against a local server speaking its wire format: answers, structured
//! output, streaming, token counts, and the failures a real provider has (429 with
//! `retry-after`, 5xx, silence, malformed bodies).

use agente_ai::testing::{FakeLlm, Reply};
use agente_ai::{
    AiError, Anthropic, ApiKey, ChatModel, ChatRequest, OpenAi, OpenAiApi, OutputSchema,
    ProviderConfig, RetryPolicy, StreamEvent,
};
use futures::StreamExt;
use serde_json::json;
use std::time::{Duration, Instant};

const KEY: &str = "sk-test-do-not-leak";

fn config(fake: &FakeLlm, name: &str) -> ProviderConfig {
    let base = if name == "anthropic" {
        fake.base.clone()
    } else {
        format!("{}/v1", fake.base)
    };
    let mut c = ProviderConfig::new(name, &base, Some(ApiKey::new(KEY)), "test-model");
    c.retry = RetryPolicy {
        attempts: 3,
        base: Duration::from_millis(20),
        max_wait: Duration::from_secs(5),
    };
    c.timeout = Duration::from_secs(5);
    c
}

/// Every wire format this crate speaks, each on its own fake.
async fn models() -> Vec<(FakeLlm, Box<dyn ChatModel>)> {
    let mut all: Vec<(FakeLlm, Box<dyn ChatModel>)> = Vec::new();
    let fake = FakeLlm::start().await;
    let m = OpenAi::new(config(&fake, "openai"), OpenAiApi::ChatCompletions);
    all.push((fake, Box::new(m)));
    let fake = FakeLlm::start().await;
    let m = OpenAi::new(config(&fake, "openai-responses"), OpenAiApi::Responses);
    all.push((fake, Box::new(m)));
    let fake = FakeLlm::start().await;
    let m = Anthropic::new(config(&fake, "anthropic"));
    all.push((fake, Box::new(m)));
    all
}

fn schema() -> OutputSchema {
    OutputSchema {
        name: "workflow",
        description: "An n8n workflow",
        schema: json!({ "type": "object", "properties": { "name": { "type": "string" } }, "required": ["name"] }),
    }
}

#[tokio::test]
async fn each_format_answers_with_text_and_token_counts() {
    for (fake, model) in models().await {
        let who = model.provider().to_string();
        fake.script([Reply::Answer("Hello there".into())]);
        let mut request = ChatRequest::new("Be brief.", "Say hello");
        request.temperature = Some(0.2);
        let answer = model.complete(&request).await.unwrap();
        assert_eq!(answer.text, "Hello there", "{who}");
        assert_eq!(answer.usage.output, 2, "{who}");
        assert!(answer.usage.input > 5, "{who}: {:?}", answer.usage);
        assert_eq!(answer.model, "test-model", "{who}");

        let seen = &fake.seen()[0];
        let body = &seen.body;
        assert_eq!(body["model"], "test-model");
        assert_eq!(body["temperature"], 0.2);
        match who.as_str() {
            "openai" => {
                assert_eq!(seen.path, "/v1/chat/completions");
                assert_eq!(seen.headers["authorization"], format!("Bearer {KEY}"));
                assert_eq!(
                    body["messages"][0],
                    json!({ "role": "system", "content": "Be brief." })
                );
                assert_eq!(
                    body["messages"][1],
                    json!({ "role": "user", "content": "Say hello" })
                );
                assert_eq!(body["max_tokens"], 1024, "a compatible server's field");
            }
            "openai-responses" => {
                assert_eq!(seen.path, "/v1/responses");
                assert_eq!(body["instructions"], "Be brief.");
                assert_eq!(body["input"][0]["content"], "Say hello");
                assert_eq!(body["max_output_tokens"], 1024);
                assert_eq!(body["store"], false);
            }
            _ => {
                assert_eq!(seen.path, "/v1/messages");
                assert_eq!(seen.headers["x-api-key"], KEY);
                assert_eq!(seen.headers["anthropic-version"], "2023-06-01");
                assert_eq!(body["system"], "Be brief.");
                assert_eq!(body["max_tokens"], 1024);
            }
        }
    }
}

#[tokio::test]
async fn structured_output_is_asked_in_each_formats_way() {
    for (fake, model) in models().await {
        let who = model.provider().to_string();
        fake.script([Reply::Answer(r#"{"name":"Daily report"}"#.into())]);
        let mut request = ChatRequest::new("Make workflows.", "A daily report");
        request.schema = Some(schema());
        let answer = model.complete(&request).await.unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&answer.text).unwrap();
        assert_eq!(parsed["name"], "Daily report", "{who}");
        let body = &fake.seen()[0].body;
        match who.as_str() {
            "openai" => {
                assert_eq!(body["response_format"]["type"], "json_schema");
                assert_eq!(body["response_format"]["json_schema"]["name"], "workflow");
                assert_eq!(
                    body["response_format"]["json_schema"]["schema"]["required"][0],
                    "name"
                );
            }
            "openai-responses" => {
                assert_eq!(body["text"]["format"]["type"], "json_schema");
                assert_eq!(body["text"]["format"]["name"], "workflow");
            }
            _ => {
                assert_eq!(body["tools"][0]["name"], "workflow");
                assert_eq!(body["tools"][0]["input_schema"]["type"], "object");
                assert_eq!(
                    body["tool_choice"],
                    json!({ "type": "tool", "name": "workflow" })
                );
                assert_eq!(answer.stop_reason.as_deref(), Some("tool_use"));
            }
        }
    }
}

#[tokio::test]
async fn streams_arrive_in_pieces_and_end_with_the_whole_answer() {
    let text = "Streaming answers arrive a few characters at a time.";
    for (fake, model) in models().await {
        let who = model.provider().to_string();
        for structured in [false, true] {
            let answer = if structured {
                r#"{"name":"Streamed workflow"}"#
            } else {
                text
            };
            fake.script([Reply::Answer(answer.into())]);
            let mut request = ChatRequest::new("system", "stream please");
            if structured {
                request.schema = Some(schema());
            }
            let mut stream = model.stream(&request).await.unwrap();
            let (mut pieces, mut done) = (Vec::new(), None);
            while let Some(event) = stream.next().await {
                match event.unwrap() {
                    StreamEvent::Delta(d) => pieces.push(d),
                    StreamEvent::Done(r) => done = Some(r),
                }
            }
            assert!(pieces.len() > 1, "{who}: in pieces");
            assert_eq!(pieces.concat(), answer, "{who}");
            let done = done.expect("a last event with the whole answer");
            assert_eq!(done.text, answer, "{who}");
            assert!(
                done.usage.input > 0 && done.usage.output > 0,
                "{who}: {:?}",
                done.usage
            );
            assert_eq!(fake.seen().last().unwrap().body["stream"], true);
        }
    }
}

#[tokio::test]
async fn a_429_is_retried_after_the_wait_it_asks_for() {
    for (fake, model) in models().await {
        let who = model.provider().to_string();
        fake.script([
            Reply::Error {
                status: 429,
                retry_after: Some("0.3".into()),
                message: "Rate limit reached".into(),
            },
            Reply::Answer("after the wait".into()),
        ]);
        let started = Instant::now();
        let answer = model.complete(&ChatRequest::new("s", "u")).await.unwrap();
        assert_eq!(answer.text, "after the wait", "{who}");
        assert_eq!(fake.seen().len(), 2);
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "{who}: waited as asked"
        );
    }
}

#[tokio::test]
async fn a_wait_longer_than_allowed_is_not_waited_for() {
    for (fake, model) in models().await {
        let who = model.provider().to_string();
        fake.script([Reply::Error {
            status: 429,
            retry_after: Some("3600".into()),
            message: "Slow down".into(),
        }]);
        let err = model
            .complete(&ChatRequest::new("s", "u"))
            .await
            .unwrap_err();
        match &err {
            AiError::Provider {
                status: 429,
                message,
                retryable: true,
                ..
            } => assert_eq!(message, "Slow down"),
            other => panic!("{who}: {other:?}"),
        }
        assert!(err.falls_back(), "the next provider may be tried");
        assert_eq!(fake.seen().len(), 1, "{who}");
    }
}

#[tokio::test]
async fn server_errors_are_retried_then_reported_and_client_errors_are_not() {
    for (fake, model) in models().await {
        let who = model.provider().to_string();
        let overloaded = if who == "anthropic" { 529 } else { 500 };
        let error = |status| Reply::Error {
            status,
            retry_after: None,
            message: "Overloaded".into(),
        };
        fake.script([
            error(overloaded),
            error(502),
            Reply::Answer("third time".into()),
        ]);
        assert_eq!(
            model
                .complete(&ChatRequest::new("s", "u"))
                .await
                .unwrap()
                .text,
            "third time",
            "{who}"
        );
        assert_eq!(fake.seen().len(), 3);

        fake.script([error(500), error(500), error(500)]);
        let err = model
            .complete(&ChatRequest::new("s", "u"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, AiError::Provider { status: 500, .. }),
            "{who}: {err:?}"
        );
        assert_eq!(fake.seen().len(), 6, "{who}: three attempts");

        fake.script([Reply::Error {
            status: 400,
            retry_after: None,
            message: "max_tokens is too large".into(),
        }]);
        let err = model
            .complete(&ChatRequest::new("s", "u"))
            .await
            .unwrap_err();
        assert!(
            !err.falls_back(),
            "{who}: a bad request is not another provider's problem"
        );
        assert!(err.to_string().contains("max_tokens is too large"), "{err}");
        assert_eq!(fake.seen().len(), 7, "{who}: not retried");
        assert!(!format!("{err:?}").contains(KEY));
    }
}

#[tokio::test]
async fn silence_is_a_timeout_and_malformed_answers_are_errors() {
    for (fake, model) in models().await {
        let who = model.provider().to_string();
        drop(model);
        let name = who.as_str();
        let mut c = config(
            &fake,
            if name == "openai-responses" {
                "openai-responses"
            } else {
                name
            },
        );
        c.timeout = Duration::from_millis(300);
        c.retry.attempts = 1;
        let model: Box<dyn ChatModel> = match name {
            "openai" => Box::new(OpenAi::new(c, OpenAiApi::ChatCompletions)),
            "openai-responses" => Box::new(OpenAi::new(c, OpenAiApi::Responses)),
            _ => Box::new(Anthropic::new(c)),
        };
        fake.script([Reply::Silence(Duration::from_secs(3))]);
        let err = model
            .complete(&ChatRequest::new("s", "u"))
            .await
            .unwrap_err();
        assert!(matches!(err, AiError::Timeout { .. }), "{who}: {err:?}");
        assert!(err.falls_back());

        fake.script([Reply::Raw("{\"choices\": [".into())]);
        let err = model
            .complete(&ChatRequest::new("s", "u"))
            .await
            .unwrap_err();
        assert!(matches!(err, AiError::BadAnswer { .. }), "{who}: {err:?}");
    }
}

#[tokio::test]
async fn each_format_calls_tools_and_reads_their_results_back() {
    use agente_ai::{Message, ToolSpec};
    for (fake, model) in models().await {
        let who = model.provider().to_string();
        fake.script([
            Reply::ToolCalls(vec![
                ("lookup".into(), json!({ "city": "Oslo" })),
                ("lookup".into(), json!({ "city": "Lima" })),
            ]),
            Reply::Answer("Oslo 3°, Lima 19°".into()),
        ]);
        let mut request = ChatRequest::new("Use the tools.", "Weather in Oslo and Lima?");
        request.tools = vec![ToolSpec {
            name: "lookup".into(),
            description: "The weather in a city".into(),
            parameters: json!({ "type": "object", "properties": { "city": { "type": "string" } } }),
        }];
        let asked = model.complete(&request).await.unwrap();
        let names: Vec<_> = asked
            .tool_calls
            .iter()
            .map(|c| c.arguments["city"].clone())
            .collect();
        assert_eq!(names, [json!("Oslo"), json!("Lima")], "{who}");
        assert_eq!(asked.tool_calls[0].id, "call_1", "{who}");
        assert!(asked.usage.total() > 0, "{who}");

        request
            .messages
            .push(Message::tool_calls("", asked.tool_calls.clone()));
        request.messages.push(Message::tool_result("call_1", "3°"));
        request.messages.push(Message::tool_result("call_2", "19°"));
        let answer = model.complete(&request).await.unwrap();
        assert_eq!(answer.text, "Oslo 3°, Lima 19°", "{who}");
        assert!(answer.tool_calls.is_empty(), "{who}");

        let seen = fake.seen();
        let (first, second) = (&seen[0].body, &seen[1].body);
        match who.as_str() {
            "openai" => {
                assert_eq!(first["tools"][0]["function"]["name"], "lookup");
                let m = second["messages"].as_array().unwrap();
                assert_eq!(
                    m[2]["tool_calls"][1]["function"]["arguments"],
                    r#"{"city":"Lima"}"#
                );
                assert_eq!(m[2]["content"], json!(null));
                assert_eq!(
                    m[3],
                    json!({ "role": "tool", "tool_call_id": "call_1", "content": "3°" })
                );
                assert_eq!(m[4]["tool_call_id"], "call_2");
            }
            "openai-responses" => {
                assert_eq!(first["tools"][0]["name"], "lookup");
                assert_eq!(first["tools"][0]["type"], "function");
                let input = second["input"].as_array().unwrap();
                assert_eq!(input[1]["type"], "function_call");
                assert_eq!(input[2]["call_id"], "call_2");
                assert_eq!(
                    input[3],
                    json!({ "type": "function_call_output", "call_id": "call_1", "output": "3°" })
                );
            }
            _ => {
                assert_eq!(first["tools"][0]["input_schema"]["type"], "object");
                assert!(first.get("tool_choice").is_none());
                let m = second["messages"].as_array().unwrap();
                assert_eq!(m.len(), 3, "the two results are one user message: {m:?}");
                assert_eq!(m[1]["content"][0]["type"], "tool_use");
                assert_eq!(m[1]["content"][1]["input"], json!({ "city": "Lima" }));
                assert_eq!(m[2]["role"], "user");
                assert_eq!(m[2]["content"][1]["tool_use_id"], "call_2");
            }
        }
    }
}

#[tokio::test]
async fn a_json_answer_is_asked_for_in_each_format() {
    for (fake, model) in models().await {
        let who = model.provider().to_string();
        fake.script([Reply::Answer(r#"{"ok":true}"#.into())]);
        let mut request = ChatRequest::new("Be brief.", "Status?");
        request.json = true;
        model.complete(&request).await.unwrap();
        let body = &fake.seen()[0].body;
        match who.as_str() {
            "openai" => assert_eq!(body["response_format"], json!({ "type": "json_object" })),
            "openai-responses" => {
                assert_eq!(body["text"]["format"], json!({ "type": "json_object" }))
            }
            _ => assert!(body["system"].as_str().unwrap().contains("JSON object")),
        }
    }
}
