//! API keys: for scripts and integrations. Shown once, stored as a digest, scoped to the
//! tenant and a role no higher than their creator's, revocable.

use crate::service::RowExt;
use crate::{Action, AuthError, AuthMethod, AuthService, Principal, Resource, check_permission};
use agente_core::{ApiKeyId, Role, token};
use agente_store::TenantLookup;
use agente_store::sqlx::{FromRow, query};
use serde::Serialize;

/// An API key as listed (never with its secret).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyInfo {
    pub id: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// The key's last characters, to tell keys apart.
    #[sqlx(rename = "key_hint")]
    pub hint: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A new key: the only time the secret is shown.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub info: ApiKeyInfo,
    pub key: String,
}

const MAX_NAME: usize = 100;
/// Writing `last_used_at` on every call would turn each API read into a write.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

impl AuthService {
    pub async fn create_api_key(
        &self,
        principal: &Principal,
        name: &str,
        role: Role,
    ) -> Result<CreatedApiKey, AuthError> {
        check_permission(principal, Resource::ApiKeys, Action::Write)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Err(AuthError::Validation(format!(
                "the key name must have 1 to {MAX_NAME} characters"
            )));
        }
        if !principal.role.at_least(role) {
            return Err(AuthError::forbidden(format!(
                "you cannot create a key with more rights ({role}) than your own"
            )));
        }
        let tenant = principal.tenant_id;
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        let active =
            query("SELECT COUNT(*) AS n FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL")
                .bind(tenant.to_string())
                .fetch_one(&mut *tx)
                .await?
                .int("n")?;
        if active >= self.inner.settings.max_api_keys {
            return Err(AuthError::Conflict(format!(
                "a tenant can have at most {} active API keys; revoke one first",
                self.inner.settings.max_api_keys
            )));
        }
        let key = token::generate("agk");
        let info = ApiKeyInfo {
            id: ApiKeyId::new().to_string(),
            name: name.to_string(),
            role,
            hint: format!("agk_…{}", &key[key.len() - 4..]),
            created_at: self.now_ms(),
            last_used_at: None,
            revoked_at: None,
        };
        query(
            "INSERT INTO api_keys (id, tenant_id, name, role, key_hash, key_hint, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&info.id)
        .bind(tenant.to_string())
        .bind(&info.name)
        .bind(role.as_str())
        .bind(token::digest(&key))
        .bind(&info.hint)
        .bind(principal.user_id.map(|u| u.to_string()))
        .bind(info.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(tenant_id = %tenant, key_id = %info.id, %role, "API key created");
        Ok(CreatedApiKey { info, key })
    }

    pub async fn list_api_keys(&self, principal: &Principal) -> Result<Vec<ApiKeyInfo>, AuthError> {
        check_permission(principal, Resource::ApiKeys, Action::Read)?;
        let mut tx = self.inner.db.tenant_read(principal.tenant_id).await?;
        let rows = query(
            "SELECT id, name, role, key_hint, created_at, last_used_at, revoked_at FROM api_keys \
             WHERE tenant_id = $1 ORDER BY created_at DESC",
        )
        .bind(principal.tenant_id.to_string())
        .fetch_all(&mut *tx)
        .await?;
        Ok(rows
            .iter()
            .map(ApiKeyInfo::from_row)
            .collect::<Result<_, _>>()?)
    }

    pub async fn revoke_api_key(&self, principal: &Principal, id: &str) -> Result<(), AuthError> {
        check_permission(principal, Resource::ApiKeys, Action::Delete)?;
        let mut tx = self.inner.db.tenant_tx(principal.tenant_id).await?;
        let done = query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND tenant_id = $3 AND revoked_at IS NULL")
            .bind(self.now_ms())
            .bind(id)
            .bind(principal.tenant_id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        if done == 0 {
            return Err(AuthError::NotFound("active API key"));
        }
        Ok(())
    }

    /// Resolves an API key to the principal it acts as.
    pub async fn authenticate_api_key(&self, key: &str) -> Result<Principal, AuthError> {
        if !key.starts_with("agk_") || key.len() > 100 {
            return Err(AuthError::InvalidToken);
        }
        let hash = token::digest(key);
        let tenant = self
            .inner
            .db
            .tenant_of(TenantLookup::ApiKey, &hash)
            .await?
            .ok_or(AuthError::InvalidToken)?;
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        let row = query("SELECT id, role, revoked_at, last_used_at FROM api_keys WHERE key_hash = $1 AND tenant_id = $2")
            .bind(&hash)
            .bind(tenant.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AuthError::InvalidToken)?;
        if row.opt_int("revoked_at")?.is_some() {
            return Err(AuthError::InvalidToken);
        }
        let id = row.text("id")?;
        let now = self.now_ms();
        if row
            .opt_int("last_used_at")?
            .is_none_or(|t| now - t > LAST_USED_RESOLUTION_MS)
        {
            query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND tenant_id = $3")
                .bind(now)
                .bind(&id)
                .bind(tenant.to_string())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(Principal {
            tenant_id: tenant,
            user_id: None,
            role: row.role("role")?,
            method: AuthMethod::ApiKey { key_id: id },
        })
    }
}
