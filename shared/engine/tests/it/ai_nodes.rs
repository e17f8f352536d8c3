//! AI nodes against a host whose language model answers from a script: n8n's OpenAI node
//! in its shapes, the AI Agent's tool loop (Code and Workflow tools), the Basic LLM Chain,
//! and the errors a user gets for a missing model, credential or prompt.

use agente_core::llm::{
    ModelApi, ModelCall, ModelError, ModelFuture, ModelReply, Role, TokenUsage, ToolCall,
};
use agente_engine::{
    BoxFuture, Engine, Execution, ExecutionStatus, Host, Item, NetworkPolicy, RunRequest,
    SubWorkflowCall,
};
use agente_workflow_model::{Workflow, validate::validate};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, Weak};

/// A model that answers from a script and remembers what it was asked; sub-workflows run
/// inline with the same engine.
struct Scripted {
    me: Weak<Scripted>,
    engine: Engine,
    replies: Mutex<VecDeque<Result<ModelReply, ModelError>>>,
    calls: Mutex<Vec<ModelCall>>,
}

impl Scripted {
    fn new(replies: Vec<Result<ModelReply, ModelError>>) -> Arc<Self> {
        Arc::new_cyclic(|me| Scripted {
            me: me.clone(),
            engine: Engine::default(),
            replies: Mutex::new(replies.into()),
            calls: Mutex::default(),
        })
    }

    fn calls(&self) -> Vec<ModelCall> {
        self.calls.lock().unwrap().clone()
    }
}

fn says(text: &str) -> Result<ModelReply, ModelError> {
    Ok(ModelReply {
        text: text.into(),
        usage: TokenUsage {
            input: 12,
            output: 5,
        },
        model: "fake-model".into(),
        stop_reason: Some("stop".into()),
        ..ModelReply::default()
    })
}

fn asks(calls: &[(&str, Value)]) -> Result<ModelReply, ModelError> {
    Ok(ModelReply {
        tool_calls: calls
            .iter()
            .enumerate()
            .map(|(i, (name, arguments))| ToolCall {
                id: format!("call_{i}"),
                name: name.to_string(),
                arguments: arguments.clone(),
            })
            .collect(),
        usage: TokenUsage {
            input: 20,
            output: 8,
        },
        model: "fake-model".into(),
        stop_reason: Some("tool_calls".into()),
        ..ModelReply::default()
    })
}

impl Host for Scripted {
    fn run_sub_workflow(&self, call: SubWorkflowCall) -> BoxFuture<'_, Result<Vec<Item>, String>> {
        Box::pin(async move {
            let base = RunRequest {
                host: self.me.upgrade().map(|me| me as Arc<dyn Host>),
                ..RunRequest::default()
            };
            crate::run_inline(&self.engine, call, base).await
        })
    }

    fn chat(&self, call: ModelCall) -> ModelFuture<'_> {
        self.calls.lock().unwrap().push(call);
        let reply = self
            .replies
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| Err(ModelError::Failed("nothing scripted".into())));
        Box::pin(async move { reply })
    }
}

fn credentials() -> HashMap<String, Value> {
    HashMap::from([
        (
            "oa".to_string(),
            json!({ "apiKey": "sk-node", "url": "https://llm.example.com/v1" }),
        ),
        ("an".to_string(), json!({ "apiKey": "sk-ant" })),
        (
            "ol".to_string(),
            json!({ "baseUrl": "http://127.0.0.1:11434" }),
        ),
    ])
}

/// The execution id the usage ids below are made of.
const EX_AI: &str = "0190f0a0-0000-7000-8000-0000000000a1";

async fn run(wf: Value, host: &Arc<Scripted>, items: Vec<Value>) -> Execution {
    run_with(Engine::default(), wf, host, items).await
}

async fn run_with(engine: Engine, wf: Value, host: &Arc<Scripted>, items: Vec<Value>) -> Execution {
    let workflow: Workflow = serde_json::from_value(wf).unwrap();
    let request = RunRequest {
        items: items.into_iter().map(Item::from_value).collect(),
        execution_id: EX_AI.parse().unwrap(),
        credentials: credentials(),
        host: Some(host.clone() as Arc<dyn Host>),
        ..RunRequest::default()
    };
    engine.run(&workflow, request).await
}

fn jsons(items: Vec<Value>) -> Vec<Value> {
    items.into_iter().map(|i| i["json"].clone()).collect()
}

