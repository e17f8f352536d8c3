//! A tenant's webhook answers: they must not act as the app (item 1), and callers cannot
//! make the server read or run without bound (item 3).

use crate::helpers::{Backend, TestApp, assert_problem, spawn_app, spawn_app_with};
use crate::security::fixtures::{webhook, webhook_answering};
use agente_store::backend_tests;
use reqwest::StatusCode;
use reqwest::header::HOST;
use serde_json::{Value, json};
use std::time::Duration;

async fn activate(app: &TestApp, token: &str, workflow: Value) -> String {
    let id = app.create_workflow(workflow, token).await;
    let res = app
        .post(
            &format!("/api/v1/workflows/{id}/activate"),
            json!({}),
            Some(token),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}: activate", app.backend);
    id
}

backend_tests!(a_webhook_answer_cannot_set_cookies_policies_or_run_script_as_the_app);
async fn a_webhook_answer_cannot_set_cookies_policies_or_run_script_as_the_app(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (token, refresh, _) = app.signup("attacker").await;
    let header = |name: &str, value: &str| json!({"name": name, "value": value});
    activate(
        &app,
        &token,
        webhook_answering(
            "evil",
            json!({
                "respondWith": "json",
                "responseBody": r#"{"page": "<script>fetch('/api/v1/api-keys',{method:'POST'})</script>"}"#,
                "options": {"responseHeaders": {"entries": [
                    header("Content-Type", "text/html"),
                    header("Set-Cookie", "agente_access=planted; Path=/"),
                    header("Content-Security-Policy", "script-src *"),
                    header("Service-Worker-Allowed", "/"),
                    header("Clear-Site-Data", "\"*\""),
                    header("Access-Control-Allow-Origin", "https://evil.test"),
                    header("Access-Control-Allow-Credentials", "true"),
                    header("Strict-Transport-Security", "max-age=0"),
                    header("X-Tenant-Header", "kept"),
                ]}}
            }),
        ),
    )
    .await;
    let res = app.get("/webhook/evil", None).await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let h = res.headers();
    assert_eq!(h["content-security-policy"], "sandbox", "{b}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{b}");
    assert_eq!(
        h["content-type"], "text/html",
        "{b}: the type is the workflow's"
    );
    assert_eq!(h["x-tenant-header"], "kept", "{b}");
    for refused in [
        "set-cookie",
        "service-worker-allowed",
        "clear-site-data",
        "access-control-allow-credentials",
        "strict-transport-security",
    ] {
        assert!(!h.contains_key(refused), "{b}: {refused} got through");
    }

    // A page written as HTML on purpose may run its script — in an opaque origin.
    activate(
        &app,
        &token,
        webhook_answering(
            "page",
            json!({
                "respondWith": "text",
                "responseBody": "<form method=post><button>Go</button></form>",
                "options": {"responseHeaders": {"entries": [header("content-type", "text/html; charset=utf-8")]}}
            }),
        ),
    )
    .await;
    let res = app.get("/webhook/page", None).await;
    assert_eq!(
        res.headers()["content-security-policy"],
        "sandbox allow-scripts allow-forms",
        "{b}"
    );

    // A browser asking for a service-worker script is refused.
    let res = app
        .client
        .get(app.url("/webhook/evil"))
        .header("service-worker", "script")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden", b).await;

    // The caller's session cookies are not read (nor rotated) on webhook paths.
    let res = app
        .client
        .get(app.url("/webhook/evil"))
        .header(
            "cookie",
            format!("agente_access=expired; agente_refresh={refresh}"),
        )
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("set-cookie").is_none(), "{b}");
    let still = app
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": refresh}),
            None,
        )
        .await;
    assert_eq!(
        still.status(),
        StatusCode::OK,
        "{b}: the session was touched"
    );
}

