//! Statements over the system tables (jobs, leases, schedules), each in a system
//! transaction of its own.

use crate::QueueError;
use agente_store::AnyRow;
use agente_store::Db;
use agente_store::sqlx;

/// Runs one statement in a system transaction of its own; answers the rows affected.
pub(crate) async fn execute_alone<'q>(
    db: &Db,
    statement: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
) -> Result<u64, QueueError> {
    let mut tx = db.system_tx().await?;
    let n = statement
        .execute(&mut *tx)
        .await
        .map_err(store)?
        .rows_affected();
    tx.commit().await.map_err(store)?;
    Ok(n)
}

/// All rows of one read statement over the system tables, in a transaction of its own.
pub(crate) async fn fetch_alone<'q>(
    db: &Db,
    statement: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
) -> Result<Vec<AnyRow>, QueueError> {
    let mut tx = db.system_tx().await?;
    let rows = statement.fetch_all(&mut *tx).await.map_err(store)?;
    tx.commit().await.map_err(store)?;
    Ok(rows)
}

pub(crate) fn store(e: sqlx::Error) -> QueueError {
    QueueError::Store(e.into())
}
