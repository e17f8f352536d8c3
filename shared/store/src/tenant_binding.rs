//! Binding statements to a tenant: on Postgres, row-level security reads the tenant from
//! the transaction-local `app.tenant_id`.

use crate::StoreError;
use crate::backend::Backend;
use agente_core::TenantId;
use sqlx::{AnyPool, Transaction};

/// Runs one statement as `tenant`: on SQLite by itself (one statement is atomic, and
/// BEGIN/COMMIT would cost two more trips to the database thread); on Postgres in a
/// transaction bound to the tenant.
pub(crate) async fn execute_as<'q>(
    pool: &AnyPool,
    backend: Backend,
    tenant: TenantId,
    statement: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
) -> Result<u64, StoreError> {
    match backend {
        Backend::Sqlite => Ok(statement.execute(pool).await?.rows_affected()),
        Backend::Postgres => {
            let mut tx = pool.begin().await?;
            bind_tenant(&mut tx, tenant).await?;
            let done = statement.execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            Ok(done)
        }
    }
}

/// Confines the rest of the transaction to `tenant` (row-level security on Postgres).
pub(crate) async fn bind_tenant(
    tx: &mut Transaction<'static, sqlx::Any>,
    tenant: TenantId,
) -> Result<(), StoreError> {
    sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
        .bind(tenant.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
