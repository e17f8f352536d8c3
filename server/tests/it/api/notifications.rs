//! Notifications over HTTP: a production execution fails, and the tenant's rules deliver
//! it — a signed webhook and a Web Push to a subscribed browser — through the app's own
//! workers; the delivery log, templates and settings endpoints; bad input as problems.

use crate::helpers::{Backend, assert_problem, spawn_app_with};
use agente_notify::testing::PushService;
use agente_notify::webhook;
use agente_store::backend_tests;
use axum::body::Bytes;
use axum::http::HeaderMap;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

async fn receiver() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |h: HeaderMap, body: Bytes| async move {
            kept.lock()
                .unwrap()
                .push((h, String::from_utf8(body.to_vec()).unwrap()));
            "ok"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

fn failing_webhook_workflow(path: &str) -> Value {
    json!({
        "name": "Checkout sync",
        "nodes": [
            {"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2,
             "parameters": {"path": path, "httpMethod": "POST"}},
            {"name": "Boom", "type": "n8n-nodes-base.stopAndError", "typeVersion": 1,
             "parameters": {"errorMessage": "the shop said no"}}
        ],
        "connections": {"Hook": {"main": [[{"node": "Boom", "type": "main", "index": 0}]]}}
    })
}

backend_tests!(a_failed_production_run_is_delivered_signed_and_pushed_and_logged);
async fn a_failed_production_run_is_delivered_signed_and_pushed_and_logged(backend: Backend) {
    let (hook_url, seen) = receiver().await;
    let push = PushService::start().await;
    let app = spawn_app_with(backend, |c| {
        c.http_allow_private = true;
        c.public_url = Some("https://agente.example".into());
    })
    .await;
    let b = app.backend;
    let (owner, _, _) = app.signup("alerts").await;

    let events: Value = app
        .get_json("/api/v1/notifications/events", Some(&owner))
        .await;
    assert!(
        events["vapidPublicKey"]
            .as_str()
            .is_some_and(|k| k.len() > 80),
        "{b}: {events}"
    );

    let res = app
        .post(
            "/api/v1/notifications/rules",
            json!({
                "name": "Ops hook", "events": ["execution.failed"], "channel": "webhook",
                "target": {"url": hook_url}, "throttleSeconds": 0,
            }),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{b}");
    let rule: Value = res.json().await.unwrap();
    let secret = rule["signingSecret"].as_str().unwrap().to_string();
    let listed: Value = app
        .get_json("/api/v1/notifications/rules", Some(&owner))
        .await;
    assert!(listed["data"][0].get("signingSecret").is_none(), "{b}");

    let res = app
        .post("/api/v1/notifications/rules", json!({
            "name": "My phone", "events": ["execution.failed"], "channel": "push", "throttleSeconds": 0,
        }), Some(&owner))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{b}");
    let device = format!("phone-{b}");
    let res = app
        .post(
            "/api/v1/notifications/push-subscriptions",
            json!({"subscription": push.subscribe(&device), "label": "Phone"}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{b}");

    let path = format!("notify-{}", uuid::Uuid::new_v4().simple());
    let created: Value = app
        .post_json(
            "/api/v1/workflows",
            failing_webhook_workflow(&path),
            Some(&owner),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/workflows/{id}/activate"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let before = seen.lock().unwrap().len();
    let res = app
        .client
        .post(app.url(&format!("/webhook/{path}")))
        .json(&json!({"order": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{b}: answered when received; the run fails after"
    );

    let mut delivered = None;
    for _ in 0..250 {
        if let Some(got) = seen.lock().unwrap().get(before).cloned() {
            delivered = Some(got);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (headers, body) = delivered.unwrap_or_else(|| panic!("{b}: no notification within 5 s"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let signature = headers
        .get(webhook::SIGNATURE_HEADER)
        .unwrap()
        .to_str()
        .unwrap();
    webhook::verify(secret.as_bytes(), signature, body.as_bytes(), now, 300).expect("signed");
    let payload: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(payload["type"], "execution.failed", "{b}");
    assert_eq!(payload["subject"], "Workflow “Checkout sync” failed", "{b}");
    assert!(
        payload["text"]
            .as_str()
            .unwrap()
            .contains("the shop said no"),
        "{b}: {payload}"
    );
    assert!(
        payload["link"]
            .as_str()
            .unwrap()
            .starts_with("https://agente.example/executions/")
    );

    let mut pushed = None;
    for _ in 0..250 {
        pushed = push.received().into_iter().find(|(d, _)| d == &device);
        if pushed.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, message) = pushed.unwrap_or_else(|| panic!("{b}: no push within 5 s"));
    assert_eq!(message["title"], "Workflow “Checkout sync” failed", "{b}");

    let mut log = Value::Null;
    for _ in 0..100 {
        log = app
            .get_json("/api/v1/notifications/deliveries", Some(&owner))
            .await;
        if log["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["status"] == "sent")
            .count()
            == 2
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(log["data"].as_array().unwrap().len(), 2, "{b}: {log}");
    assert!(
        log["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["status"] == "sent"),
        "{b}: {log}"
    );
}

backend_tests!(settings_and_templates_over_http_with_clear_problems);
async fn settings_and_templates_over_http_with_clear_problems(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let b = app.backend;
    let (owner, _, _) = app.signup("settings").await;
    let res = app
        .post(
            "/api/v1/notifications/rules",
            json!({
                "name": "x", "events": ["execution.failed"], "channel": "webhook",
                "target": {"url": "http://127.0.0.1:9/hook"},
            }),
            Some(&owner),
        )
        .await;
    let problem = assert_problem(res, StatusCode::BAD_REQUEST, "bad_input", b).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("private network"),
        "{problem}"
    );
    let res = app
        .post(
            "/api/v1/notifications/rules",
            json!({"name": "x", "events": "nope"}),
            Some(&owner),
        )
        .await;
    assert!(res.status().is_client_error(), "{b}");

    let res = app
        .client
        .put(app.url("/api/v1/notifications/smtp"))
        .bearer_auth(&owner)
        .json(
            &json!({"host": "smtp.example.com", "port": 587, "security": "startTls",
            "username": "u", "password": "s3cret-pass", "from": "Acme <alerts@acme.test>"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let shown = res.text().await.unwrap();
    assert!(
        !shown.contains("s3cret-pass") && shown.contains("\"hasPassword\":true"),
        "{shown}"
    );
    let got = app
        .get("/api/v1/notifications/smtp", Some(&owner))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !got.contains("s3cret-pass") && got.contains("smtp.example.com"),
        "{got}"
    );

    let res = app
        .post(
            "/api/v1/notifications/templates/execution.failed/preview",
            json!({"subject": "{{ workflow.name }} broke", "body": "{{ error }}"}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let preview: Value = res.json().await.unwrap();
    assert_eq!(preview["subject"], "Sync orders broke");
    let res = app
        .client
        .put(app.url("/api/v1/notifications/templates/execution.failed"))
        .bearer_auth(&owner)
        .json(&json!({"subject": "{% if %}", "body": ""}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST, "bad_input", b).await;
    let templates: Value = app
        .get_json("/api/v1/notifications/templates", Some(&owner))
        .await;
    assert_eq!(templates["data"].as_array().unwrap().len(), 5, "{b}");

    let res = app
        .get("/api/v1/notifications/deliveries?status=lost", Some(&owner))
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST, "bad_input", b).await;
    let res = app.get("/api/v1/notifications/rules", None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{b}");
}
