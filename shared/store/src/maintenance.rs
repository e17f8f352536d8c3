//! Housekeeping across all tenants (pruning, expiry). On Postgres through SECURITY DEFINER
//! functions (migrations/postgres/0004_webhooks_and_pruning.sql), as row-level security
//! confines the application role to one tenant.

use crate::{Backend, Db, StoreError, parse_id};
use agente_core::TenantId;
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

    /// Deletes finished executions older than the retention of each tenant's plan (see
    /// `agente_prune_executions_by_plan` in migrations/postgres/0012_billing.sql). Answers
    /// how many went.
    pub async fn prune_executions_by_plan(
        &self,
        now_ms: i64,
        default_plan: &str,
    ) -> Result<u64, StoreError> {
        match self.backend() {
            Backend::Postgres => {
                let row = sqlx::query("SELECT agente_prune_executions_by_plan($1, $2) AS n")
                    .bind(now_ms)
                    .bind(default_plan)
                    .fetch_one(self.pool())
                    .await?;
                Ok(row.try_get::<i64, _>("n")? as u64)
            }
            Backend::Sqlite => {
                let done = sqlx::query(
                    "DELETE FROM executions WHERE finished_at IS NOT NULL AND started_at < $1 - 86400000 * ( \
                       SELECT p.retention_days FROM plans p WHERE p.id = COALESCE( \
                         (SELECT CASE WHEN a.status IN ('active', 'trialing', 'past_due') \
                                 THEN a.plan_id ELSE 'free' END \
                          FROM billing_accounts a WHERE a.tenant_id = executions.tenant_id), $2))",
                )
                .bind(now_ms)
                .bind(default_plan)
                .execute(self.pool())
                .await?;
                Ok(done.rows_affected())
            }
        }
    }

    /// Deletes notification delivery log rows written before `before_ms`.
    pub async fn prune_deliveries(&self, before_ms: i64) -> Result<u64, StoreError> {
        match self.backend() {
            Backend::Postgres => {
                let row = sqlx::query("SELECT agente_prune_deliveries($1) AS n")
                    .bind(before_ms)
                    .fetch_one(self.pool())
                    .await?;
                Ok(row.try_get::<i64, _>("n")? as u64)
            }
            Backend::Sqlite => Ok(sqlx::query(
                "DELETE FROM notification_deliveries WHERE created_at < $1",
            )
            .bind(before_ms)
            .execute(self.pool())
            .await?
            .rows_affected()),
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

    /// Unfinished executions whose progress stopped, oldest first, as (id, tenant, status):
    /// `running` ones with no heartbeat since `running_before`, `new` ones not (re)enqueued
    /// since `pending_before`, `waiting` ones whose time is before it (and not re-enqueued since).
    pub async fn stalled_executions(
        &self,
        running_before: i64,
        pending_before: i64,
        limit: i64,
    ) -> Result<Vec<(String, TenantId, String)>, StoreError> {
        let sql = match self.backend() {
            Backend::Postgres => {
                "SELECT id, tenant_id, status FROM agente_stalled_executions($1, $2, $3)"
            }
            Backend::Sqlite => {
                "SELECT id, tenant_id, status FROM executions \
                 WHERE finished_at IS NULL AND ( \
                   (status = 'running' AND COALESCE(heartbeat_at, started_at) < $1) \
                   OR (status = 'new' AND COALESCE(heartbeat_at, started_at) < $2) \
                   OR (status = 'waiting' AND wait_till < $2 AND COALESCE(heartbeat_at, 0) < $2)) \
                 ORDER BY started_at LIMIT $3"
            }
        };
        sqlx::query(sql)
            .bind(running_before)
            .bind(pending_before)
            .bind(limit)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| {
                let tenant: String = row.try_get("tenant_id")?;
                Ok((
                    row.try_get("id")?,
                    parse_id(&tenant)?,
                    row.try_get("status")?,
                ))
            })
            .collect()
    }
}
