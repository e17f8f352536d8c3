//! Billing against a local stand-in for what localstripe lacks (`agente_billing::testing`):
//! Checkout for a new subscription (one customer, one session per minute however often
//! asked), the `checkout.session.completed` webhook starting the trial, an upgrade with
//! proration, a downgrade to Free as a cancellation at the period's end, the Customer
//! Portal and invoices with their links.

use agente_auth::{AuthMethod, Principal};
use agente_billing::testing::FakeStripe;
use agente_billing::{
    Billing, BillingError, BillingOptions, ProviderKind, Status, Stripe, StripeConfig,
    WebhookOutcome,
};
use agente_core::{FixedClock, Role, TenantId, UserId};
use agente_store::Db;
use agente_store::sqlx::query;
use agente_store::testing::TestDb;
use std::sync::Arc;
use std::time::Duration;

const NOW: i64 = 1_795_953_600_000;
const SECRET: &str = "whsec_fake";

async fn member(db: &Db, operator: bool) -> Principal {
    let (tenant, user) = (TenantId::new(), UserId::new());
    let mut tx = db.tenant_tx(tenant).await.unwrap();
    query("INSERT INTO tenants (id, name, created_at) VALUES ($1, 'Shop', 0)")
        .bind(tenant.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    query("INSERT INTO users (id, tenant_id, email, password_hash, role, created_at) VALUES ($1, $2, $3, 'x', 'owner', 0)")
        .bind(user.to_string())
        .bind(tenant.to_string())
        .bind(format!("{user}@example.com"))
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    if operator {
        let mut tx = db.system_tx().await.unwrap();
        query("INSERT INTO operators (user_id, granted_at) VALUES ($1, 0)")
            .bind(user.to_string())
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    Principal {
        tenant_id: tenant,
        user_id: Some(user),
        role: Role::Owner,
        method: AuthMethod::AccessToken,
    }
}

#[tokio::test]
async fn checkout_webhook_upgrade_downgrade_portal_and_invoices() {
    for (backend, test) in TestDb::each().await.unwrap() {
        let fake = FakeStripe::start().await;
        let clock = FixedClock::at_ms(NOW);
        let billing = Billing::new(
            test.db.clone(),
            Arc::new(clock.clone()),
            None,
            BillingOptions {
                cache_ttl: Duration::ZERO,
                stripe: Some(
                    Stripe::new(StripeConfig {
                        secret_key: "sk_test_fake".into(),
                        webhook_secret: Some(SECRET.into()),
                        api_base: Some(fake.url.clone()),
                    })
                    .unwrap(),
                ),
                public_url: Some("https://agente.example".into()),
                ..BillingOptions::default()
            },
        );
        billing.ensure_built_in_plans().await.unwrap();
        let operator = member(&test.db, true).await;
        for (id, price) in [("pro", "price_pro"), ("business", "price_business")] {
            let mut plan = billing
                .plans(true)
                .await
                .unwrap()
                .into_iter()
                .find(|p| p.id == id)
                .unwrap();
            plan.stripe_price = Some(price.into());
            billing.save_plan(&operator, plan).await.unwrap();
        }
        let shop = member(&test.db, false).await;

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
        let other = member(&test.db, false).await;
        assert!(matches!(
            billing.portal(&other).await,
            Err(BillingError::Conflict(_))
        ));
    }
}
