//! The cross-tenant sweep: every `{id}` route of the OpenAPI document, every method it
//! has, called by each role of another tenant (and its API key) with tenant A's ids. None
//! may succeed, none may fail as a server error, none may show A's data, and A's resources
//! are all still there afterwards.

use crate::helpers::{Backend, TestApp, email, spawn_app_with};
use agente_store::backend_tests;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;

/// A's resources, one of each kind, by the path segment before `{id}`.
async fn tenant_a(app: &TestApp, marker: &str) -> (String, HashMap<&'static str, String>) {
    let (owner, _, _) = app.signup("victim").await;
    let mut ids = HashMap::new();
    let workflow = app
        .create_workflow(
            json!({"name": marker, "nodes": [
                {"name": "Go", "type": "n8n-nodes-base.manualTrigger", "position": [0, 0]},
                {"name": "Fail", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
                 "parameters": {"jsCode": format!("throw new Error('{marker}')")}}
            ], "connections": {"Go": {"main": [[{"node": "Fail", "type": "main", "index": 0}]]}}}),
            &owner,
        )
        .await;
    let run: Value = app
        .post_json(
            &format!("/api/v1/workflows/{workflow}/run"),
            json!({}),
            Some(&owner),
        )
        .await;
    ids.insert("workflows", workflow);
    ids.insert("executions", run["id"].as_str().unwrap().to_string());
    let created = |path: &'static str, body: Value| {
        let owner = owner.clone();
        async move {
            let v: Value = app.post_json(path, body, Some(&owner)).await;
            v["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{path}: {v}"))
                .to_string()
        }
    };
    ids.insert(
        "credentials",
        created("/api/v1/credentials", json!({"name": marker, "type": "httpHeaderAuth", "data": {"name": "X", "value": marker}})).await,
    );
    ids.insert(
        "rules",
        created("/api/v1/notifications/rules", json!({"name": marker, "events": ["execution.failed"], "channel": "email", "target": {"to": ["a@example.test"]}})).await,
    );
    ids.insert(
        "api-keys",
        created(
            "/api/v1/api-keys",
            json!({"name": marker, "role": "viewer"}),
        )
        .await,
    );
    ids.insert(
        "invitations",
        created(
            "/api/v1/invitations",
            json!({"email": email("invited"), "role": "viewer"}),
        )
        .await,
    );
    let push = agente_notify::testing::PushService::start().await;
    ids.insert(
        "push-subscriptions",
        created(
            "/api/v1/notifications/push-subscriptions",
            json!({"subscription": push.subscribe("a")}),
        )
        .await,
    );
    app.post(
        &format!("/api/v1/notifications/rules/{}/test", ids["rules"]),
        json!({}),
        Some(&owner),
    )
    .await;
    // The test message goes out through a job; its delivery row appears shortly.
    for _ in 0..100 {
        let deliveries: Value = app
            .get_json("/api/v1/notifications/deliveries", Some(&owner))
            .await;
        if let Some(d) = deliveries["data"].as_array().and_then(|d| d.first()) {
            ids.insert("deliveries", d["id"].as_str().unwrap().to_string());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ids.contains_key("deliveries"), "no delivery to sweep");
    let members: Value = app.get_json("/api/v1/members", Some(&owner)).await;
    ids.insert("members", members[0]["id"].as_str().unwrap().to_string());
    (owner, ids)
}

/// The attacker's tenant: its owner, admin, editor, viewer and an owner API key.
async fn tenant_b(app: &TestApp) -> Vec<(String, String)> {
    let (owner, _, _) = app.signup("attacker").await;
    let mut tokens = vec![("owner".to_string(), owner.clone())];
    for role in ["admin", "editor", "viewer"] {
        let inv: Value = app
            .post_json(
                "/api/v1/invitations",
                json!({"email": email(role), "role": role}),
                Some(&owner),
            )
            .await;
        let session: Value = app
            .post_json(
                "/api/v1/invitations/accept",
                json!({"token": inv["token"], "password": "member password"}),
                None,
            )
            .await;
        tokens.push((
            role.to_string(),
            session["access_token"].as_str().unwrap().to_string(),
        ));
    }
    let key: Value = app
        .post_json(
            "/api/v1/api-keys",
            json!({"name": "k", "role": "owner"}),
            Some(&owner),
        )
        .await;
    tokens.push(("api key".into(), key["key"].as_str().unwrap().to_string()));
    tokens
}

