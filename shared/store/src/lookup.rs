//! The only reads that happen before a tenant is known. On Postgres they go through
//! SECURITY DEFINER functions (see migrations/postgres/0001_accounts.sql) because row-level
//! security hides every row until `app.tenant_id` is set.

use crate::{Backend, Db, StoreError, TenantTx};
use agente_core::{TenantId, UserId};
use sqlx::Row;

/// What a tenant is looked up by: the digest of a bearer secret, or (for
/// `/webhook-waiting/<id>`) the id of an execution that waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenantLookup {
    RefreshToken,
    ApiKey,
    Invitation,
    WaitingExecution,
    /// A Stripe customer id (webhooks name customers, not tenants).
    StripeCustomer,
}

impl Db {
    /// The user and tenant owning an e-mail address, if any.
    pub async fn find_login(&self, email: &str) -> Result<Option<(UserId, TenantId)>, StoreError> {
        let sql = match self.backend() {
            Backend::Postgres => "SELECT user_id, tenant_id FROM agente_find_login($1)",
            Backend::Sqlite => "SELECT id AS user_id, tenant_id FROM users WHERE email = $1",
        };
        let row = sqlx::query(sql)
            .bind(email)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            let user: String = row.try_get("user_id")?;
            let tenant: String = row.try_get("tenant_id")?;
            Ok((parse_id(&user)?, parse_id(&tenant)?))
        })
        .transpose()
    }

    /// The tenant owning the secret whose digest is `hash` (or the waiting execution whose
    /// id it is), if any.
    pub async fn tenant_of(
        &self,
        kind: TenantLookup,
        hash: &str,
    ) -> Result<Option<TenantId>, StoreError> {
        let sql = match (self.backend(), kind) {
            (Backend::Postgres, TenantLookup::RefreshToken) => {
                "SELECT agente_tenant_of_refresh_token($1) AS tenant_id"
            }
            (Backend::Postgres, TenantLookup::ApiKey) => {
                "SELECT agente_tenant_of_api_key($1) AS tenant_id"
            }
            (Backend::Postgres, TenantLookup::Invitation) => {
                "SELECT agente_tenant_of_invitation($1) AS tenant_id"
            }
            (Backend::Postgres, TenantLookup::WaitingExecution) => {
                "SELECT agente_tenant_of_waiting_execution($1) AS tenant_id"
            }
            (Backend::Postgres, TenantLookup::StripeCustomer) => {
                "SELECT agente_tenant_of_customer($1) AS tenant_id"
            }
            (Backend::Sqlite, TenantLookup::StripeCustomer) => {
                "SELECT tenant_id FROM billing_accounts WHERE customer_id = $1 LIMIT 1"
            }
            (Backend::Sqlite, TenantLookup::WaitingExecution) => {
                "SELECT tenant_id FROM executions WHERE id = $1 AND status = 'waiting'"
            }
            (Backend::Sqlite, TenantLookup::RefreshToken) => {
                "SELECT tenant_id FROM refresh_tokens WHERE token_hash = $1"
            }
            (Backend::Sqlite, TenantLookup::ApiKey) => {
                "SELECT tenant_id FROM api_keys WHERE key_hash = $1"
            }
            (Backend::Sqlite, TenantLookup::Invitation) => {
                "SELECT tenant_id FROM invitations WHERE token_hash = $1"
            }
        };
        let row = sqlx::query(sql)
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
        match row {
            None => Ok(None),
            Some(row) => {
                let tenant: Option<String> = row.try_get("tenant_id")?;
                tenant.as_deref().map(parse_id).transpose()
            }
        }
    }
}

/// Parses a stored id column.
pub fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, StoreError> {
    raw.parse().map_err(|_| {
        StoreError::Corrupt(format!(
            "`{}` is not an id",
            raw.chars().take(40).collect::<String>()
        ))
    })
}

impl Db {
    /// Registrations an incoming webhook call may mean, as (registered path, tenant): the
    /// exact `path`, and dynamic paths (`<webhookId>/user/:id`) under its first segment
    /// (compared as text: a caller's `%` is no wildcard).
    /// `test` picks `/webhook-test/` registrations that have not expired by `now_ms`.
    pub async fn webhook_candidates(
        &self,
        test: bool,
        method: &str,
        path: &str,
        now_ms: i64,
    ) -> Result<Vec<(String, TenantId)>, StoreError> {
        let sql = match (self.backend(), test) {
            (Backend::Postgres, _) => {
                "SELECT path, tenant_id FROM agente_webhook_candidates($1, $2, $3, $4, $5)"
            }
            (Backend::Sqlite, false) => {
                "SELECT path, tenant_id FROM webhooks WHERE $1 = $1 AND method = $2 \
                 AND (path = $3 OR (substr(path, 1, length($4) + 1) = $4 || '/' AND instr(path, ':') > 0)) \
                 AND $5 = $5"
            }
            (Backend::Sqlite, true) => {
                "SELECT path, tenant_id FROM test_webhooks WHERE $1 = $1 AND method = $2 \
                 AND (path = $3 OR (substr(path, 1, length($4) + 1) = $4 || '/' AND instr(path, ':') > 0)) \
                 AND expires_at >= $5"
            }
        };
        let prefix = path.split('/').next().unwrap_or_default();
        let rows = sqlx::query(sql)
            .bind(test)
            .bind(method)
            .bind(path)
            .bind(prefix)
            .bind(now_ms)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let path: String = row.try_get("path")?;
                let tenant: String = row.try_get("tenant_id")?;
                Ok((path, parse_id(&tenant)?))
            })
            .collect()
    }

    /// Whether a tenant other than `tx`'s holds the webhook `path` or the first segment it
    /// lives under (see migrations/*/0020_webhook_paths.sql). Ask inside the transaction
    /// that then claims the path: on Postgres the answer holds a lock until it ends.
    pub async fn webhook_path_taken(
        &self,
        tx: &mut TenantTx,
        path: &str,
    ) -> Result<bool, StoreError> {
        let (prefix, pattern) = webhook_path_parts(path);
        let sql = match self.backend() {
            Backend::Postgres => "SELECT agente_webhook_path_taken($1, $2, $3, $4) AS taken",
            Backend::Sqlite => {
                "SELECT EXISTS (SELECT 1 FROM webhook_paths WHERE tenant_id <> $1 \
                 AND (path = $2 OR (prefix = $3 AND (pattern = 1 OR $4)))) AS taken"
            }
        };
        let row = sqlx::query(sql)
            .bind(tx.tenant().to_string())
            .bind(path)
            .bind(prefix)
            .bind(pattern)
            .fetch_one(&mut **tx)
            .await?;
        Ok(match self.backend() {
            Backend::Postgres => row.try_get::<bool, _>("taken")?,
            Backend::Sqlite => row.try_get::<i64, _>("taken")? != 0,
        })
    }
}

/// A registered webhook path's first segment, and whether it has parameters.
pub fn webhook_path_parts(path: &str) -> (&str, bool) {
    let prefix = path.split('/').next().unwrap_or_default();
    (prefix, path.split('/').any(|s| s.starts_with(':')))
}
