//! The HTTP Request node against a local server.
#![cfg(feature = "server")]

use agente_workflows::Workflow;
use agente_workflows::engine::{Engine, ExecutionStatus, Item, NetworkPolicy, RunRequest};
use axum::Json;
use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::any;
use serde_json::{Value, json};
use std::collections::HashMap;

async fn echo_server() -> String {
    async fn echo(
        method: Method,
        Path(status): Path<u16>,
        RawQuery(q): RawQuery,
        headers: HeaderMap,
        body: String,
    ) -> (StatusCode, Json<Value>) {
        if status == 599 {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        }
        let h: serde_json::Map<String, Value> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or_default())))
            .collect();
        let body = serde_json::from_str(&body).unwrap_or(Value::String(body));
        (
            StatusCode::from_u16(status).unwrap(),
            Json(json!({"method": method.as_str(), "query": q, "headers": h, "body": body})),
        )
    }
    let app = axum::Router::new().route("/status/{code}", any(echo));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn run_http(
    params: Value,
    credentials: Option<(Value, Value)>,
    input: Value,
) -> agente_workflows::engine::Execution {
    let mut node = json!({"name": "HTTP", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "parameters": params});
    let mut creds = HashMap::new();
    if let Some((reference, data)) = credentials {
        node["credentials"] = reference.clone();
        let id = reference.as_object().unwrap().values().next().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        creds.insert(id, data);
    }
    let wf: Workflow = serde_json::from_value(json!({
        "name": "http",
        "nodes": [{"name": "Go", "type": "n8n-nodes-base.manualTrigger"}, node],
        "connections": {"Go": {"main": [[{"node": "HTTP", "type": "main", "index": 0}]]}}
    }))
    .unwrap();
    let request = RunRequest {
        items: vec![Item::from_value(input)],
        credentials: creds,
        ..RunRequest::default()
    };
    Engine::new(
        Default::default(),
        NetworkPolicy {
            allow_private: true,
        },
    )
    .run(&wf, request)
    .await
}

#[tokio::test]
async fn sends_json_query_headers_and_credentials() {
    let base = echo_server().await;
    let exec = run_http(
        json!({
            "method": "POST", "url": format!("{base}/status/200"),
            "authentication": "genericCredentialType", "genericAuthType": "httpHeaderAuth",
            "sendQuery": true, "queryParameters": {"parameters": [{"name": "page", "value": "={{ $json.page }}"}]},
            "sendHeaders": true, "headerParameters": {"parameters": [{"name": "X-Trace", "value": "abc"}]},
            "sendBody": true, "contentType": "json", "specifyBody": "json", "jsonBody": "={{ JSON.stringify({n: $json.n}) }}"
        }),
        Some((json!({"httpHeaderAuth": {"id": "c1", "name": "token"}}), json!({"name": "X-Api-Key", "value": "s3cret"}))),
        json!({"page": 2, "n": 21}),
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let got = &exec.output("HTTP")[0]["json"];
    assert_eq!(got["method"], "POST");
    assert_eq!(got["query"], "page=2");
    assert_eq!(got["headers"]["x-trace"], "abc");
    assert_eq!(got["headers"]["x-api-key"], "s3cret");
    assert_eq!(got["body"], json!({"n": 21}));
}

#[tokio::test]
async fn http_errors_fail_unless_never_error_and_full_response_shows_status() {
    let base = echo_server().await;
    let exec = run_http(
        json!({"url": format!("{base}/status/404")}),
        None,
        json!({}),
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Error);
    assert!(exec.error.unwrap().message.contains("404"));

    let exec = run_http(
        json!({"url": format!("{base}/status/503"), "options": {"response": {"response": {"neverError": true, "fullResponse": true}}}}),
        None,
        json!({}),
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(exec.output("HTTP")[0]["json"]["statusCode"], 503);

    let exec = run_http(
        json!({"url": format!("{base}/status/599"), "options": {"timeout": 200}}),
        None,
        json!({}),
    )
    .await;
    assert!(exec.error.unwrap().message.contains("timed out"));

    let exec = run_http(json!({"url": "file:///etc/passwd"}), None, json!({})).await;
    assert!(exec.error.unwrap().message.contains("only http"));

    let exec = run_http(
        json!({"url": format!("{base}/status/200"), "authentication": "genericCredentialType", "genericAuthType": "httpHeaderAuth"}),
        None,
        json!({}),
    )
    .await;
    assert!(exec.error.unwrap().message.contains("credential"));
}
