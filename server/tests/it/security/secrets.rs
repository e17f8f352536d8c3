//! Secrets out of execution data (item 9): a credential's query key in a failing HTTP
//! node's error, the caller's `Authorization` and header-auth value, and what a webhook's
//! anonymous caller is told when the workflow fails.

use crate::helpers::{Backend, TestApp, spawn_app_with};
use agente_store::backend_tests;
use axum::extract::RawQuery;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A server on 127.0.0.3 that answers 500 quoting the query it got (as some APIs do).
async fn echoing_failure() -> std::net::SocketAddr {
    let app = axum::Router::new().route(
        "/fail",
        axum::routing::get(|RawQuery(q): RawQuery| async move {
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                format!("upstream broke on {}", q.unwrap_or_default()),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.3:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// Every execution of the tenant, with data, as text.
async fn stored(app: &TestApp, token: &str) -> String {
    let page: Value = app
        .get_json("/api/v1/executions?includeData=true", Some(token))
        .await;
    let mut text = page.to_string();
    for e in page["data"].as_array().into_iter().flatten() {
        let one = app
            .get(
                &format!(
                    "/api/v1/executions/{}?includeData=true",
                    e["id"].as_str().unwrap()
                ),
                Some(token),
            )
            .await
            .text()
            .await
            .unwrap();
        text.push_str(&one);
    }
    text
}

backend_tests!(keys_and_callers_secrets_stay_out_of_executions_and_answers);
async fn keys_and_callers_secrets_stay_out_of_executions_and_answers(backend: Backend) {
    let upstream = echoing_failure().await;
    let app = spawn_app_with(backend, |c| {
        c.http_allow_networks = vec!["127.0.0.3/32".parse().unwrap()];
    })
    .await;
    let b = app.backend;
    let (token, _, _) = app.signup("secrets").await;
    let query_key = format!("sk-query-{}", uuid::Uuid::new_v4().simple());
    let hook_secret = format!("hook-secret-{}", uuid::Uuid::new_v4().simple());
    let bearer = format!("caller-bearer-{}", uuid::Uuid::new_v4().simple());
    let query_auth = app
        .create_credential(
            "httpQueryAuth",
            json!({"name": "api_key", "value": query_key}),
            &token,
        )
        .await;
    let header_auth = app
        .create_credential(
            "httpHeaderAuth",
            json!({"name": "X-Hook-Token", "value": hook_secret}),
            &token,
        )
        .await;
    let path = format!("secrets-{b}");
    let workflow = json!({
        "name": "leaky",
        "nodes": [
            {"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "webhookId": path, "position": [0, 0],
             "parameters": {"path": path, "httpMethod": "GET", "responseMode": "lastNode", "authentication": "headerAuth"},
             "credentials": {"httpHeaderAuth": {"id": header_auth, "name": "hook"}}},
            {"name": "Copy", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [200, 0],
             "parameters": {"mode": "manual", "includeOtherFields": true, "assignments": {"assignments": [
                 {"id": "1", "name": "seen", "type": "string", "value": "={{ $json.headers.authorization }} {{ $json.headers['x-hook-token'] }}"}
             ]}}},
            {"name": "Call", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "position": [400, 0],
             "parameters": {"url": format!("http://{upstream}/fail"), "authentication": "genericCredentialType",
                            "genericAuthType": "httpQueryAuth"},
             "credentials": {"httpQueryAuth": {"id": query_auth, "name": "q"}}},
        ],
        "connections": {
            "Hook": {"main": [[{"node": "Copy", "type": "main", "index": 0}]]},
            "Copy": {"main": [[{"node": "Call", "type": "main", "index": 0}]]}
        }
    });
    let id = app.create_workflow(workflow, &token).await;
    let res = app
        .post(
            &format!("/api/v1/workflows/{id}/activate"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let res = app
        .client
        .get(app.url(&format!("/webhook/{path}")))
        .header("x-hook-token", &hook_secret)
        .header("authorization", format!("Bearer {bearer}"))
        .send()
        .await
        .unwrap();
    // The anonymous caller learns that it failed, not why (the why quotes upstream).
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "{b}");
    let answer: Value = res.json().await.unwrap();
    assert_eq!(answer, json!({"message": "Error in workflow"}), "{b}");

    let kept = stored(&app, &token).await;
    assert!(
        kept.contains("upstream broke"),
        "{b}: the failure is kept: {kept}"
    );
    for secret in [&query_key, &hook_secret, &bearer] {
        assert!(
            !kept.contains(secret.as_str()),
            "{b}: {secret} is in the execution"
        );
    }
}
