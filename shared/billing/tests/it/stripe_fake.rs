//! Billing against a local stand-in for what localstripe lacks (`agente_billing::testing`):
//! Checkout for a new subscription (one customer, one session per minute however often
//! asked), the `checkout.session.completed` webhook starting the trial, an upgrade with
//! proration, a downgrade to Free as a cancellation at the period's end, the Customer
//! Portal and invoices with their links.

use crate::common;

use agente_billing::testing::FakeStripe;
use agente_billing::{
    Billing, BillingError, BillingOptions, ProviderKind, Status, Stripe, StripeConfig,
    WebhookOutcome,
};
use agente_core::{FixedClock, TenantId};
use agente_store::backend_tests;
use agente_store::sqlx::query;
use agente_store::testing::Backend;
use std::sync::Arc;
use std::time::Duration;

const NOW: i64 = 1_795_953_600_000;
const SECRET: &str = "whsec_fake";

/// Billing on `db` taking payments through a fresh stand-in, on a clock at `NOW`.
async fn with_fake_stripe(db: &agente_store::Db) -> (FakeStripe, FixedClock, Billing) {
    let fake = FakeStripe::start().await;
    let clock = FixedClock::at_ms(NOW);
    let stripe = Stripe::new(StripeConfig {
        secret_key: "sk_test_fake".into(),
        webhook_secret: Some(SECRET.into()),
        api_base: Some(fake.url.clone()),
    })
    .unwrap();
    let billing = Billing::new(
        db.clone(),
        Arc::new(clock.clone()),
        None,
        BillingOptions {
            cache_ttl: Duration::ZERO,
            stripe: Some(stripe),
            public_url: Some("https://agente.example".into()),
            ..BillingOptions::default()
        },
    );
    billing.ensure_built_in_plans().await.unwrap();
    (fake, clock, billing)
}

backend_tests!(checkout_webhook_upgrade_downgrade_portal_and_invoices);
async fn checkout_webhook_upgrade_downgrade_portal_and_invoices(backend: Backend) {
    let test = backend.db().await;
    let (fake, _clock, billing) = with_fake_stripe(&test.db).await;
    let operator = common::operator(&test).await;
    common::price_plan(&billing, &operator, "pro", "price_pro").await;
    common::price_plan(&billing, &operator, "business", "price_business").await;
    let shop = common::owner(&test.db).await;

    // Enterprise has no Stripe price: refused before anything is sent.
    assert!(matches!(
        billing
            .checkout(&shop, "enterprise", "a@shop.example")
            .await,
        Err(BillingError::Conflict(_))
    ));
    // Without a subscription a paid plan goes through Checkout.
    assert!(matches!(
        billing.change_plan(&shop, "pro").await,
        Err(BillingError::Conflict(_))
    ));
    let url = billing
        .checkout(&shop, "pro", "a@shop.example")
        .await
        .unwrap();
    let again = billing
        .checkout(&shop, "pro", "a@shop.example")
        .await
        .unwrap();
    assert_eq!(url, again, "{backend}: a double click opens the same page");
    assert!(
        url.starts_with("https://checkout.stripe.test/c/pay/cs_"),
        "{backend}: {url}"
    );
    let session = url.rsplit('/').next().unwrap().to_string();
    {
        let s = fake.state.lock().unwrap();
        assert_eq!(s.customers.len(), 1, "{backend}");
        let form = &s.sessions[&session];
        let get = |k: &str| {
            form.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("line_items[0][price]"), Some("price_pro"), "{backend}");
        assert_eq!(
            get("subscription_data[trial_period_days]"),
            Some("14"),
            "{backend}"
        );
        assert_eq!(
            get("client_reference_id"),
            Some(shop.tenant_id.to_string().as_str())
        );
        assert_eq!(
            get("success_url"),
            Some("https://agente.example/billing?checkout=done")
        );
    }

    let event = fake.complete_checkout(&session, NOW / 1000);
    let body = event.to_string();
    let signature =
        agente_notify::webhook::signature(SECRET.as_bytes(), NOW / 1000, body.as_bytes());
    assert_eq!(
        billing
            .stripe_webhook(&signature, body.as_bytes())
            .await
            .unwrap(),
        WebhookOutcome::Processed,
        "{backend}"
    );
    let o = billing.overview(&shop).await.unwrap();
    assert_eq!(
        (o.plan.id.as_str(), o.status, o.provider),
        ("pro", Status::Trialing, ProviderKind::Stripe),
        "{backend}"
    );
    assert_eq!(o.period.end - o.period.start, 30 * 86_400_000, "{backend}");
    assert!(matches!(
        billing.checkout(&shop, "business", "a@shop.example").await,
        Err(BillingError::Conflict(_))
    ));

    // Upgrade: the item's price changes at once, prorated.
    billing.change_plan(&shop, "business").await.unwrap();
    assert_eq!(
        billing.overview(&shop).await.unwrap().plan.id,
        "business",
        "{backend}"
    );
    {
        let s = fake.state.lock().unwrap();
        let (_, form) = s
            .writes
            .iter()
            .rev()
            .find(|(p, _)| p.starts_with("/v1/subscriptions/"))
            .unwrap();
        assert!(
            form.contains(&("proration_behavior".into(), "create_prorations".into())),
            "{backend}: {form:?}"
        );
    }
    // Down to Free: the subscription ends with its period.
    billing.change_plan(&shop, "free").await.unwrap();
    let o = billing.overview(&shop).await.unwrap();
    assert!(o.cancel_at_period_end, "{backend}");
    assert_eq!(
        o.plan.id, "business",
        "{backend}: paid until the period ends"
    );

    let portal = billing.portal(&shop).await.unwrap();
    assert_eq!(
        billing.portal(&shop).await.unwrap(),
        portal,
        "{backend}: one per minute"
    );
    assert!(
        portal.starts_with("https://billing.stripe.test/p/session/"),
        "{backend}"
    );
    let invoices = billing.invoices(&shop).await.unwrap();
    assert_eq!(invoices.len(), 1, "{backend}");
    assert!(
        invoices[0]
            .invoice_pdf
            .as_deref()
            .unwrap()
            .ends_with(".pdf"),
        "{backend}"
    );
    assert!(invoices[0].hosted_invoice_url.is_some(), "{backend}");

    // Another tenant's portal needs its own customer.
    let other = common::owner(&test.db).await;
    assert!(matches!(
        billing.portal(&other).await,
        Err(BillingError::Conflict(_))
    ));
}

