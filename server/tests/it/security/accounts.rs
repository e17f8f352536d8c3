//! Accounts (items 6 and 7): operator rights, sessions of removed or demoted members, the
//! refresh coalescing window, log-in throttling and the client address behind proxies.

use crate::helpers::{Backend, TestApp, assert_problem, email, spawn_app, spawn_app_with};
use agente_store::backend_tests;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Invites a member with `role` and answers (their access token, refresh token, user id).
async fn member(app: &TestApp, owner: &str, role: &str) -> (String, String, String) {
    let address = email(role);
    let inv: Value = app
        .post_json(
            "/api/v1/invitations",
            json!({"email": address, "role": role}),
            Some(owner),
        )
        .await;
    let session: Value = app
        .post_json(
            "/api/v1/invitations/accept",
            json!({"token": inv["token"], "password": "member password"}),
            None,
        )
        .await;
    let members: Value = app.get_json("/api/v1/members", Some(owner)).await;
    let id = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == address.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    (
        session["access_token"].as_str().unwrap().into(),
        session["refresh_token"].as_str().unwrap().into(),
        id,
    )
}

backend_tests!(a_removed_member_is_out_at_once_and_a_demoted_one_loses_the_role_at_once);
async fn a_removed_member_is_out_at_once_and_a_demoted_one_loses_the_role_at_once(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (owner, _, _) = app.signup("team").await;
    let (admin, admin_refresh, admin_id) = member(&app, &owner, "admin").await;
    let key: Value = app
        .post_json(
            "/api/v1/api-keys",
            json!({"name": "admin's", "role": "editor"}),
            Some(&admin),
        )
        .await;
    let key = key["key"].as_str().unwrap().to_string();
    assert_eq!(
        app.get("/api/v1/me", Some(&key)).await.status(),
        StatusCode::OK
    );

    // Demoted: the admin's token (15 minutes left) stops working now.
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/members/{admin_id}")))
        .bearer_auth(&owner)
        .json(&json!({"role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{b}: {}", res.status());
    assert_problem(
        app.get("/api/v1/api-keys", Some(&admin)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        b,
    )
    .await;
    let renewed: Value = app
        .post_json(
            "/api/v1/auth/refresh",
            json!({"refresh_token": admin_refresh}),
            None,
        )
        .await;
    let viewer = renewed["access_token"].as_str().unwrap().to_string();
    let viewer_refresh = renewed["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(
        app.get("/api/v1/me", Some(&viewer)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/api-keys", Some(&viewer)).await.status(),
        StatusCode::FORBIDDEN,
        "{b}: the new token carries the new role"
    );

    // Removed: every way in ends now.
    assert!(
        app.delete(&format!("/api/v1/members/{admin_id}"), &owner)
            .await
            .status()
            .is_success()
    );
    for (what, token) in [("access token", &viewer), ("API key", &key)] {
        assert_eq!(
            app.get("/api/v1/me", Some(token)).await.status(),
            StatusCode::UNAUTHORIZED,
            "{b}: the removed member's {what} still works"
        );
    }
    let res = app
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": viewer_refresh}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{b}: refresh");
}

backend_tests!(a_public_sign_up_never_becomes_an_operator_once_the_installation_is_not_new);
async fn a_public_sign_up_never_becomes_an_operator_once_the_installation_is_not_new(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (first, _, first_email) = app.signup("first").await;
    let me: Value = app.get_json("/api/v1/me", Some(&first)).await;
    assert_eq!(
        me["operator"], true,
        "{b}: the first account runs the platform"
    );
    // Its rights are taken away (as the CLI does, as the database's owner)…
    let owner = agente_store::Db::connect_owner(&app.db.url).await.unwrap();
    agente_auth::set_operator(&owner, &first_email, false, 0)
        .await
        .unwrap();
    // … and the next sign-up, into an installation without operators, is no operator.
    let (later, _, _) = app.signup("later").await;
    let me: Value = app.get_json("/api/v1/me", Some(&later)).await;
    assert_eq!(
        me["operator"], false,
        "{b}: a public sign-up took over the platform"
    );
    let res = app
        .get("/api/v1/billing/plans?all=true", Some(&later))
        .await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden", b).await;
    // Granting works only through the owner's connection.
    agente_auth::set_operator(&owner, &first_email, true, 0)
        .await
        .unwrap();
    let me: Value = app.get_json("/api/v1/me", Some(&first)).await;
    assert_eq!(me["operator"], true, "{b}");
}

/// 110 failed log-ins over 11 accounts, each account's from its own forwarded address, then
/// one more on a fresh account from a fresh forwarded address: its status.
async fn after_a_spread_out_guessing_run(app: &TestApp) -> StatusCode {
    let attempt = |who: String, forwarded: String| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"email": who, "password": "wrong password"}))
            .send()
    };
    for account in 0..11 {
        let (_, _, who) = app.signup(&format!("guessed{account}")).await;
        for _ in 0..10 {
            attempt(who.clone(), format!("203.0.113.{account}"))
                .await
                .unwrap();
        }
    }
    let (_, _, fresh) = app.signup("fresh").await;
    attempt(fresh, "198.51.100.99".into())
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn log_in_limits_count_failures_and_read_forwarded_addresses_only_behind_a_proxy() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, _, address) = app.signup("steady").await;
    // Correct log-ins never count: more than the failure limit in a row all pass.
    for _ in 0..15 {
        let res = app
            .post(
                "/api/v1/auth/login",
                json!({"email": address, "password": "a long password"}),
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }

    // Without a trusted proxy X-Forwarded-For is only the client's claim: all 110 failures
    // count against the socket's address, which is now refused even for a fresh account.
    let app = spawn_app(Backend::Sqlite).await;
    assert_eq!(
        after_a_spread_out_guessing_run(&app).await,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged X-Forwarded-For dodged the per-address limit"
    );
    // Behind a trusted proxy the forwarded address is the client's: clients behind one
    // proxy are counted apart, and a fresh one is not refused for the others' failures.
    let app = spawn_app_with(Backend::Sqlite, |c| {
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap(), "::1/128".parse().unwrap()];
    })
    .await;
    assert_eq!(
        after_a_spread_out_guessing_run(&app).await,
        StatusCode::UNAUTHORIZED,
        "clients behind a trusted proxy were counted as one"
    );
}

#[tokio::test]
async fn a_refresh_token_replayed_by_another_client_in_the_coalescing_window_gets_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, refresh, _) = app.signup("coalesced").await;
    let me = |agent: &'static str| {
        app.client
            .get(app.url("/api/v1/me"))
            .header("cookie", format!("agente_refresh={refresh}"))
            .header("user-agent", agent)
            .send()
    };
    assert_eq!(
        me("the owner's browser").await.unwrap().status(),
        StatusCode::OK
    );
    // Within seconds, the same cookie from another client: not handed the new session.
    let thief = me("curl/8").await.unwrap();
    assert_eq!(thief.status(), StatusCode::UNAUTHORIZED);
    // … and the replay revoked the family: the owner signs in again.
    let res = app
        .post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": refresh}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
