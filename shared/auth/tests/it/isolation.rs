//! Row-level security, checked with raw SQL as the application role: a transaction bound to
//! tenant A can neither read nor write tenant B's rows.

use agente_auth::{AuthService, AuthSettings, JwtKeys, RateLimiter, SignupInput};
use agente_core::{SecretBox, SystemClock};
use agente_store::sqlx::{self, Connection, Executor, Row};
use agente_store::testing::TestDb;
use std::sync::Arc;

#[tokio::test]
async fn tenant_a_cannot_read_or_write_tenant_b_as_the_app_role() {
    let test = TestDb::postgres().await.expect("Postgres test database");
    let auth = AuthService::new(
        test.db.clone(),
        JwtKeys::new(&[3u8; 32]).unwrap(),
        SecretBox::from_bytes(&[4u8; 32]),
        RateLimiter::memory(),
        Arc::new(SystemClock),
        AuthSettings::default(),
    );
    let mk = |e: &str, t: &str| SignupInput {
        email: e.into(),
        password: "long enough pw".into(),
        tenant_name: t.into(),
    };
    let a = auth
        .signup(mk("a@a.test", "A"), None)
        .await
        .unwrap()
        .principal
        .tenant_id
        .to_string();
    let b = auth
        .signup(mk("b@b.test", "B"), None)
        .await
        .unwrap()
        .principal
        .tenant_id
        .to_string();

    // The application's own login: nothing it runs can switch back to a wider role.
    let mut conn = sqlx::AnyConnection::connect(&test.app_url).await.unwrap();
    conn.execute("RESET ROLE").await.unwrap();
    assert!(
        conn.execute("SET ROLE postgres").await.is_err(),
        "the app login could become the superuser"
    );
    let who = sqlx::query(
        "SELECT current_user::text AS name, current_setting('is_superuser') AS super, \
         (SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user) AS bypass",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(who.get::<String, _>("name"), "agente_app");
    assert_eq!(
        who.get::<String, _>("super"),
        "off",
        "the app role must not be a superuser"
    );
    assert!(
        !who.get::<bool, _>("bypass"),
        "the app role must not bypass RLS"
    );
    // Operator rights and plans are not the application's to write.
    for statement in [
        "INSERT INTO operators (user_id, granted_at) VALUES ('u', 0)",
        "DELETE FROM operators",
        "UPDATE plans SET spec = '{}'",
        "DELETE FROM plans",
    ] {
        assert!(conn.execute(statement).await.is_err(), "{statement}");
    }

    // Without a tenant, nothing is visible.
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get("n");
    assert_eq!(n, 0);

    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
        .bind(&a)
        .execute(&mut *tx)
        .await
        .unwrap();
    let visible: Vec<String> = sqlx::query("SELECT tenant_id FROM users")
        .fetch_all(&mut *tx)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("tenant_id"))
        .collect();
    assert_eq!(visible, vec![a.clone()]);
    let of_b = sqlx::query("SELECT id FROM users WHERE tenant_id = $1")
        .bind(&b)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert!(of_b.is_empty(), "tenant A read tenant B's users");
    let tenants = sqlx::query("SELECT id FROM tenants")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(tenants.len(), 1);

    let updated = sqlx::query("UPDATE users SET role = 'viewer' WHERE tenant_id = $1")
        .bind(&b)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        updated.rows_affected(),
        0,
        "tenant A updated tenant B's users"
    );
    let deleted = sqlx::query("DELETE FROM tenants WHERE id = $1")
        .bind(&b)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 0, "tenant A deleted tenant B");
    tx.commit().await.unwrap();

    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
        .bind(&a)
        .execute(&mut *tx)
        .await
        .unwrap();
    let insert = sqlx::query(
        "INSERT INTO api_keys (id, tenant_id, name, role, key_hash, key_hint, created_at) VALUES ('k', $1, 'x', 'owner', 'h', 'h', 0)",
    )
    .bind(&b)
    .execute(&mut *tx)
    .await;
    assert!(insert.is_err(), "tenant A inserted a row owned by tenant B");
    drop(tx);

    // The setting is per transaction: it does not leak into the next one.
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get("n");
    assert_eq!(n, 0);

    // Tenant B's owner still has the owner role.
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
        .bind(&b)
        .execute(&mut *tx)
        .await
        .unwrap();
    let role: String = sqlx::query("SELECT role FROM users")
        .fetch_one(&mut *tx)
        .await
        .unwrap()
        .get("role");
    assert_eq!(role, "owner");
}
