//! The only reads that happen before a tenant is known. On Postgres they go through
//! SECURITY DEFINER functions (see migrations/postgres/0001_accounts.sql) because row-level
//! security hides every row until `app.tenant_id` is set.

use crate::{Backend, Db, StoreError};
use agente_core::{TenantId, UserId};
use sqlx::Row;

/// Which kind of bearer secret a digest belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenantLookup {
    RefreshToken,
    ApiKey,
    Invitation,
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

    /// The tenant owning the secret whose digest is `hash`, if any.
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
    /// The tenant whose active workflow listens on `method` `path`, if any.
    pub async fn tenant_of_webhook(
        &self,
        method: &str,
        path: &str,
    ) -> Result<Option<TenantId>, StoreError> {
        let sql = match self.backend() {
            Backend::Postgres => "SELECT agente_tenant_of_webhook($1, $2) AS tenant_id",
            Backend::Sqlite => "SELECT tenant_id FROM webhooks WHERE method = $1 AND path = $2",
        };
        let row = sqlx::query(sql)
            .bind(method)
            .bind(path)
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

    /// Whether another workflow (of any tenant) already listens on `method` `path`.
    pub async fn webhook_taken(
        &self,
        method: &str,
        path: &str,
        workflow_id: &str,
    ) -> Result<bool, StoreError> {
        let sql = match self.backend() {
            Backend::Postgres => "SELECT agente_webhook_taken($1, $2, $3) AS n",
            Backend::Sqlite => {
                "SELECT COUNT(*) AS n FROM webhooks WHERE method = $1 AND path = $2 AND workflow_id <> $3"
            }
        };
        let row = sqlx::query(sql)
            .bind(method)
            .bind(path)
            .bind(workflow_id)
            .fetch_one(self.pool())
            .await?;
        let n: i64 = row.try_get("n")?;
        Ok(n > 0)
    }
}
