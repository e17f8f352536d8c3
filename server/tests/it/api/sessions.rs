//! Browser sessions: cookie refresh in the authentication layer, cross-site protection, and
//! the headers that change when served over TLS.

use crate::helpers::{Backend, assert_problem, spawn_app, spawn_app_with};
use agente_store::backend_tests;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn set_cookie_value(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_string())
        })
}

backend_tests!(parallel_requests_with_only_a_refresh_cookie_share_one_rotation);
async fn parallel_requests_with_only_a_refresh_cookie_share_one_rotation(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (_, refresh, email) = app.signup("cookies").await;
    let cookie = format!("agente_refresh={refresh}");
    let calls = (0..6).map(|_| {
        app.client
            .get(app.url("/api/v1/me"))
            .header("cookie", &cookie)
            .send()
    });
    let responses = futures::future::join_all(calls).await;
    let mut rotated = Vec::new();
    for res in responses {
        let res = res.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{b}: a parallel request lost the session"
        );
        rotated.push(set_cookie_value(&res, "agente_refresh").expect("new refresh cookie"));
        let me: Value = res.json().await.unwrap();
        assert_eq!(me["email"], email.as_str());
    }
    rotated.dedup();
    assert_eq!(
        rotated.len(),
        1,
        "{b}: the refresh token was rotated more than once"
    );
    // The family survived: the new token still works.
    let res = app
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": rotated[0]}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
}

#[tokio::test]
async fn cross_site_writes_are_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let (access, _, _) = app.signup("csrf").await;
    let cookie = format!("agente_access={access}");
    let post = |origin: &'static str| {
        app.client
            .post(app.url("/api/v1/api-keys"))
            .header("cookie", &cookie)
            .header("origin", origin)
            .json(&json!({"name": "x", "role": "viewer"}))
            .send()
    };
    for origin in ["https://evil.example", "null"] {
        assert_problem(
            post(origin).await.unwrap(),
            StatusCode::FORBIDDEN,
            "cross_site_request",
            origin,
        )
        .await;
    }
    let same = app.base.clone();
    let res = app
        .client
        .post(app.url("/api/v1/api-keys"))
        .header("cookie", &cookie)
        .header("origin", same)
        .json(&json!({"name": "x", "role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn behind_tls_cookies_are_secure_and_hsts_is_sent() {
    let app = spawn_app_with(Backend::Sqlite, |c| {
        c.public_url = Some("https://agente.example".into())
    })
    .await;
    let res = app
        .post(
            "/api/v1/auth/signup",
            json!({"email": "tls@example.test", "password": "a long password", "tenant_name": "T"}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(res.headers().get("strict-transport-security").is_some());
    for cookie in res.headers().get_all("set-cookie") {
        assert!(cookie.to_str().unwrap().contains("; Secure"), "{cookie:?}");
    }
}
