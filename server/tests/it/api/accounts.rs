use crate::helpers::{Backend, assert_problem, email, spawn_app};
use agente_auth::mfa;
use agente_store::backend_tests;
use reqwest::StatusCode;
use serde_json::{Value, json};

backend_tests!(signup_login_me_refresh_logout);
async fn signup_login_me_refresh_logout(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let email = email("owner");
    let res = app
        .post(
            "/api/v1/auth/signup",
            json!({"email": email, "password": "a long password", "tenant_name": "Acme"}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{b}");
    let cookies: Vec<_> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(cookies.iter().any(|c| c.starts_with("agente_access=")
        && c.contains("HttpOnly")
        && c.contains("SameSite=Lax")));
    assert!(cookies.iter().any(|c| c.starts_with("agente_refresh=")));

    let res = app
        .post(
            "/api/v1/auth/login",
            json!({"email": email, "password": "a long password"}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let tokens: Value = res.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();

    let me: Value = app.get_json("/api/v1/me", Some(access)).await;
    assert_eq!(
        (
            me["email"].as_str(),
            me["tenant_name"].as_str(),
            me["role"].as_str()
        ),
        (Some(email.as_str()), Some("Acme"), Some("owner")),
        "{b}"
    );

    let res = app
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": refresh}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let next: Value = res.json().await.unwrap();
    let res = app
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": refresh}),
            None,
        )
        .await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "token_reused", b).await;
    let res = app
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": next["refresh_token"]}),
            None,
        )
        .await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_token", b).await;

    let res = app.post("/api/v1/auth/logout", json!({}), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT, "{b}");
    let res = app
        .post(
            "/api/v1/auth/login",
            json!({"email": email, "password": "wrong password!"}),
            None,
        )
        .await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials", b).await;
}

backend_tests!(members_invitations_and_roles_over_http);
async fn members_invitations_and_roles_over_http(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (owner, _, _) = app.signup("team").await;
    let invitee = email("editor");
    let res = app
        .post(
            "/api/v1/invitations",
            json!({"email": invitee, "role": "editor"}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{b}");
    let inv: Value = res.json().await.unwrap();
    let res = app
        .post(
            "/api/v1/invitations/accept",
            json!({"token": inv["token"], "password": "editor password"}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{b}");
    let editor: Value = res.json().await.unwrap();
    let editor = editor["access_token"].as_str().unwrap();

    let members: Value = app.get_json("/api/v1/members", Some(&owner)).await;
    assert_eq!(members.as_array().unwrap().len(), 2, "{b}");
    let editor_id = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == invitee.as_str())
        .unwrap()["id"]
        .clone();

    // The editor may read members but not manage them or API keys.
    assert_eq!(
        app.get("/api/v1/members", Some(editor)).await.status(),
        StatusCode::OK
    );
    let res = app
        .post(
            "/api/v1/invitations",
            json!({"email": email("x"), "role": "viewer"}),
            Some(editor),
        )
        .await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden", b).await;
    assert_problem(
        app.get("/api/v1/api-keys", Some(editor)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        b,
    )
    .await;

    let res = app
        .client
        .patch(app.url(&format!("/api/v1/members/{}", editor_id.as_str().unwrap())))
        .bearer_auth(&owner)
        .json(&json!({"role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT, "{b}");
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/members/{}", editor_id.as_str().unwrap())))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT, "{b}");
    let members: Value = app.get_json("/api/v1/members", Some(&owner)).await;
    assert_eq!(members.as_array().unwrap().len(), 1, "{b}");
}

backend_tests!(api_keys_work_as_bearer_and_n8n_header_until_revoked);
async fn api_keys_work_as_bearer_and_n8n_header_until_revoked(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (owner, _, _) = app.signup("keys").await;
    let res = app
        .post(
            "/api/v1/api-keys",
            json!({"name": "ci", "role": "viewer"}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{b}");
    let created: Value = res.json().await.unwrap();
    let key = created["key"].as_str().unwrap();

    let me: Value = app.get_json("/api/v1/me", Some(key)).await;
    assert_eq!(me["role"], "viewer", "{b}");
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .header("X-N8N-API-KEY", key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{b}");

    let listed = app
        .get("/api/v1/api-keys", Some(&owner))
        .await
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(key), "{b}: a listing leaked the key");

    let id = created["id"].as_str().unwrap();
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/api-keys/{id}")))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.get("/api/v1/me", Some(key)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        b,
    )
    .await;
}

backend_tests!(mfa_login_needs_the_code_and_rate_limit_answers_429);
async fn mfa_login_needs_the_code_and_rate_limit_answers_429(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (owner, _, email) = app.signup("mfa").await;
    let enrol: Value = app
        .post_json("/api/v1/me/mfa/enrol", json!({}), Some(&owner))
        .await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let secret = enrol["secret"].as_str().unwrap();
    // The previous step's code is still accepted (clock drift); each code only once.
    let earlier = mfa::code_at(secret, now - 30).unwrap();
    let code = mfa::code_at(secret, now).unwrap();
    let res = app
        .post(
            "/api/v1/me/mfa/confirm",
            json!({"code": earlier}),
            Some(&owner),
        )
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", b).await;
    let res = app
        .post(
            "/api/v1/me/mfa/confirm",
            json!({"code": earlier, "password": "a long password"}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT, "{b}");
    let res = app
        .post(
            "/api/v1/auth/login",
            json!({"email": email, "password": "a long password", "totp": earlier}),
            None,
        )
        .await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_mfa_code", b).await;

    let res = app
        .post(
            "/api/v1/auth/login",
            json!({"email": email, "password": "a long password"}),
            None,
        )
        .await;
    assert_problem(res, StatusCode::UNAUTHORIZED, "mfa_required", b).await;
    let res = app
        .post(
            "/api/v1/auth/login",
            json!({"email": email, "password": "a long password", "totp": code}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");

    for _ in 0..10 {
        app.post(
            "/api/v1/auth/login",
            json!({"email": email, "password": "not the password"}),
            None,
        )
        .await;
    }
    let res = app
        .post(
            "/api/v1/auth/login",
            json!({"email": email, "password": "a long password", "totp": code}),
            None,
        )
        .await;
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
    assert!(retry.is_some_and(|s| s > 0), "{b}: Retry-After missing");
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited", b).await;
}
