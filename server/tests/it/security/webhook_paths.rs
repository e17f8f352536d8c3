//! Webhook paths across tenants (item 5): a tenant cannot shadow another's parameter route,
//! claim a path another deactivated, or learn whose a path is.

use crate::helpers::{Backend, TestApp, assert_problem, spawn_app};
use crate::security::fixtures::webhook;
use agente_store::backend_tests;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn activate(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    app.post(
        &format!("/api/v1/workflows/{id}/activate"),
        json!({}),
        Some(token),
    )
    .await
}

backend_tests!(paths_stay_their_tenants_until_the_workflow_is_deleted);
async fn paths_stay_their_tenants_until_the_workflow_is_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (victim, _, _) = app.signup("victim").await;
    let (attacker, _, _) = app.signup("attacker").await;
    let hook_id = format!("orders-{}", uuid::Uuid::new_v4().simple());
    // The victim listens on <hookId>/order/:id.
    let victim_wf = app
        .create_workflow(webhook("GET", "order/:id", &hook_id, json!({})), &victim)
        .await;
    assert_eq!(
        activate(&app, &victim, &victim_wf).await.status(),
        StatusCode::OK,
        "{b}"
    );
    let res = app.get(&format!("/webhook/{hook_id}/order/42"), None).await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    assert_eq!(res.json::<Value>().await.unwrap()["params"]["id"], "42");
    // … and on a plain path.
    let plain = format!("plain-{}", uuid::Uuid::new_v4().simple());
    let plain_wf = app
        .create_workflow(webhook("POST", &plain, "p1", json!({})), &victim)
        .await;
    assert_eq!(
        activate(&app, &victim, &plain_wf).await.status(),
        StatusCode::OK,
        "{b}"
    );

    // An exact path under the victim's id would win over the pattern; a pattern under
    // it (the victim's webhook id as the attacker's own) would compete; the plain path,
    // even with another method, is the victim's. Every refusal reads the same.
    let mut refusals = Vec::new();
    for (method, path, webhook_id) in [
        ("GET", format!("{hook_id}/order/42"), "x1".to_string()),
        ("GET", "order/:other".to_string(), hook_id.clone()),
        ("GET", plain.clone(), "x2".to_string()),
    ] {
        let wf = app
            .create_workflow(webhook(method, &path, &webhook_id, json!({})), &attacker)
            .await;
        let body = assert_problem(
            activate(&app, &attacker, &wf).await,
            StatusCode::CONFLICT,
            "conflict",
            b,
        )
        .await;
        let detail = body["detail"].as_str().unwrap().to_string();
        assert!(detail.contains("is not available"), "{b}: {detail}");
        assert!(
            !detail.contains("victim") && !detail.contains(&victim_wf),
            "{b}: {detail}"
        );
        // The same words whatever the reason (the path itself between backticks aside).
        refusals.push(detail.split('`').step_by(2).collect::<String>());
    }
    refusals.dedup();
    assert_eq!(
        refusals.len(),
        1,
        "{b}: refusals tell reasons apart: {refusals:?}"
    );

    // Deactivated, the path is still the victim's.
    let res = app
        .post(
            &format!("/api/v1/workflows/{victim_wf}/deactivate"),
            json!({}),
            Some(&victim),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let squat = app
        .create_workflow(webhook("GET", "order/:id", &hook_id, json!({})), &attacker)
        .await;
    assert_eq!(
        activate(&app, &attacker, &squat).await.status(),
        StatusCode::CONFLICT,
        "{b}: a deactivated path was claimed"
    );
    let res = app
        .post(
            &format!("/api/v1/workflows/{squat}/listen"),
            json!({}),
            Some(&attacker),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "{b}: listening on it");

    // Deleted, it is free.
    assert_eq!(
        app.delete(&format!("/api/v1/workflows/{victim_wf}"), &victim)
            .await
            .status(),
        StatusCode::OK,
        "{b}"
    );
    assert_eq!(
        activate(&app, &attacker, &squat).await.status(),
        StatusCode::OK,
        "{b}"
    );
}