fn openai_node(parameters: Value) -> Value {
    json!({
        "name": "Start", "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "OpenAI", "type": "n8n-nodes-base.openAi", "typeVersion": 1.1, "parameters": parameters,
             "credentials": {"openAiApi": {"id": "oa", "name": "OpenAI account"}}}
        ],
        "connections": {"Start": {"main": [[{"node": "OpenAI", "type": "main", "index": 0}]]}}
    })
}

#[tokio::test]
async fn message_a_model_sends_each_item_and_outputs_the_choice() {
    let host = Scripted::new(vec![says("Bonjour"), says("Hola")]);
    let wf = openai_node(json!({
        "resource": "text", "operation": "message",
        "modelId": {"__rl": true, "value": "gpt-4o-mini", "mode": "list"},
        "messages": {"values": [
            {"role": "system", "content": "Translate."},
            {"content": "={{ $json.word }}"}
        ]},
        "options": {"maxTokens": 50, "temperature": 0.3}
    }));
    let exec = run(
        wf,
        &host,
        vec![json!({"word": "hello"}), json!({"word": "hi"})],
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let out = jsons(exec.output("OpenAI"));
    assert_eq!(
        out[0]["message"],
        json!({"role": "assistant", "content": "Bonjour"})
    );
    assert_eq!(out[1]["message"]["content"], "Hola");
    assert_eq!(out[0]["finish_reason"], "stop");

    let calls = host.calls();
    assert_eq!(calls.len(), 2);
    let first = &calls[0];
    assert_eq!(first.api, ModelApi::OpenAi);
    assert_eq!(first.api_key, "sk-node");
    assert_eq!(
        first.base_url.as_deref(),
        Some("https://llm.example.com/v1")
    );
    assert_eq!(
        (first.model.as_str(), first.max_tokens, first.temperature),
        ("gpt-4o-mini", 50, Some(0.3))
    );
    assert_eq!(first.system, "Translate.");
    assert_eq!(first.messages.len(), 1);
    assert_eq!(
        (first.messages[0].role, first.messages[0].content.as_str()),
        (Role::User, "hello")
    );
    assert_eq!(calls[1].messages[0].content, "hi");
    // One metering id per item: a re-run of the same execution is not counted twice.
    assert_eq!(first.usage_id, format!("{EX_AI}:OpenAI:0:0:0"));
    assert_eq!(calls[1].usage_id, format!("{EX_AI}:OpenAI:0:1:0"));
    let logs = &exec.run_data["OpenAI"][0].logs;
    assert!(
        logs.iter()
            .any(|l| l.contains("12 input + 5 output tokens")),
        "{logs:?}"
    );
}

#[tokio::test]
async fn first_version_chat_and_text_completions_have_n8ns_shapes() {
    let host = Scripted::new(vec![says("Paris"), says("{\"ok\":true}"), says("four")]);
    let chat = openai_node(json!({
        "resource": "chat", "operation": "complete", "model": "gpt-3.5-turbo",
        "prompt": {"messages": [{"role": "user", "content": "Capital of France?"}]},
        "simplifyOutput": false
    }));
    let exec = run(chat, &host, vec![json!({})]).await;
    let whole = &jsons(exec.output("OpenAI"))[0];
    assert_eq!(whole["object"], "chat.completion");
    assert_eq!(whole["choices"][0]["message"]["content"], "Paris");
    assert_eq!(
        whole["usage"],
        json!({"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17})
    );

    let json_answer = openai_node(json!({
        "resource": "text", "operation": "messageModel", "modelId": "gpt-4o",
        "messages": {"values": [{"content": "Status as JSON"}]}, "jsonOutput": true
    }));
    let exec = run(json_answer, &host, vec![json!({})]).await;
    assert_eq!(
        jsons(exec.output("OpenAI"))[0]["message"]["content"],
        json!({"ok": true})
    );
    assert!(host.calls()[1].json);

    let text = openai_node(
        json!({"resource": "text", "operation": "complete", "prompt": "2 + 2 in words"}),
    );
    let exec = run(text, &host, vec![json!({})]).await;
    let choice = &jsons(exec.output("OpenAI"))[0];
    assert_eq!(choice["text"], "four");
    assert!(choice.get("message").is_none());
}

#[tokio::test]
async fn the_openai_node_says_what_is_wrong() {
    let host = Scripted::new(vec![Err(ModelError::Failed(
        "openai answered 401: bad key".into(),
    ))]);
    let message = |params: Value| openai_node(params);
    let ok = json!({"resource": "text", "operation": "message", "modelId": "m", "messages": {"values": [{"content": "hi"}]}});

    let exec = run(message(ok.clone()), &host, vec![json!({})]).await;
    assert_eq!(exec.status, ExecutionStatus::Error);
    assert!(exec.error.unwrap().message.contains("401: bad key"));

    let mut many = ok.clone();
    many["options"] = json!({"n": 3});
    let exec = run(message(many), &host, vec![json!({})]).await;
    assert!(
        exec.error
            .unwrap()
            .message
            .contains("one completion per item")
    );

    let mut empty = ok.clone();
    empty["messages"] = json!({"values": [{"content": "  "}]});
    let exec = run(message(empty), &host, vec![json!({})]).await;
    assert!(exec.error.unwrap().message.contains("no message"));

    let mut wf = message(ok.clone());
    wf["nodes"][1]["credentials"] = json!({});
    let exec = run(wf, &host, vec![json!({})]).await;
    assert!(
        exec.error
            .unwrap()
            .message
            .contains("`openAiApi` credential")
    );

    let mut image = ok.clone();
    image["resource"] = json!("image");
    image["operation"] = json!("create");
    let exec = run(message(image), &host, vec![json!({})]).await;
    assert!(exec.error.unwrap().message.contains("not supported"));
}

#[tokio::test]
async fn a_credential_url_on_a_private_network_is_refused_before_any_call() {
    let host = Scripted::new(vec![says("never")]);
    let wf = openai_node(
        json!({"resource": "text", "operation": "message", "modelId": "m", "messages": {"values": [{"content": "hi"}]}}),
    );
    let workflow: Workflow = serde_json::from_value(wf).unwrap();
    let mut creds = credentials();
    creds.insert(
        "oa".into(),
        json!({"apiKey": "k", "url": "http://169.254.169.254/v1"}),
    );
    let request = RunRequest {
        items: vec![Item::from_value(json!({}))],
        credentials: creds,
        host: Some(host.clone() as Arc<dyn Host>),
        ..RunRequest::default()
    };
    let exec = Engine::new(Default::default(), NetworkPolicy::default())
        .run(&workflow, request)
        .await;
    assert!(
        exec.error
            .unwrap()
            .message
            .contains("local or private network")
    );
    assert!(host.calls().is_empty());
}

/// Manual trigger → AI Agent with a chat model and tools attached by `ai_*` connections.
fn agent(model: Value, tools: Vec<Value>, options: Value) -> Value {
    let mut nodes = vec![
        json!({"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}}),
        json!({"name": "AI Agent", "type": "@n8n/n8n-nodes-langchain.agent", "typeVersion": 1.7, "parameters": {"promptType": "auto", "options": options}}),
        model,
    ];
    let mut connections = json!({
        "Start": {"main": [[{"node": "AI Agent", "type": "main", "index": 0}]]},
        "Chat Model": {"ai_languageModel": [[{"node": "AI Agent", "type": "ai_languageModel", "index": 0}]]}
    });
    for tool in tools {
        let name = tool["name"].as_str().unwrap().to_string();
        connections[&name] =
            json!({"ai_tool": [[{"node": "AI Agent", "type": "ai_tool", "index": 0}]]});
        nodes.push(tool);
    }
    json!({"name": "agent", "nodes": nodes, "connections": connections})
}

fn openai_model() -> Value {
    json!({"name": "Chat Model", "type": "@n8n/n8n-nodes-langchain.lmChatOpenAi", "typeVersion": 1.2,
        "parameters": {"model": {"__rl": true, "value": "gpt-4.1-mini", "mode": "list"}, "options": {"temperature": 0}},
        "credentials": {"openAiApi": {"id": "oa", "name": "OpenAI"}}})
}

fn code_tool() -> Value {
    json!({"name": "Add VAT", "type": "@n8n/n8n-nodes-langchain.toolCode", "typeVersion": 1.1,
        "parameters": {"name": "add_vat", "description": "Adds 25% VAT to an amount",
            "jsCode": "const amount = Number(query); return String(amount * 1.25);"}})
}

#[tokio::test]
async fn the_agent_calls_its_tools_until_the_model_answers() {
    let host = Scripted::new(vec![
        asks(&[
            ("add_vat", json!({"input": "100"})),
            ("add_vat", json!({"input": "8"})),
        ]),
        says("With VAT: 125 and 10."),
    ]);
    let wf = agent(
        openai_model(),
        vec![code_tool()],
        json!({"returnIntermediateSteps": true, "systemMessage": "You price things."}),
    );
    let exec = run(
        wf,
        &host,
        vec![json!({"chatInput": "Add VAT to 100 and 8"})],
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let out = &jsons(exec.output("AI Agent"))[0];
    assert_eq!(out["output"], "With VAT: 125 and 10.");
    let steps = out["intermediateSteps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["action"]["tool"], "add_vat");
    assert_eq!(steps[0]["observation"], "125");
    assert_eq!(steps[1]["observation"], "10");

    let calls = host.calls();
    assert_eq!(calls.len(), 2);
    let first = &calls[0];
    assert_eq!(
        (first.model.as_str(), first.temperature),
        ("gpt-4.1-mini", Some(0.0))
    );
    assert_eq!(first.system, "You price things.");
    assert_eq!(first.tools.len(), 1);
    assert_eq!(first.tools[0].name, "add_vat");
    assert_eq!(first.tools[0].parameters["required"], json!(["input"]));
    assert_eq!(first.messages[0].content, "Add VAT to 100 and 8");
    // The second turn carries the calls and both results, answering their ids.
    let second = &calls[1].messages;
    assert_eq!(second.len(), 4);
    assert_eq!(second[1].tool_calls.len(), 2);
    assert_eq!(
        (
            second[2].role,
            second[2].tool_call_id.as_deref(),
            second[2].content.as_str()
        ),
        (Role::Tool, Some("call_0"), "125")
    );
    assert_eq!(calls[1].usage_id, format!("{EX_AI}:AI Agent:0:0:1"));
}

#[tokio::test]
async fn a_tool_failure_goes_back_to_the_model_and_turns_are_bounded() {
    let failing = json!({"name": "Broken", "type": "@n8n/n8n-nodes-langchain.toolCode", "typeVersion": 1.1,
        "parameters": {"name": "broken", "description": "Always fails", "jsCode": "throw new Error('no stock data');"}});
    let host = Scripted::new(vec![
        asks(&[("broken", json!({"input": "x"}))]),
        asks(&[("missing_tool", json!({"input": "x"}))]),
        says("Sorry, I could not find it."),
    ]);
    let exec = run(
        agent(openai_model(), vec![failing.clone()], json!({})),
        &host,
        vec![json!({"chatInput": "stock?"})],
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let calls = host.calls();
    let told = &calls[1].messages[2].content;
    assert!(
        told.starts_with("Error:") && told.contains("no stock data"),
        "{told}"
    );
    let told = &calls[2].messages[4].content;
    assert!(
        told.contains("no tool named `missing_tool`") && told.contains("broken"),
        "{told}"
    );

    let looping = Scripted::new(
        (0..3)
            .map(|_| asks(&[("broken", json!({"input": "x"}))]))
            .collect(),
    );
    let exec = run(
        agent(openai_model(), vec![failing], json!({"maxIterations": 3})),
        &looping,
        vec![json!({"chatInput": "stock?"})],
    )
    .await;
    assert_eq!(
        exec.error.unwrap().message,
        "Agent stopped due to max iterations."
    );
    assert_eq!(looping.calls().len(), 3);
}

#[tokio::test]
async fn a_workflow_tool_runs_the_sub_workflow_with_the_query() {
    let sub = json!({"name": "lookup", "nodes": [
        {"name": "In", "type": "n8n-nodes-base.executeWorkflowTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Answer", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {"mode": "manual",
            "assignments": {"assignments": [{"id": "1", "name": "stock", "type": "number", "value": "={{ $json.query.sku === 'A1' ? 7 : 0 }}"}]}}}
    ], "connections": {"In": {"main": [[{"node": "Answer", "type": "main", "index": 0}]]}}});
    let tool = json!({"name": "Stock", "type": "@n8n/n8n-nodes-langchain.toolWorkflow", "typeVersion": 1.3,
        "parameters": {"name": "stock", "description": "Stock of a SKU", "source": "parameter", "workflowJson": sub.to_string(),
            "specifyInputSchema": true, "schemaType": "fromJson", "jsonSchemaExample": "{\"sku\": \"A1\"}"}});
    let host = Scripted::new(vec![
        asks(&[("stock", json!({"sku": "A1"}))]),
        says("7 in stock"),
    ]);
    let exec = run(
        agent(openai_model(), vec![tool], json!({})),
        &host,
        vec![json!({"chatInput": "Stock of A1?"})],
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let calls = host.calls();
    assert_eq!(
        calls[0].tools[0].parameters["properties"]["sku"]["type"],
        "string"
    );
    assert_eq!(calls[1].messages[2].content, r#"{"stock":7}"#);
}

#[tokio::test]
async fn the_chain_and_other_chat_models_are_asked_as_configured() {
    let anthropic = json!({"name": "Chat Model", "type": "@n8n/n8n-nodes-langchain.lmChatAnthropic", "typeVersion": 1.3,
        "parameters": {"model": "claude-sonnet-4-5", "options": {"maxTokensToSample": 300}},
        "credentials": {"anthropicApi": {"id": "an", "name": "Anthropic"}}});
    let mut wf = agent(anthropic, vec![], json!({}));
    wf["nodes"][1] = json!({"name": "AI Agent", "type": "@n8n/n8n-nodes-langchain.chainLlm", "typeVersion": 1.5,
        "parameters": {"promptType": "define", "text": "=Summarise: {{ $json.body }}",
            "messages": {"messageValues": [{"type": "SystemMessagePromptTemplate", "message": "Be short."}]}}});
    let host = Scripted::new(vec![says("Short.")]);
    let exec = run(wf, &host, vec![json!({"body": "a long text"})]).await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(jsons(exec.output("AI Agent"))[0], json!({"text": "Short."}));
    let call = &host.calls()[0];
    assert_eq!(
        (call.api, call.api_key.as_str(), call.max_tokens),
        (ModelApi::Anthropic, "sk-ant", 300)
    );
    assert_eq!(call.base_url, None);
    assert_eq!(
        (call.system.as_str(), call.messages[0].content.as_str()),
        ("Be short.", "Summarise: a long text")
    );

    let ollama = json!({"name": "Chat Model", "type": "@n8n/n8n-nodes-langchain.lmChatOllama", "typeVersion": 1,
        "parameters": {"model": "llama3.2:latest", "options": {}}, "credentials": {"ollamaApi": {"id": "ol", "name": "Ollama"}}});
    let host = Scripted::new(vec![says("hi")]);
    let exec = run_with(
        Engine::new(Default::default(), NetworkPolicy::with_private(true)),
        agent(ollama, vec![], json!({})),
        &host,
        vec![json!({"chatInput": "hello"})],
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let call = &host.calls()[0];
    assert_eq!(
        (call.base_url.as_deref(), call.api_key.as_str()),
        (Some("http://127.0.0.1:11434/v1"), "")
    );
}

#[tokio::test]
async fn root_nodes_without_a_model_or_prompt_and_lone_sub_nodes_fail_clearly() {
    let host = Scripted::new(vec![]);
    let mut no_model = agent(openai_model(), vec![], json!({}));
    no_model["connections"]
        .as_object_mut()
        .unwrap()
        .remove("Chat Model");
    let exec = run(no_model, &host, vec![json!({"chatInput": "hi"})]).await;
    assert!(
        exec.error
            .unwrap()
            .message
            .contains("no chat model is connected")
    );

    let exec = run(
        agent(openai_model(), vec![], json!({})),
        &host,
        vec![json!({"other": 1})],
    )
    .await;
    assert!(exec.error.unwrap().message.contains("chatInput"));

    let lone = json!({"name": "x", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
        {"name": "Tool", "type": "@n8n/n8n-nodes-langchain.toolCode", "typeVersion": 1.1, "parameters": {}}
    ], "connections": {"Start": {"main": [[{"node": "Tool", "type": "main", "index": 0}]]}}});
    let exec = run(lone, &host, vec![json!({})]).await;
    assert!(exec.error.unwrap().message.contains("is a sub-node"));
    assert!(host.calls().is_empty());
}

#[test]
fn a_workflow_with_an_agent_and_its_sub_nodes_validates() {
    let workflow: Workflow =
        serde_json::from_value(agent(openai_model(), vec![code_tool()], json!({}))).unwrap();
    let engine = Engine::default();
    let errors: Vec<_> = validate(&workflow, &|n| engine.supports(n))
        .into_iter()
        .filter(|i| i.severity == agente_workflow_model::validate::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}
