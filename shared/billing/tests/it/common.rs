//! What the billing tests share: members of tenants, and operators.
// Each test binary includes this module and uses only some of it.

use agente_auth::{AuthMethod, Principal};
use agente_core::{Role, TenantId, UserId};
use agente_store::Db;
use agente_store::sqlx::query;

/// A new member of `tenant` (made when missing) with `role`, as its session would be.
pub async fn member(db: &Db, tenant: TenantId, role: Role) -> Principal {
    let user = UserId::new();
    let mut tx = db.tenant_tx(tenant).await.unwrap();
    query("INSERT INTO tenants (id, name, created_at) VALUES ($1, 'Shop', 0) ON CONFLICT (id) DO NOTHING")
        .bind(tenant.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    query("INSERT INTO users (id, tenant_id, email, password_hash, role, created_at) VALUES ($1, $2, $3, 'x', $4, 0)")
        .bind(user.to_string())
        .bind(tenant.to_string())
        .bind(format!("{user}@example.com"))
        .bind(role.as_str())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Principal {
        tenant_id: tenant,
        user_id: Some(user),
        role,
        method: AuthMethod::AccessToken,
    }
}

/// The owner of a new tenant.
pub async fn owner(db: &Db) -> Principal {
    member(db, TenantId::new(), Role::Owner).await
}

/// An owner of a new tenant who is also an operator of the platform (granted as the CLI
/// does, over the owner's connection: the application cannot).
pub async fn operator(test: &agente_store::testing::TestDb) -> Principal {
    let p = owner(&test.db).await;
    let owner = Db::connect_owner(&test.url).await.unwrap();
    let email = format!("{}@example.com", p.user_id.unwrap());
    agente_auth::set_operator(&owner, &email, true, 0)
        .await
        .unwrap();
    owner.close().await;
    p
}

/// Links plan `id` to Stripe price `price`, as an operator does.
pub async fn price_plan(
    billing: &agente_billing::Billing,
    operator: &Principal,
    id: &str,
    price: &str,
) {
    let mut plan = billing
        .plans(true)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.id == id)
        .unwrap();
    plan.stripe_price = Some(price.into());
    billing.save_plan(operator, plan).await.unwrap();
}