backend_tests!(usage_reaches_stripe_once_even_when_a_report_dies_and_is_retried);
async fn usage_reaches_stripe_once_even_when_a_report_dies_and_is_retried(backend: Backend) {
    use agente_core::{Meter, Usage, UsageGate};
    let test = backend.db().await;
    let (fake, clock, billing) = with_fake_stripe(&test.db).await;
    let operator = common::operator(&test).await;
    common::price_plan(&billing, &operator, "pro", "price_pro").await;
    let shop = common::owner(&test.db).await;
    let url = billing
        .checkout(&shop, "pro", "a@shop.example")
        .await
        .unwrap();
    let event = fake
        .complete_checkout(url.rsplit('/').next().unwrap(), NOW / 1000)
        .to_string();
    let signature =
        agente_notify::webhook::signature(SECRET.as_bytes(), NOW / 1000, event.as_bytes());
    billing
        .stripe_webhook(&signature, event.as_bytes())
        .await
        .unwrap();
    // A tenant without Stripe: its use stays home.
    let local = common::owner(&test.db).await;

    let record = |tenant: TenantId, n: usize, prefix: &str| {
        let billing = billing.clone();
        let ids: Vec<String> = (0..n).map(|i| format!("{prefix}-{i}")).collect();
        async move {
            for id in ids {
                let usage = Usage {
                    meter: Meter::Executions,
                    quantity: 1,
                    id: &id,
                };
                billing.record(tenant, usage).await.unwrap();
            }
        }
    };
    record(shop.tenant_id, 5, "noon").await;
    record(local.tenant_id, 4, "local").await;
    clock.advance_secs(3600);
    record(shop.tenant_id, 2, "one").await;
    // The current hour is not sent until it has ended.
    let report = billing.report_usage().await.unwrap();
    assert_eq!((report.sent, report.events), (1, 5), "{backend}");
    clock.advance_secs(3600);
    let report = billing.report_usage().await.unwrap();
    assert_eq!((report.sent, report.events), (1, 2), "{backend}");
    assert_eq!(
        billing.report_usage().await.unwrap().sent,
        0,
        "{backend}: all sent"
    );
    {
        let s = fake.state.lock().unwrap();
        let values: Vec<_> = s
            .meter_events
            .iter()
            .map(|e| e["payload"]["value"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(values, ["5", "2"], "{backend}");
        assert_eq!(
            s.meter_events[0]["event_name"], "agente_executions",
            "{backend}"
        );
        assert_eq!(
            s.meter_events[0]["timestamp"],
            NOW / 1000,
            "{backend}: the hour it was used"
        );
    }

    // Stripe fails: nothing is marked, the next run sends it.
    record(shop.tenant_id, 3, "two").await;
    clock.advance_secs(3600);
    fake.state.lock().unwrap().fail_meter_events = 1;
    assert!(billing.report_usage().await.is_err(), "{backend}");
    assert_eq!(billing.report_usage().await.unwrap().events, 3, "{backend}");
    // A run that died after sending, before marking: the same events are sent again
    // under the same identifier, and Stripe keeps one.
    test.db
        .tenant_execute(
            shop.tenant_id,
            query("UPDATE usage_events SET reported_at = NULL WHERE tenant_id = $1 AND source_id LIKE 'two-%'")
                .bind(shop.tenant_id.to_string()),
        )
        .await
        .unwrap();
    assert_eq!(billing.report_usage().await.unwrap().events, 3, "{backend}");
    let s = fake.state.lock().unwrap();
    let values: Vec<_> = s
        .meter_events
        .iter()
        .map(|e| e["payload"]["value"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(values, ["5", "2", "3"], "{backend}: nothing counted twice");
    assert!(
        s.meter_events
            .iter()
            .all(|e| e["payload"]["stripe_customer_id"]
                .as_str()
                .unwrap()
                .starts_with("cus_")),
        "{backend}"
    );
}
