use crate::{AuthError, JwtKeys, Principal, RateLimiter};
use agente_core::{Clock, Role, SecretBox, TenantId, UserId};
use agente_store::sqlx::query;
use agente_store::{AnyRow, Db, Row, StoreError, parse_id};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// Lifetimes and limits of the auth service.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    pub access_ttl_secs: i64,
    pub refresh_ttl_secs: i64,
    pub invitation_ttl_secs: i64,
    pub login_attempts_per_account: u32,
    pub login_attempts_per_ip: u32,
    pub login_window: Duration,
    pub max_api_keys: i64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            access_ttl_secs: 15 * 60,
            refresh_ttl_secs: 30 * 24 * 3600,
            invitation_ttl_secs: 7 * 24 * 3600,
            login_attempts_per_account: 10,
            login_attempts_per_ip: 100,
            login_window: Duration::from_secs(15 * 60),
            max_api_keys: 100,
        }
    }
}

/// Accounts, sessions, members, MFA and API keys of every tenant. Cheap to clone.
#[derive(Clone)]
pub struct AuthService {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub db: Db,
    pub keys: JwtKeys,
    pub secrets: SecretBox,
    pub limiter: RateLimiter,
    pub clock: Arc<dyn Clock>,
    pub settings: AuthSettings,
    /// Billing, asked before a member is added.
    pub usage_gate: std::sync::OnceLock<Arc<dyn agente_core::UsageGate>>,
}

/// The caller as shown by `GET /api/v1/me`.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub role: Role,
    /// Absent when the caller is an API key.
    pub user_id: Option<UserId>,
    pub email: Option<String>,
    pub mfa_enabled: bool,
    /// Runs the platform (edits plans, reads the revenue report).
    pub operator: bool,
}

impl AuthService {
    pub fn new(
        db: Db,
        keys: JwtKeys,
        secrets: SecretBox,
        limiter: RateLimiter,
        clock: Arc<dyn Clock>,
        settings: AuthSettings,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                keys,
                secrets,
                limiter,
                clock,
                settings,
                usage_gate: std::sync::OnceLock::new(),
            }),
        }
    }

    /// Lets billing refuse members past the plan's limit. Set once, at start.
    pub fn set_usage_gate(&self, gate: Arc<dyn agente_core::UsageGate>) {
        let _ = self.inner.usage_gate.set(gate);
    }

    pub fn settings(&self) -> &AuthSettings {
        &self.inner.settings
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    /// Who the caller is, with their tenant's name.
    pub async fn me(&self, principal: &Principal) -> Result<Me, AuthError> {
        let mut tx = self.inner.db.tenant_read(principal.tenant_id).await?;
        let tenant_name = query("SELECT name FROM tenants WHERE id = $1")
            .bind(principal.tenant_id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AuthError::NotFound("tenant"))?
            .text("name")?;
        let (email, mfa_enabled, operator) = match principal.user_id {
            Some(user) => {
                let row = query(
                    "SELECT email, totp_enabled_at, \
                       (SELECT COUNT(*) FROM operators o WHERE o.user_id = users.id) AS operator \
                     FROM users WHERE id = $1 AND tenant_id = $2",
                )
                .bind(user.to_string())
                .bind(principal.tenant_id.to_string())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(AuthError::Unauthenticated)?;
                (
                    Some(row.text("email")?),
                    row.opt_int("totp_enabled_at")?.is_some(),
                    row.opt_int("operator")?.unwrap_or(0) > 0,
                )
            }
            None => (None, false, false),
        };
        Ok(Me {
            tenant_id: principal.tenant_id,
            tenant_name,
            role: principal.role,
            user_id: principal.user_id,
            email,
            mfa_enabled,
            operator,
        })
    }
}

/// Row helpers that turn decode failures into store errors.
pub(crate) trait RowExt {
    fn text(&self, col: &str) -> Result<String, AuthError>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, AuthError>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>, AuthError>;
    fn int(&self, col: &str) -> Result<i64, AuthError>;
    fn id<T: std::str::FromStr>(&self, col: &str) -> Result<T, AuthError>;
    fn role(&self, col: &str) -> Result<Role, AuthError>;
}

impl RowExt for AnyRow {
    fn text(&self, col: &str) -> Result<String, AuthError> {
        Ok(self.try_get(col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, AuthError> {
        Ok(self.try_get(col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>, AuthError> {
        Ok(self.try_get(col)?)
    }
    fn int(&self, col: &str) -> Result<i64, AuthError> {
        Ok(self.try_get(col)?)
    }
    fn id<T: std::str::FromStr>(&self, col: &str) -> Result<T, AuthError> {
        Ok(parse_id(&self.text(col)?)?)
    }
    fn role(&self, col: &str) -> Result<Role, AuthError> {
        self.text(col)?
            .parse()
            .map_err(|e: agente_core::role::UnknownRole| StoreError::Corrupt(e.to_string()).into())
    }
}
