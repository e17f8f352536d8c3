//! Billing over HTTP: the first account is the operator and edits a plan; a tenant past its
//! plan's hard limit gets 402 problems (webhook runs, activations, invitations) until the
//! owner upgrades; other tenants cannot edit plans.

use crate::helpers::{Backend, assert_problem, email, spawn_app};
use agente_store::backend_tests;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn webhook_workflow(path: &str, respond_at_once: bool) -> Value {
    let mut parameters = json!({"path": path, "httpMethod": "POST"});
    if !respond_at_once {
        parameters["responseMode"] = "lastNode".into();
    }
    json!({
        "name": format!("Orders {path}"),
        "nodes": [
            {"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "parameters": parameters},
            {"name": "Set", "type": "n8n-nodes-base.set", "typeVersion": 3.4,
             "parameters": {"assignments": {"assignments": [{"name": "ok", "value": true, "type": "boolean"}]}}}
        ],
        "connections": {"Hook": {"main": [[{"node": "Set", "type": "main", "index": 0}]]}}
    })
}

backend_tests!(a_tenant_past_its_hard_limits_gets_402_until_it_upgrades);
async fn a_tenant_past_its_hard_limits_gets_402_until_it_upgrades(backend: Backend) {
    let app = spawn_app(backend).await;
    let b = app.backend;
    let (operator, _, _) = app.signup("platform").await;
    let me: Value = app.get_json("/api/v1/me", Some(&operator)).await;
    assert_eq!(
        me["operator"], true,
        "{b}: the first account runs the platform"
    );

    let plans: Value = app.get_json("/api/v1/billing/plans", Some(&operator)).await;
    let ids: Vec<_> = plans["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["free", "pro", "business", "enterprise"], "{b}");
    let mut free = plans["data"][0].clone();
    free["includedExecutions"] = 2.into();
    free["maxActiveWorkflows"] = 2.into();
    free["maxMembers"] = 1.into();
    let res = app
        .put("/api/v1/billing/plans/free", free.clone(), &operator)
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");

    let (owner, _, _) = app.signup("shop").await;
    let me: Value = app.get_json("/api/v1/me", Some(&owner)).await;
    assert_eq!(me["operator"], false, "{b}");
    let res = app
        .put("/api/v1/billing/plans/free", free.clone(), &owner)
        .await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden", b).await;
    let res = app
        .get("/api/v1/billing/plans?all=true", Some(&owner))
        .await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden", b).await;
    free["monthlyPrice"] = 100.into();
    let res = app.put("/api/v1/billing/plans/free", free, &operator).await;
    assert_problem(res, StatusCode::BAD_REQUEST, "bad_input", b).await;

    // Two workflows: one answers when done, one at once (queued for a worker).
    let mut paths = Vec::new();
    let mut ids = Vec::new();
    for respond_at_once in [false, true] {
        let path = format!("billing-{}", uuid::Uuid::new_v4().simple());
        let created: Value = app
            .post_json(
                "/api/v1/workflows",
                webhook_workflow(&path, respond_at_once),
                Some(&owner),
            )
            .await;
        let id = created["id"].as_str().unwrap().to_string();
        let res = app
            .post(
                &format!("/api/v1/workflows/{id}/activate"),
                json!({}),
                Some(&owner),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{b}");
        paths.push(path);
        ids.push(id);
    }
    let third: Value = app
        .post_json(
            "/api/v1/workflows",
            webhook_workflow("billing-third", false),
            Some(&owner),
        )
        .await;
    let res = app
        .post(
            &format!(
                "/api/v1/workflows/{}/activate",
                third["id"].as_str().unwrap()
            ),
            json!({}),
            Some(&owner),
        )
        .await;
    let body = assert_problem(res, StatusCode::PAYMENT_REQUIRED, "plan_limit", b).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("at most 2 active workflows"),
        "{b}: {body}"
    );

    let call = |path: &str| {
        app.client
            .post(app.url(&format!("/webhook/{path}")))
            .json(&json!({"n": 1}))
            .send()
    };
    assert_eq!(
        call(&paths[0]).await.unwrap().status(),
        StatusCode::OK,
        "{b}"
    );
    assert_eq!(
        call(&paths[1]).await.unwrap().status(),
        StatusCode::OK,
        "{b}"
    );
    // Queued runs tell the queue the tenant's cap on concurrent runs: Free's.
    let tenant: agente_core::TenantId = crate::helpers::tenant_of(&owner).parse().unwrap();
    assert_eq!(
        app.jobs.tenant_concurrency(tenant).await.unwrap(),
        Some(2),
        "{b}"
    );
    // The third production run of the period, on either path, is refused before it runs.
    for path in &paths {
        let res = call(path).await.unwrap();
        let body = assert_problem(res, StatusCode::PAYMENT_REQUIRED, "quota_exceeded", b).await;
        assert!(
            body["detail"].as_str().unwrap().contains("2 executions"),
            "{b}: {body}"
        );
    }
    // Manual runs are tests, not production: not counted, not refused.
    let res = app
        .post(
            &format!("/api/v1/workflows/{}/run", ids[0]),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");

    let overview: Value = app.get_json("/api/v1/billing", Some(&owner)).await;
    assert_eq!(overview["plan"]["id"], "free", "{b}");
    assert_eq!(overview["meters"][0]["used"], 2, "{b}: {overview}");
    assert_eq!(overview["limits"][0]["current"], 2, "{b}: {overview}");
    // Two of two executions used this early: Free will refuse work; Pro would not.
    let advice = &overview["recommendation"];
    assert_eq!(advice["direction"], "upgrade", "{b}: {overview}");
    assert_eq!(advice["planId"], "pro", "{b}: {overview}");
    assert!(
        advice["reason"].as_str().unwrap().contains("refuse"),
        "{b}: {advice}"
    );

    let res = app
        .post(
            "/api/v1/invitations",
            json!({"email": email("teammate"), "role": "editor"}),
            Some(&owner),
        )
        .await;
    assert_problem(res, StatusCode::PAYMENT_REQUIRED, "plan_limit", b).await;

    let res = app
        .post(
            "/api/v1/billing/subscription",
            json!({"plan": "nope"}),
            Some(&owner),
        )
        .await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", b).await;
    let res = app
        .post(
            "/api/v1/billing/subscription",
            json!({"plan": "pro"}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let overview: Value = res.json().await.unwrap();
    assert_eq!(overview["plan"]["id"], "pro", "{b}");
    assert_eq!(
        call(&paths[0]).await.unwrap().status(),
        StatusCode::OK,
        "{b}: upgraded"
    );
    let res = app
        .post(
            "/api/v1/invitations",
            json!({"email": email("teammate"), "role": "editor"}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{b}");

    // The operator's revenue report counts the new subscription; tenants cannot read it.
    let report: Value = app
        .get_json("/api/v1/billing/revenue", Some(&operator))
        .await;
    assert_eq!(
        (
            report["mrr"].as_i64(),
            report["subscriptions"]["pro"].as_i64()
        ),
        (Some(2_400), Some(1)),
        "{b}: {report}"
    );
    let res = app.get("/api/v1/billing/revenue", Some(&owner)).await;
    assert_problem(res, StatusCode::FORBIDDEN, "forbidden", b).await;
}

backend_tests!(stripe_checkout_and_webhook_over_http);
/// Stripe's webhook over HTTP: public (Stripe has no token), refused with a problem when the
/// signature is wrong, acted on once when right; Checkout answers a URL to go to.
async fn stripe_checkout_and_webhook_over_http(backend: Backend) {
    use agente_billing::testing::FakeStripe;
    let fake = FakeStripe::start().await;
    let app = crate::helpers::spawn_app_with(backend, |c| {
        c.public_url = Some("https://agente.example".into());
        c.stripe = Some(agente_billing::StripeConfig {
            secret_key: "sk_test_http".into(),
            webhook_secret: Some("whsec_http".into()),
            api_base: Some(fake.url.clone()),
        });
    })
    .await;
    let b = app.backend;
    let (operator, _, _) = app.signup("stripe-platform").await;
    let plans: Value = app.get_json("/api/v1/billing/plans", Some(&operator)).await;
    let mut pro = plans["data"][1].clone();
    pro["stripePrice"] = "price_pro".into();
    assert_eq!(
        app.put("/api/v1/billing/plans/pro", pro, &operator)
            .await
            .status(),
        StatusCode::OK,
        "{b}"
    );

    let (owner, _, _) = app.signup("stripe-shop").await;
    let res = app
        .post(
            "/api/v1/billing/subscription",
            json!({"plan": "pro"}),
            Some(&owner),
        )
        .await;
    assert_problem(res, StatusCode::CONFLICT, "conflict", b).await;
    let res = app
        .post(
            "/api/v1/billing/checkout",
            json!({"plan": "pro"}),
            Some(&owner),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b}");
    let url = res.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let session = url.rsplit('/').next().unwrap().to_string();

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let body = fake.complete_checkout(&session, now).to_string();
    let deliver = |signature: String| {
        app.client
            .post(app.url("/api/v1/billing/stripe/webhook"))
            .header("stripe-signature", signature)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
    };
    let wrong = agente_notify::webhook::signature(b"whsec_other", now, body.as_bytes());
    assert_problem(
        deliver(wrong).await.unwrap(),
        StatusCode::BAD_REQUEST,
        "bad_signature",
        b,
    )
    .await;
    let right = agente_notify::webhook::signature(b"whsec_http", now, body.as_bytes());
    let first: Value = deliver(right.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(first["status"], "processed", "{b}");
    let again: Value = deliver(right).await.unwrap().json().await.unwrap();
    assert_eq!(again["status"], "duplicate", "{b}");

    let overview: Value = app.get_json("/api/v1/billing", Some(&owner)).await;
    assert_eq!(
        (overview["plan"]["id"].as_str(), overview["status"].as_str()),
        (Some("pro"), Some("trialing")),
        "{b}"
    );
    let invoices: Value = app.get_json("/api/v1/billing/invoices", Some(&owner)).await;
    assert_eq!(invoices["data"].as_array().unwrap().len(), 1, "{b}");
    let portal: Value = app
        .post_json("/api/v1/billing/portal", json!({}), Some(&owner))
        .await;
    assert!(
        portal["url"]
            .as_str()
            .unwrap()
            .starts_with("https://billing.stripe.test/"),
        "{b}"
    );
}
