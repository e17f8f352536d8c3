//! Bad input gets a 4xx problem, never a 500 or a panic.

use crate::helpers::{Backend, assert_problem, spawn_app};
use agente_store::backend_tests;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::json;

fn sign(secret: &[u8], header: &serde_json::Value, claims: &serde_json::Value) -> String {
    let signing_input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        B64.encode(mac.finalize().into_bytes())
    )
}

#[tokio::test]
async fn malformed_mistyped_and_oversized_bodies_are_4xx_problems() {
    let app = spawn_app(Backend::Sqlite).await;
    let url = app.url("/api/v1/auth/login");
    let send = |body: String, ctype: &'static str| {
        app.client
            .post(&url)
            .header("content-type", ctype)
            .body(body)
            .send()
    };

    let res = send("{\"email\": ".into(), "application/json")
        .await
        .unwrap();
    assert_problem(
        res,
        StatusCode::BAD_REQUEST,
        "malformed_json",
        "truncated json",
    )
    .await;
    let res = send(
        json!({"email": 42, "password": []}).to_string(),
        "application/json",
    )
    .await
    .unwrap();
    assert_problem(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
        "wrong types",
    )
    .await;
    let res = send(json!({"email": "a@b.io"}).to_string(), "application/json")
        .await
        .unwrap();
    assert_problem(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
        "missing field",
    )
    .await;
    let res = send("email=a".into(), "application/x-www-form-urlencoded")
        .await
        .unwrap();
    assert_problem(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "form body",
    )
    .await;
    let huge = json!({"email": "a@b.io", "password": "x".repeat(2 * 1024 * 1024)}).to_string();
    let res = send(huge, "application/json").await.unwrap();
    assert_problem(
        res,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        "2 MiB body",
    )
    .await;
    let res = send(
        json!({"email": "a@b.io", "password": "p".repeat(10_000)}).to_string(),
        "application/json",
    )
    .await
    .unwrap();
    assert_problem(
        res,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "overlong password",
    )
    .await;

    let res = app
        .post(
            "/api/v1/auth/signup",
            json!({"email": "not-an-email", "password": "a long password", "tenant_name": "x"}),
            None,
        )
        .await;
    assert_problem(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
        "bad email",
    )
    .await;
    let res = app
        .post(
            "/api/v1/auth/signup",
            json!({"email": "a@b.io", "password": "short", "tenant_name": "x"}),
            None,
        )
        .await;
    assert_problem(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
        "short password",
    )
    .await;
    let res = app
        .post("/api/v1/auth/signup", json!({"email": "a@b.io", "password": "a long password", "tenant_name": "x".repeat(101)}), None)
        .await;
    assert_problem(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
        "long tenant name",
    )
    .await;
}

backend_tests!(expired_forged_and_alg_none_tokens_are_refused);
async fn expired_forged_and_alg_none_tokens_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (access, _, _) = app.signup("tokens").await;
    let claims: serde_json::Value = {
        let payload = access.split('.').nth(1).unwrap();
        serde_json::from_slice(&B64.decode(payload).unwrap()).unwrap()
    };
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;

    let mut expired = claims.clone();
    expired["exp"] = json!(now - 10);
    let cases = [
        ("expired", sign(&app.jwt_secret, &hs256, &expired)),
        (
            "other key",
            sign(b"another secret that is long enough!!", &hs256, &claims),
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                B64.encode(json!({"alg": "none"}).to_string()),
                B64.encode(claims.to_string())
            ),
        ),
        ("tenant hop with the original signature", {
            let mut c = claims.clone();
            c["tid"] = json!(uuid::Uuid::new_v4().to_string());
            let parts: Vec<&str> = access.split('.').collect();
            format!("{}.{}.{}", parts[0], B64.encode(c.to_string()), parts[2])
        }),
        ("garbage", "not.a.jwt".into()),
        ("empty", String::new()),
    ];
    for (what, token) in cases {
        let res = app
            .client
            .get(app.url("/api/v1/me"))
            .header("authorization", format!("Bearer {token}"))
            .send()
            .await
            .unwrap();
        assert!(
            res.status() == StatusCode::UNAUTHORIZED,
            "{b}: {what} token gave {}",
            res.status()
        );
    }
    assert_problem(
        app.get("/api/v1/me", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        b,
    )
    .await;
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .header("x-n8n-api-key", "agk_nope")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_token", b).await;
}

#[tokio::test]
async fn unknown_routes_methods_and_paths_are_problems() {
    let app = spawn_app(Backend::Sqlite).await;
    let (owner, _, _) = app.signup("routes").await;
    assert_problem(
        app.get("/api/v1/nope", Some(&owner)).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "unknown",
    )
    .await;
    let res = app
        .client
        .put(app.url("/api/v1/me"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_problem(
        res,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "PUT /me",
    )
    .await;
    let res = app
        .client
        .delete(app.url("/api/v1/members/not-a-uuid"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_path", "bad id").await;
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/members/{}", uuid::Uuid::new_v4())))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", "unknown member").await;
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/members/{}", uuid::Uuid::new_v4())))
        .bearer_auth(&owner)
        .json(&json!({"role": "emperor"}))
        .send()
        .await
        .unwrap();
    assert_problem(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
        "unknown role",
    )
    .await;
}