#[tokio::test]
async fn webhooks_on_their_own_origin_and_the_app_on_its_own() {
    let app = spawn_app_with(Backend::Sqlite, |c| {
        c.webhook_origin = Some(
            agente_server::webhook_origin::WebhookOrigin::parse("http://hooks.test", None).unwrap(),
        );
    })
    .await;
    let (token, _, _) = app.signup("origins").await;
    activate(&app, &token, webhook("GET", "split", "w-split", json!({}))).await;
    let hooks = |path: &str| {
        app.client
            .get(app.url(path))
            .header(HOST, "hooks.test")
            .send()
    };
    let res = hooks("/webhook/split").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let item: Value = res.json().await.unwrap();
    assert_eq!(item["webhookUrl"], "http://hooks.test/webhook/split");
    assert_eq!(hooks("/healthz").await.unwrap().status(), StatusCode::OK);
    for app_path in ["/api/v1/me", "/", "/workflows", "/sw.js"] {
        let res = hooks(app_path).await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::NOT_FOUND,
            "{app_path} on the webhook host"
        );
    }
    let res = app.get("/webhook/split", None).await;
    let body = assert_problem(res, StatusCode::NOT_FOUND, "not_found", "app host").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("served at http://hooks.test"),
        "{body}"
    );
}

#[tokio::test]
async fn a_call_nobody_listens_for_is_answered_before_its_body_is_read() {
    let app = spawn_app(Backend::Sqlite).await;
    // A body that never ends: a server that read it before routing would never answer.
    let endless = futures::stream::unfold(0u32, |n| async move {
        if n > 0 {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Some((Ok::<_, std::io::Error>(vec![b'x'; 1024]), n + 1))
    });
    let res = tokio::time::timeout(
        Duration::from_secs(20),
        app.client
            .post(app.url("/webhook/nobody-here"))
            .header("content-type", "application/octet-stream")
            .body(reqwest::Body::wrap_stream(endless))
            .send(),
    )
    .await
    .expect("the server waited for the body of a call nobody listens for")
    .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bodies_past_the_limit_are_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let (token, _, _) = app.signup("big").await;
    activate(&app, &token, webhook("POST", "big", "w-big", json!({}))).await;
    let res = app
        .client
        .post(app.url("/webhook/big"))
        .header("content-type", "text/plain")
        .body(vec![b'x'; 16 * 1024 * 1024 + 1])
        .send()
        .await
        .unwrap();
    assert_problem(
        res,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        "16 MiB + 1",
    )
    .await;
}

#[tokio::test]
async fn callers_are_limited_per_address_and_per_webhook() {
    let app = spawn_app_with(Backend::Sqlite, |c| {
        c.webhook_rates.per_ip = 60;
        c.webhook_rates.per_webhook = 0;
    })
    .await;
    // A burst of a tenth of a minute's worth, then 429 with Retry-After; unknown paths
    // count too (probing costs the prober).
    let statuses =
        futures::future::join_all((0..8).map(|_| app.client.get(app.url("/webhook/probe")).send()))
            .await;
    let limited: Vec<_> = statuses
        .into_iter()
        .map(|r| r.unwrap())
        .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(limited.len(), 2, "6 of 8 pass");
    assert!(limited[0].headers().contains_key("retry-after"));

    let app = spawn_app_with(Backend::Postgres, |c| {
        c.webhook_rates.per_ip = 0;
        c.webhook_rates.per_webhook = 60;
    })
    .await;
    let (token, _, _) = app.signup("flooded").await;
    activate(
        &app,
        &token,
        webhook("GET", "flooded", "w-flood", json!({})),
    )
    .await;
    activate(&app, &token, webhook("GET", "quiet", "w-quiet", json!({}))).await;
    let mut codes = Vec::new();
    for _ in 0..8 {
        codes.push(app.get("/webhook/flooded", None).await.status());
    }
    assert_eq!(
        codes.iter().filter(|s| **s == StatusCode::OK).count(),
        6,
        "{codes:?}"
    );
    assert_eq!(codes[7], StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        app.get("/webhook/quiet", None).await.status(),
        StatusCode::OK,
        "another webhook is not held back"
    );
}
