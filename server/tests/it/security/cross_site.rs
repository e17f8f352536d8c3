//! Cross-site requests (item 8): a page on another site (or a sibling host, or a sandboxed
//! webhook page) cannot make a signed-in browser change anything, sign up or log in.

use crate::helpers::{Backend, assert_problem, email, spawn_app};
use agente_store::backend_tests;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn writes_from_another_site_are_refused_everywhere() {
    let app = spawn_app(Backend::Sqlite).await;
    let (token, _, address) = app.signup("csrf").await;
    let same_origin = app.base.clone();
    let writes: Vec<(&str, &str, String, &str)> = vec![
        (
            "POST",
            "/api/v1/api-keys",
            json!({"name": "x", "role": "owner"}).to_string(),
            "application/json",
        ),
        (
            "POST",
            "/api/v1/auth/signup",
            json!({"email": email("csrf"), "password": "a long password", "tenant_name": "X"})
                .to_string(),
            "application/json",
        ),
        (
            "POST",
            "/api/v1/auth/login",
            json!({"email": address, "password": "a long password"}).to_string(),
            "application/json",
        ),
        (
            "POST",
            "/sfn/login",
            format!("email={address}&password=a+long+password"),
            "application/x-www-form-urlencoded",
        ),
        (
            "POST",
            "/sfn/signup",
            "email=x%40example.test&password=a+long+password&tenant_name=X".into(),
            "application/x-www-form-urlencoded",
        ),
        (
            "DELETE",
            "/api/v1/workflows/anything",
            String::new(),
            "application/json",
        ),
    ];
    let hostile: [(&str, &str); 5] = [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://127.0.0.1.evil.example"),
    ];
    for (method, path, body, content_type) in &writes {
        for (name, value) in hostile {
            let res = app
                .client
                .request(method.parse().unwrap(), app.url(path))
                .bearer_auth(&token)
                .header("content-type", *content_type)
                .header(name, value)
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert_problem(
                res,
                StatusCode::FORBIDDEN,
                "cross_site_request",
                &format!("{method} {path} with {name}: {value}"),
            )
            .await;
        }
    }
    // The same requests from the app's own pages go through.
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("origin", &same_origin)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"email": address, "password": "a long password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Reading is not writing: a cross-site GET is answered (and changes nothing).
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

backend_tests!(server_function_bodies_are_limited);
async fn server_function_bodies_are_limited(backend: Backend) {
    let app = spawn_app(backend).await;
    let huge = format!(
        "email=x%40example.test&password={}",
        "a".repeat(5 * 1024 * 1024)
    );
    let res = app
        .client
        .post(app.url("/sfn/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        app.backend
    );
}
