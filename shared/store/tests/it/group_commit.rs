//! Grouped writes: many concurrent writers all land, each in its own tenant, and one failing
//! statement does not take the others down with it.

use agente_core::TenantId;
use agente_store::backend_tests;
use agente_store::sqlx::{self, Connection, Executor};
use agente_store::testing::Backend;
use agente_store::{Row, Statement, StoreError};

const INSERT: &str = "INSERT INTO executions (id, tenant_id, workflow_id, status, mode, started_at) \
                      VALUES ($1, $2, 'w', $3, 'manual', 0)";

async fn make_tenants(url: &str, n: usize) -> Vec<TenantId> {
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let mut tenants = Vec::new();
    for i in 0..n {
        let id = TenantId::new();
        conn.execute(
            sqlx::query("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, 0)")
                .bind(id.to_string())
                .bind(format!("t{i}")),
        )
        .await
        .unwrap();
        tenants.push(id);
    }
    tenants
}

backend_tests!(
    concurrent_grouped_writes_all_land_once_in_their_tenant,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn concurrent_grouped_writes_all_land_once_in_their_tenant(backend: Backend) {
    let t = backend.db().await;
    let tenants = make_tenants(&t.url, 3).await;
    let writes = (0..300).map(|i| {
        let db = t.db.clone();
        let tenant = tenants[i % 3];
        tokio::spawn(async move {
            db.tenant_execute_grouped(
                tenant,
                Statement::new(INSERT)
                    .bind(format!("e{i}"))
                    .bind(tenant.to_string())
                    .bind("success"),
            )
            .await
        })
    });
    for w in futures::future::join_all(writes).await {
        assert_eq!(w.unwrap().unwrap(), 1, "{backend}");
    }
    for tenant in &tenants {
        let mut tx = t.db.tenant_read(*tenant).await.unwrap();
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM executions WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_one(&mut *tx)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        assert_eq!(n, 100, "{backend}: each tenant has its own 100 rows");
    }
}

backend_tests!(
    a_failing_statement_fails_alone,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn a_failing_statement_fails_alone(backend: Backend) {
    let t = backend.db().await;
    let tenant = make_tenants(&t.url, 1).await[0];
    let write = |id: String, status: &'static str| {
        let db = t.db.clone();
        tokio::spawn(async move {
            db.tenant_execute_grouped(
                tenant,
                Statement::new(INSERT)
                    .bind(id)
                    .bind(tenant.to_string())
                    .bind(status),
            )
            .await
        })
    };
    // `bogus` breaks the status CHECK constraint; it is queued among good writes.
    let mut handles = Vec::new();
    for i in 0..40 {
        let status = if i == 17 { "bogus" } else { "success" };
        handles.push(write(format!("e{i}"), status));
    }
    let results: Vec<Result<u64, StoreError>> = futures::future::join_all(handles)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.is_ok(), i != 17, "{backend}: write {i}: {r:?}");
    }
    let mut tx = t.db.tenant_read(tenant).await.unwrap();
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM executions")
        .fetch_one(&mut *tx)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(n, 39, "{backend}");
}