/// A's id for a route: the resource named by the segment before `{id}`.
fn id_for<'a>(path: &str, ids: &'a HashMap<&'static str, String>) -> Option<&'a str> {
    let before = path.split("/{").next()?.rsplit('/').next()?;
    match before {
        "plans" | "dead" | "templates" => None,
        other => ids.get(other).map(String::as_str),
    }
}

backend_tests!(no_role_of_another_tenant_reaches_a_tenants_ids_on_any_route);
async fn no_role_of_another_tenant_reaches_a_tenants_ids_on_any_route(backend: Backend) {
    // The push service stand-in listens on the loopback; the attacker's team has four
    // members (more than Free allows).
    let app = spawn_app_with(backend, |c| {
        c.http_allow_networks = vec!["127.0.0.1/32".parse().unwrap()];
        c.default_plan = "business".into();
    })
    .await;
    let b = app.backend;
    let marker = format!("victim-secret-{}", uuid::Uuid::new_v4().simple());
    let (victim, ids) = tenant_a(&app, &marker).await;
    let attackers = tenant_b(&app).await;
    let doc: Value = app.get_json("/api/v1/openapi.json", None).await;
    let mut tried = 0;
    for (path, operations) in doc["paths"].as_object().unwrap() {
        if !path.contains('{') {
            continue;
        }
        // Routes keyed by something other than a tenant's id (plans are the platform's,
        // templates are per event kind, dead jobs have their own sweep in jobs tests).
        let Some(id) = id_for(path, &ids) else {
            continue;
        };
        // A's workflow has version 1: its history is swept too.
        let url = path
            .replace("/api/v1", "")
            .replace("{id}", id)
            .replace("{version}", "1");
        for method in operations.as_object().unwrap().keys() {
            for (role, token) in &attackers {
                let res = app
                    .client
                    .request(
                        method.to_uppercase().parse().unwrap(),
                        app.url(&format!("/api/v1{url}")),
                    )
                    .bearer_auth(token)
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap();
                let status = res.status();
                let text = res.text().await.unwrap();
                assert!(
                    !status.is_success() && !status.is_server_error(),
                    "{b}: {role} {method} {path} answered {status}: {text}"
                );
                assert!(
                    !text.contains(&marker),
                    "{b}: {role} {method} {path} showed A's data"
                );
                tried += 1;
            }
        }
    }
    assert!(tried > 100, "{b}: only {tried} attempts");

    // Everything of A's is still there, as it was.
    for (what, path) in [
        (
            "workflow",
            format!("/api/v1/workflows/{}", ids["workflows"]),
        ),
        (
            "execution",
            format!("/api/v1/executions/{}", ids["executions"]),
        ),
    ] {
        assert_eq!(
            app.get(&path, Some(&victim)).await.status(),
            StatusCode::OK,
            "{b}: {what}"
        );
    }
    for (what, list, key) in [
        ("credential", "/api/v1/credentials", "credentials"),
        ("rule", "/api/v1/notifications/rules", "rules"),
        ("API key", "/api/v1/api-keys", "api-keys"),
        ("invitation", "/api/v1/invitations", "invitations"),
        (
            "push subscription",
            "/api/v1/notifications/push-subscriptions",
            "push-subscriptions",
        ),
        ("member", "/api/v1/members", "members"),
    ] {
        let listed = app.get(list, Some(&victim)).await.text().await.unwrap();
        assert!(
            listed.contains(&ids[key]),
            "{b}: A's {what} is gone: {listed}"
        );
    }
}
