//! The HTTP Request node against a local server.

use agente_engine::{Engine, ExecutionStatus, Item, NetworkPolicy, RunRequest};
use agente_workflow_model::Workflow;
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
    // Three pages of two numbers: `?page=N` (1-based), with the next URL in the body.
    async fn pages(RawQuery(q): RawQuery, headers: HeaderMap) -> Json<Value> {
        let page: u64 = q
            .as_deref()
            .and_then(|q| q.strip_prefix("page="))
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        let host = headers["host"].to_str().unwrap().to_string();
        let items: Vec<u64> = if page <= 3 {
            vec![page * 10, page * 10 + 1]
        } else {
            vec![]
        };
        let next = (page < 3).then(|| format!("http://{host}/pages?page={}", page + 1));
        Json(json!({"items": items, "next": next, "page": page}))
    }
    async fn list() -> Json<Value> {
        Json(json!([{"id": 1}, {"id": 2}, 3]))
    }
    async fn file() -> ([(axum::http::HeaderName, &'static str); 2], Vec<u8>) {
        (
            [
                (axum::http::header::CONTENT_TYPE, "image/png"),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    "attachment; filename=\"dot.png\"",
                ),
            ],
            vec![0x89, b'P', b'N', b'G', 0, 1, 2, 3],
        )
    }
    let app = axum::Router::new()
        .route("/status/{code}", any(echo))
        .route("/pages", any(pages))
        .route("/list", any(list))
        .route("/file", any(file))
        .route(
            "/moved",
            any(|| async { axum::response::Redirect::temporary("/status/200") }),
        )
        .route(
            "/endless",
            any(|| async {
                // A body that never ends (no Content-Length to refuse up front).
                let chunks = futures::stream::repeat_with(|| {
                    Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b'x'; 64 * 1024]))
                });
                axum::body::Body::from_stream(chunks)
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn run_http(
    params: Value,
    credentials: Option<(Value, Value)>,
    input: Value,
) -> agente_engine::Execution {
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
    Engine::new(Default::default(), NetworkPolicy::with_private(true))
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
    // The server got the key; the execution's data shows it masked (it is stored and
    // shown to anyone who reads executions).
    assert_eq!(got["headers"]["x-api-key"], "***");
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

#[tokio::test]
async fn pagination_follows_next_urls_and_updated_parameters() {
    let base = echo_server().await;
    let pages_of = |exec: &agente_engine::Execution| -> Vec<u64> {
        exec.output("HTTP")
            .iter()
            .map(|i| i["json"]["page"].as_u64().unwrap())
            .collect()
    };
    // The next URL from the body, until the body says there is none.
    let exec = run_http(
        json!({"url": format!("{base}/pages"), "options": {"pagination": {"pagination": {
            "paginationMode": "responseContainsNextURL", "nextURL": "={{ $response.body.next }}",
            "paginationCompleteWhen": "other", "completeExpression": "={{ !$response.body.next }}"}}}}),
        None,
        json!({}),
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(pages_of(&exec), vec![1, 2, 3]);

    // A page number from $pageCount, until a page comes back empty; capped at 2 requests.
    let by_param = |limit: bool| {
        json!({"url": format!("{base}/pages"), "options": {"pagination": {"pagination": {
            "paginationMode": "updateAParameterInEachRequest",
            "parameters": {"parameters": [{"type": "qs", "name": "page", "value": "={{ $pageCount + 1 }}"}]},
            "paginationCompleteWhen": "other", "completeExpression": "={{ $response.body.items.length === 0 }}",
            "limitPagesFetched": limit, "maxRequests": 2}}}})
    };
    // As in n8n, the page that completes the series is part of the output.
    let exec = run_http(by_param(false), None, json!({})).await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(pages_of(&exec), vec![1, 2, 3, 4]);
    let exec = run_http(by_param(true), None, json!({})).await;
    assert_eq!(pages_of(&exec), vec![1, 2]);
}

#[tokio::test]
async fn arrays_become_items_and_files_become_binary_data() {
    let base = echo_server().await;
    let exec = run_http(json!({"url": format!("{base}/list")}), None, json!({})).await;
    let got: Vec<Value> = exec
        .output("HTTP")
        .iter()
        .map(|i| i["json"].clone())
        .collect();
    assert_eq!(
        got,
        vec![json!({"id": 1}), json!({"id": 2}), json!({"data": 3})]
    );

    let exec = run_http(
        json!({"url": format!("{base}/file"), "options": {"response": {"response": {"responseFormat": "file", "outputPropertyName": "image"}}}}),
        None,
        json!({}),
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let binary = &exec.output("HTTP")[0]["binary"]["image"];
    assert_eq!(binary["mimeType"], "image/png");
    assert_eq!(binary["fileName"], "dot.png");
    assert_eq!(binary["fileExtension"], "png");
    assert_eq!(binary["data"], "iVBORwABAgM=");
    assert_eq!(binary["fileSize"], "8 B");
}

#[tokio::test]
async fn batching_sends_items_in_groups() {
    let base = echo_server().await;
    let wf: Workflow = serde_json::from_value(json!({
        "name": "batch",
        "nodes": [
            {"name": "Go", "type": "n8n-nodes-base.manualTrigger"},
            {"name": "HTTP", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "parameters": {
                "url": format!("{base}/status/200"), "sendQuery": true,
                "queryParameters": {"parameters": [{"name": "n", "value": "={{ $json.n }}"}]},
                "options": {"batching": {"batch": {"batchSize": 2, "batchInterval": 50}}}}}
        ],
        "connections": {"Go": {"main": [[{"node": "HTTP", "type": "main", "index": 0}]]}}
    }))
    .unwrap();
    let request = RunRequest {
        items: (0..5).map(|n| Item::from_value(json!({"n": n}))).collect(),
        ..RunRequest::default()
    };
    let started = std::time::Instant::now();
    let exec = Engine::new(Default::default(), NetworkPolicy::with_private(true))
        .run(&wf, request)
        .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let out = exec.output("HTTP");
    let queries: Vec<&str> = out
        .iter()
        .map(|i| i["json"]["query"].as_str().unwrap())
        .collect();
    assert_eq!(queries, vec!["n=0", "n=1", "n=2", "n=3", "n=4"]);
    assert_eq!(out[4]["pairedItem"], json!({"item": 4}));
    // Three batches, so two pauses of 50 ms between them.
    assert!(started.elapsed() >= std::time::Duration::from_millis(100));
}

#[tokio::test]
async fn redirects_are_followed_unless_the_node_says_not_to() {
    let base = echo_server().await;
    let exec = run_http(json!({"url": format!("{base}/moved")}), None, json!({})).await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    assert_eq!(exec.output("HTTP")[0]["json"]["method"], "GET");

    let exec = run_http(
        json!({"url": format!("{base}/moved"), "options": {
            "redirect": {"redirect": {"followRedirects": false}},
            "response": {"response": {"fullResponse": true}}}}),
        None,
        json!({}),
    )
    .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let reply = &exec.output("HTTP")[0]["json"];
    assert_eq!(reply["statusCode"], 307);
    assert_eq!(reply["headers"]["location"], "/status/200");
}

#[tokio::test]
async fn multipart_bodies_carry_fields_and_binary_files() {
    let base = echo_server().await;
    let wf: Workflow = serde_json::from_value(json!({
        "name": "upload",
        "nodes": [
            {"name": "Go", "type": "n8n-nodes-base.manualTrigger"},
            {"name": "HTTP", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "parameters": {
                "method": "POST", "url": format!("{base}/status/200"), "sendBody": true,
                "contentType": "multipart-form-data",
                "bodyParameters": {"parameters": [
                    {"name": "title", "value": "={{ $json.title }}"},
                    {"parameterType": "formBinaryData", "name": "file", "inputDataFieldName": "doc"}]}}}
        ],
        "connections": {"Go": {"main": [[{"node": "HTTP", "type": "main", "index": 0}]]}}
    }))
    .unwrap();
    let item = Item::from_returned(json!({
        "json": {"title": "Report"},
        "binary": {"doc": {"data": "aGVsbG8gZmlsZQ==", "mimeType": "text/plain", "fileName": "r.txt"}}
    }));
    let exec = Engine::new(Default::default(), NetworkPolicy::with_private(true))
        .run(
            &wf,
            RunRequest {
                items: vec![item],
                ..RunRequest::default()
            },
        )
        .await;
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    let got = &exec.output("HTTP")[0]["json"];
    assert!(
        got["headers"]["content-type"]
            .as_str()
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    let body = got["body"].as_str().unwrap();
    assert!(
        body.contains("name=\"title\"") && body.contains("Report"),
        "{body}"
    );
    assert!(
        body.contains("filename=\"r.txt\"") && body.contains("hello file"),
        "{body}"
    );
}

#[tokio::test]
async fn an_endless_answer_fails_the_node_at_the_cap_instead_of_filling_memory() {
    let base = echo_server().await;
    let exec = run_http(json!({"url": format!("{base}/endless")}), None, json!({})).await;
    assert_eq!(exec.status, ExecutionStatus::Error);
    let message = exec.error.unwrap().message;
    assert!(message.contains("larger than 32 MiB"), "{message}");
}
