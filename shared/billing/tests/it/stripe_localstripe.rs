//! Billing against localstripe (a local server that speaks Stripe's API as of 2017-08-15),
//! started by scripts/test.sh (`AGENTE_TEST_LOCALSTRIPE_URL`): customers, a single-item
//! subscription made in Stripe reaching the tenant's account through localstripe's signed
//! webhooks (the subscription re-fetched each time), the invoice list, cancelling at the
//! period's end and the subscription's end; webhook deliveries correctly signed, wrongly
//! signed, stale and repeated. Checkout is one of the endpoints localstripe lacks: the call
//! fails with Stripe's message, after the customer was made.

use crate::common;

use agente_billing::{Billing, BillingError, BillingOptions, Stripe, StripeConfig, WebhookOutcome};
use agente_core::{SystemClock, TenantId};
use agente_store::Db;
use agente_store::backend_tests;
use agente_store::sqlx::query;
use agente_store::testing::Backend;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KEY: &str = "sk_test_12345";
const WEBHOOK_SECRET: &str = "whsec_agente_tests";

fn localstripe() -> String {
    std::env::var("AGENTE_TEST_LOCALSTRIPE_URL")
        .expect("AGENTE_TEST_LOCALSTRIPE_URL: scripts/test.sh starts localstripe and sets it")
}

