//! Housekeeping across all tenants (pruning, expiry). On Postgres through SECURITY DEFINER
//! functions (migrations/postgres/0004_webhooks_and_pruning.sql), as row-level security
//! confines the application role to one tenant.

use crate::{Backend, Db, StoreError};
use sqlx::Row;

impl Db {
    /// Deletes finished executions that started before `before_ms`, and all but the newest
    /// `keep` finished executions of each tenant. Answers how many went.
    pub async fn prune_executions(&self, before_ms: i64, keep: i64) -> Result<u64, StoreError> {
        match self.backend() {
            Backend::Postgres => {
                let row = sqlx::query("SELECT agente_prune_executions($1, $2) AS n")
                    .bind(before_ms)
                    .bind(keep)
                    .fetch_one(self.pool())
                    .await?;
                Ok(row.try_get::<i64, _>("n")? as u64)
            }
            Backend::Sqlite => {
                let done = sqlx::query(
                    "DELETE FROM executions WHERE id IN (SELECT id FROM ( \
                       SELECT id, started_at, ROW_NUMBER() OVER \
                         (PARTITION BY tenant_id ORDER BY started_at DESC, id DESC) AS rn \
                       FROM executions WHERE finished_at IS NOT NULL) \
                     WHERE started_at < $1 OR rn > $2)",
                )
                .bind(before_ms)
                .bind(keep)
                .execute(self.pool())
                .await?;
                Ok(done.rows_affected())
            }
        }
    }

    /// Forgets test-webhook registrations that expired before `now_ms`, freeing their paths.
    pub async fn purge_test_webhooks(&self, now_ms: i64) -> Result<u64, StoreError> {
        match self.backend() {
            Backend::Postgres => {
                let row = sqlx::query("SELECT agente_purge_test_webhooks($1) AS n")
                    .bind(now_ms)
                    .fetch_one(self.pool())
                    .await?;
                Ok(row.try_get::<i64, _>("n")? as u64)
            }
            Backend::Sqlite => Ok(
                sqlx::query("DELETE FROM test_webhooks WHERE expires_at < $1")
                    .bind(now_ms)
                    .execute(self.pool())
                    .await?
                    .rows_affected(),
            ),
        }
    }

    /// Marks every `running` execution failed: for the embedded database at start-up, where
    /// the one process that could be running them has just started.
    pub async fn fail_running_executions(&self, now_ms: i64) -> Result<u64, StoreError> {
        if self.backend() != Backend::Sqlite {
            return Ok(0);
        }
        Ok(sqlx::query(
            "UPDATE executions SET status = 'error', finished_at = $1, \
             error = 'the server stopped while this execution ran' WHERE status = 'running'",
        )
        .bind(now_ms)
        .execute(self.pool())
        .await?
        .rows_affected())
    }
}