/// A form POST to localstripe; answers its JSON.
async fn stripe_post(path: &str, form: &[(&str, &str)]) -> Value {
    let res = reqwest::Client::new()
        .post(format!("{}{path}", localstripe()))
        .basic_auth(KEY, Some(""))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    // `/_config/…` answers with an empty body.
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A receiver for localstripe's webhooks that hands each to billing, as the server's route
/// does; answers its URL and the outcomes.
async fn receiver(
    billing: Billing,
) -> (
    String,
    Arc<Mutex<Vec<(String, Result<WebhookOutcome, String>)>>>,
) {
    let seen: Arc<Mutex<Vec<_>>> = Arc::default();
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (billing, kept) = (billing.clone(), kept.clone());
            async move {
                let signature = headers
                    .get("stripe-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let kind = serde_json::from_slice::<Value>(&body)
                    .ok()
                    .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_string));
                let outcome = billing
                    .stripe_webhook(&signature, &body)
                    .await
                    .map_err(|e| e.to_string());
                let status = if outcome.is_ok() {
                    StatusCode::OK
                } else {
                    StatusCode::BAD_REQUEST
                };
                kept.lock()
                    .unwrap()
                    .push((kind.unwrap_or_default(), outcome));
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

async fn account_column(db: &Db, tenant: TenantId, column: &str) -> Option<String> {
    let mut tx = db.tenant_read(tenant).await.unwrap();
    let row = query(&format!(
        "SELECT CAST({column} AS TEXT) AS v FROM billing_accounts WHERE tenant_id = $1"
    ))
    .bind(tenant.to_string())
    .fetch_optional(&mut *tx)
    .await
    .unwrap();
    row.and_then(|r| agente_store::Row::try_get::<Option<String>, _>(&r, "v").unwrap())
}

/// Waits (up to 10 s) until `check` holds.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

backend_tests!(a_subscription_made_in_stripe_drives_the_account_through_signed_webhooks);
async fn a_subscription_made_in_stripe_drives_the_account_through_signed_webhooks(
    backend: Backend,
) {
    let test = backend.db().await;
    let stripe = Stripe::new(StripeConfig {
        secret_key: KEY.into(),
        webhook_secret: Some(WEBHOOK_SECRET.into()),
        api_base: Some(localstripe()),
    })
    .unwrap();
    let billing = Billing::new(
        test.db.clone(),
        Arc::new(SystemClock),
        None,
        BillingOptions {
            cache_ttl: Duration::ZERO,
            stripe: Some(stripe),
            public_url: Some("https://agente.example".into()),
            ..BillingOptions::default()
        },
    );
    billing.ensure_built_in_plans().await.unwrap();
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let (hook, seen) = receiver(billing.clone()).await;
    stripe_post(
        &format!("/_config/webhooks/agente-{suffix}"),
        &[("url", &hook), ("secret", WEBHOOK_SECRET)],
    )
    .await;

    // The operator prices Pro with a plan made in Stripe.
    let product = stripe_post(
        "/v1/products",
        &[("name", "Agente Pro"), ("type", "service")],
    )
    .await;
    let price_id = format!("plan_pro_{suffix}");
    stripe_post(
        "/v1/plans",
        &[
            ("id", &price_id),
            ("product", product["id"].as_str().unwrap()),
            ("amount", "2400"),
            ("currency", "usd"),
            ("interval", "month"),
        ],
    )
    .await;
    let operator = common::operator(&test).await;
    common::price_plan(&billing, &operator, "pro", &price_id).await;

    // Checkout: the customer is made (once), then localstripe has no Checkout.
    let shop = common::owner(&test.db).await;
    let t = shop.tenant_id;
    match billing.checkout(&shop, "pro", "owner@shop.example").await {
        Err(BillingError::Provider(message)) => {
            assert!(message.contains("Stripe"), "{backend}: {message}");
            assert!(!message.contains(KEY), "{backend}: the key leaked");
        }
        other => panic!("{backend}: {other:?}"),
    }
    let customer = account_column(&test.db, t, "customer_id")
        .await
        .expect("a customer");
    assert!(customer.starts_with("cus_"), "{backend}: {customer}");
    assert!(
        billing
            .checkout(&shop, "pro", "owner@shop.example")
            .await
            .is_err()
    );
    assert_eq!(
        account_column(&test.db, t, "customer_id").await.as_deref(),
        Some(customer.as_str()),
        "{backend}: one customer per tenant"
    );

    // The customer subscribes (in Stripe); its webhooks move the tenant to Pro.
    stripe_post(
        "/v1/payment_methods/pm_card_visa/attach",
        &[("customer", &customer)],
    )
    .await;
    stripe_post(
        &format!("/v1/customers/{customer}"),
        &[("invoice_settings[default_payment_method]", "pm_card_visa")],
    )
    .await;
    let subscription = stripe_post(
        "/v1/subscriptions",
        &[("customer", &customer), ("items[0][plan]", &price_id)],
    )
    .await;
    let subscription = subscription["id"].as_str().unwrap().to_string();
    eventually("the webhook moved the tenant to Pro", || async {
        billing.overview(&shop).await.unwrap().plan.id == "pro"
    })
    .await;
    let o = billing.overview(&shop).await.unwrap();
    assert_eq!(o.provider.as_str(), "stripe", "{backend}");
    assert!(
        o.period.end > o.period.start,
        "{backend}: the subscription's period"
    );
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .all(|(_, outcome)| outcome.is_ok()),
        "{backend}: {:?}",
        seen.lock().unwrap()
    );

    let invoices = billing.invoices(&shop).await.unwrap();
    assert!(!invoices.is_empty(), "{backend}");
    assert_eq!(
        (invoices[0].total, invoices[0].currency.as_str()),
        (2400, "usd"),
        "{backend}"
    );

    // Cancelling goes to Stripe, and the account follows Stripe's answer.
    billing.cancel_at_period_end(&shop).await.unwrap();
    assert!(
        billing.overview(&shop).await.unwrap().cancel_at_period_end,
        "{backend}"
    );
    billing.resume(&shop).await.unwrap();
    assert!(
        !billing.overview(&shop).await.unwrap().cancel_at_period_end,
        "{backend}"
    );

    // Deliveries: a replay is a duplicate; a wrong or stale signature is refused.
    let body = format!(
        r#"{{"id":"evt_replay_{suffix}","type":"customer.subscription.updated","data":{{"object":{{"id":"{subscription}","object":"subscription"}}}}}}"#
    );
    let now = chrono::Utc::now().timestamp();
    let sign = |secret: &str, at: i64| {
        agente_notify::webhook::signature(secret.as_bytes(), at, body.as_bytes())
    };
    let good = sign(WEBHOOK_SECRET, now);
    assert_eq!(
        billing
            .stripe_webhook(&good, body.as_bytes())
            .await
            .unwrap(),
        WebhookOutcome::Processed,
        "{backend}"
    );
    assert_eq!(
        billing
            .stripe_webhook(&good, body.as_bytes())
            .await
            .unwrap(),
        WebhookOutcome::Duplicate,
        "{backend}"
    );
    // A secret being rotated: one of several v1 values matches.
    let other = body.replace("evt_replay", "evt_rotated");
    let v1 = |secret: &str, payload: &str| {
        agente_notify::webhook::signature(secret.as_bytes(), now, payload.as_bytes())
            .split_once("v1=")
            .unwrap()
            .1
            .to_string()
    };
    let rotated = format!(
        "t={now},v1={},v1={}",
        v1("whsec_old", &other),
        v1(WEBHOOK_SECRET, &other)
    );
    assert_eq!(
        billing
            .stripe_webhook(&rotated, other.as_bytes())
            .await
            .unwrap(),
        WebhookOutcome::Processed,
        "{backend}"
    );
    for (signature, why) in [
        (sign("whsec_wrong", now), "wrong secret"),
        (sign(WEBHOOK_SECRET, now - 301), "stale"),
        ("t=1,v0=abc".to_string(), "no v1"),
        (String::new(), "missing"),
    ] {
        let fresh = body.replace("evt_replay", "evt_bad");
        assert!(
            matches!(
                billing.stripe_webhook(&signature, fresh.as_bytes()).await,
                Err(BillingError::BadSignature(_))
            ),
            "{backend}: {why}"
        );
    }

    // The subscription ends in Stripe: Free limits apply again.
    let res = reqwest::Client::new()
        .delete(format!("{}/v1/subscriptions/{subscription}", localstripe()))
        .basic_auth(KEY, Some(""))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{backend}");
    eventually("the tenant fell back to Free", || async {
        billing.overview(&shop).await.unwrap().plan.id == "free"
    })
    .await;
    assert_eq!(
        account_column(&test.db, t, "status").await.as_deref(),
        Some("canceled"),
        "{backend}"
    );
}
