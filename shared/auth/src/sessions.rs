//! Sign-up, log-in, refresh-token rotation and log-out.
//!
//! A session is a short-lived access token (JWT) plus an opaque refresh token. Each refresh
//! consumes its token and issues the next one of the same *family*; presenting a consumed
//! token again means it leaked, so the whole family is revoked.

use crate::jwt::Claims;
use crate::rate_limit::Decision;
use crate::service::RowExt;
use crate::{AuthError, AuthMethod, AuthService, Principal, mfa, password};
use agente_core::{Email, RefreshTokenId, Role, TenantId, TokenFamilyId, UserId, token};
use agente_store::sqlx::query;
use agente_store::{AnyConnection, TenantLookup};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// `POST /api/v1/auth/signup`.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupInput {
    pub email: String,
    pub password: String,
    pub tenant_name: String,
}

/// `POST /api/v1/auth/login`.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginInput {
    pub email: String,
    pub password: String,
    /// The current code of the member's authenticator app, when MFA is on.
    #[serde(default)]
    pub totp: Option<String>,
}

/// A fresh pair of tokens and who they are for.
#[derive(Clone, Debug, Serialize)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    pub refresh_expires_in: i64,
    pub principal: Principal,
}

const MAX_TENANT_NAME: usize = 100;

impl AuthService {
    /// Creates a tenant and its owner, and logs the owner in.
    pub async fn signup(
        &self,
        input: SignupInput,
        ip: Option<IpAddr>,
    ) -> Result<Session, AuthError> {
        let email = Email::parse(&input.email).map_err(|e| AuthError::Validation(e.to_string()))?;
        password::validate(&input.password)?;
        let tenant_name = input.tenant_name.trim();
        if tenant_name.is_empty() || tenant_name.chars().count() > MAX_TENANT_NAME {
            return Err(AuthError::Validation(format!(
                "the organisation name must have 1 to {MAX_TENANT_NAME} characters"
            )));
        }
        if let Some(ip) = ip {
            self.throttle(
                &format!("signup:ip:{ip}"),
                self.inner.settings.login_attempts_per_ip,
            )
            .await?;
        }
        if self.inner.db.find_login(email.as_str()).await?.is_some() {
            return Err(AuthError::Conflict(
                "an account with this e-mail address already exists".into(),
            ));
        }
        let hash = password::hash(input.password).await?;
        let (tenant, user, now) = (TenantId::new(), UserId::new(), self.now_ms());
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        query("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(tenant.to_string())
            .bind(tenant_name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        self.insert_user(&mut tx, tenant, user, &email, &hash, Role::Owner)
            .await?;
        let backend = self.inner.db.backend();
        if crate::operators::grant_if_first(&mut tx, backend, user, now).await? {
            tracing::info!(user_id = %user, "the installation's first account is its operator");
        }
        let session = self
            .start_session(&mut tx, tenant, user, Role::Owner, None)
            .await?;
        tx.commit().await.map_err(conflict_on_duplicate_email)?;
        tracing::info!(tenant_id = %tenant, user_id = %user, "tenant signed up");
        Ok(session)
    }

    /// Checks e-mail, password and (when enrolled) the TOTP code. Only failed attempts
    /// count towards the limits (per account and per client address): someone who keeps
    /// logging in correctly is never locked out, and a correct log-in clears the account's
    /// count.
    pub async fn login(&self, input: LoginInput, ip: Option<IpAddr>) -> Result<Session, AuthError> {
        let email = Email::parse(&input.email).map_err(|_| AuthError::InvalidCredentials)?;
        let settings = &self.inner.settings;
        let mut limits = vec![(
            format!("login:acct:{email}"),
            settings.login_attempts_per_account,
        )];
        if let Some(ip) = ip {
            limits.push((format!("login:ip:{ip}"), settings.login_attempts_per_ip));
        }
        for (key, limit) in &limits {
            self.refuse_if_limited(key, *limit).await?;
        }
        match self.check_login(&email, input).await {
            Ok(session) => {
                self.inner.limiter.reset(&limits[0].0).await?;
                Ok(session)
            }
            Err(e @ (AuthError::InvalidCredentials | AuthError::InvalidMfaCode)) => {
                for (key, limit) in &limits {
                    self.inner
                        .limiter
                        .hit(key, *limit, self.inner.settings.login_window)
                        .await?;
                }
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    async fn check_login(&self, email: &Email, input: LoginInput) -> Result<Session, AuthError> {
        let found = self.inner.db.find_login(email.as_str()).await?;
        let Some((user, tenant)) = found else {
            password::verify(input.password, None).await;
            return Err(AuthError::InvalidCredentials);
        };
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        let row = query("SELECT password_hash, role, totp_secret, totp_enabled_at FROM users WHERE id = $1 AND tenant_id = $2")
            .bind(user.to_string())
            .bind(tenant.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AuthError::InvalidCredentials)?;
        if !password::verify(input.password, Some(row.text("password_hash")?)).await {
            return Err(AuthError::InvalidCredentials);
        }
        if row.opt_int("totp_enabled_at")?.is_some() {
            let code = input
                .totp
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty());
            let code = code.ok_or(AuthError::MfaRequired)?;
            let sealed = row.opt_text("totp_secret")?.ok_or(AuthError::MfaRequired)?;
            mfa::use_code(self, &mut tx, tenant, user, email.as_str(), &sealed, code).await?;
        }
        let role = row.role("role")?;
        let session = self
            .start_session(&mut tx, tenant, user, role, None)
            .await?;
        tx.commit().await?;
        Ok(session)
    }

    /// Consumes a refresh token and issues the next pair.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Session, AuthError> {
        let hash = token::digest(refresh_token);
        let tenant = self
            .inner
            .db
            .tenant_of(TenantLookup::RefreshToken, &hash)
            .await?
            .ok_or(AuthError::InvalidToken)?;
        let now = self.now_ms();
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        // Consume atomically: of two concurrent presentations exactly one wins.
        let consumed = query(
            "UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND tenant_id = $3 \
             AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(&hash)
        .bind(tenant.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let row = query("SELECT user_id, family_id, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1 AND tenant_id = $2")
            .bind(&hash)
            .bind(tenant.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AuthError::InvalidToken)?;
        let family = row.text("family_id")?;
        if consumed == 0 {
            let reused = row.opt_int("used_at")?.is_some() && row.opt_int("revoked_at")?.is_none();
            if reused {
                revoke_family(&mut tx, tenant, &family, now).await?;
                tx.commit().await?;
                tracing::warn!(tenant_id = %tenant, family_id = %family, "refresh token reused; family revoked");
                return Err(AuthError::TokenReused);
            }
            return Err(AuthError::InvalidToken);
        }
        let user: UserId = row.id("user_id")?;
        let role = query("SELECT role FROM users WHERE id = $1 AND tenant_id = $2")
            .bind(user.to_string())
            .bind(tenant.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AuthError::InvalidToken)?
            .role("role")?;
        let session = self
            .start_session(&mut tx, tenant, user, role, Some(family))
            .await?;
        tx.commit().await?;
        Ok(session)
    }

    /// Revokes the refresh token's whole family. Unknown tokens are ignored: logging out
    /// twice is not an error.
    pub async fn logout(&self, refresh_token: &str) -> Result<(), AuthError> {
        let hash = token::digest(refresh_token);
        let Some(tenant) = self
            .inner
            .db
            .tenant_of(TenantLookup::RefreshToken, &hash)
            .await?
        else {
            return Ok(());
        };
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        let family =
            query("SELECT family_id FROM refresh_tokens WHERE token_hash = $1 AND tenant_id = $2")
                .bind(&hash)
                .bind(tenant.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(row) = family {
            revoke_family(&mut tx, tenant, &row.text("family_id")?, self.now_ms()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Verifies a JWT access token: its signature and expiry, and that the member is still
    /// there with the token version it was issued under (one indexed read: a removed
    /// member's or a demoted admin's tokens stop working at once, not when they expire).
    pub async fn authenticate_access_token(&self, jwt: &str) -> Result<Principal, AuthError> {
        let claims = self.inner.keys.verify(jwt, self.now_ms() / 1000)?;
        let row = self
            .inner
            .db
            .tenant_fetch_optional(
                claims.tid,
                query("SELECT token_version FROM users WHERE id = $1 AND tenant_id = $2")
                    .bind(claims.sub.to_string())
                    .bind(claims.tid.to_string()),
            )
            .await?
            .ok_or(AuthError::InvalidToken)?;
        if row.int("token_version")? != claims.ver {
            return Err(AuthError::InvalidToken);
        }
        Ok(Principal {
            tenant_id: claims.tid,
            user_id: Some(claims.sub),
            role: claims.role,
            method: AuthMethod::AccessToken,
        })
    }

    /// Refuses when `key` is over `limit` already; counts nothing.
    pub(crate) async fn refuse_if_limited(&self, key: &str, limit: u32) -> Result<(), AuthError> {
        match self
            .inner
            .limiter
            .peek(key, limit, self.inner.settings.login_window)
            .await?
        {
            Decision::Allowed => Ok(()),
            Decision::Limited { retry_after } => Err(AuthError::RateLimited {
                retry_after_secs: retry_after.as_secs().max(1),
            }),
        }
    }

    /// Counts an attempt and refuses when over the limit.
    pub(crate) async fn throttle(&self, key: &str, limit: u32) -> Result<(), AuthError> {
        match self
            .inner
            .limiter
            .hit(key, limit, self.inner.settings.login_window)
            .await?
        {
            Decision::Allowed => Ok(()),
            Decision::Limited { retry_after } => Err(AuthError::RateLimited {
                retry_after_secs: retry_after.as_secs().max(1),
            }),
        }
    }

    pub(crate) async fn insert_user(
        &self,
        conn: &mut AnyConnection,
        tenant: TenantId,
        user: UserId,
        email: &Email,
        password_hash: &str,
        role: Role,
    ) -> Result<(), AuthError> {
        query("INSERT INTO users (id, tenant_id, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(user.to_string())
            .bind(tenant.to_string())
            .bind(email.as_str())
            .bind(password_hash)
            .bind(role.as_str())
            .bind(self.now_ms())
            .execute(conn)
            .await
            .map_err(|e| conflict_on_duplicate_email(e.into()))?;
        Ok(())
    }

    /// Stores a new refresh token (in `family`, or a new one) and signs an access token.
    pub(crate) async fn start_session(
        &self,
        conn: &mut AnyConnection,
        tenant: TenantId,
        user: UserId,
        role: Role,
        family: Option<String>,
    ) -> Result<Session, AuthError> {
        let settings = &self.inner.settings;
        let now = self.now_ms();
        let refresh_token = token::generate("agr");
        query(
            "INSERT INTO refresh_tokens (id, tenant_id, user_id, family_id, token_hash, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(RefreshTokenId::new().to_string())
        .bind(tenant.to_string())
        .bind(user.to_string())
        .bind(family.unwrap_or_else(|| TokenFamilyId::new().to_string()))
        .bind(token::digest(&refresh_token))
        .bind(now + settings.refresh_ttl_secs * 1000)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        let version = query("SELECT token_version FROM users WHERE id = $1 AND tenant_id = $2")
            .bind(user.to_string())
            .bind(tenant.to_string())
            .fetch_optional(&mut *conn)
            .await?
            .map(|row| row.int("token_version"))
            .transpose()?
            .unwrap_or(0);
        let claims = Claims::new(
            user,
            tenant,
            role,
            version,
            now / 1000,
            settings.access_ttl_secs,
        );
        Ok(Session {
            access_token: self.inner.keys.issue(&claims)?,
            refresh_token,
            expires_in: settings.access_ttl_secs,
            refresh_expires_in: settings.refresh_ttl_secs,
            principal: Principal {
                tenant_id: tenant,
                user_id: Some(user),
                role,
                method: AuthMethod::AccessToken,
            },
        })
    }
}

async fn revoke_family(
    conn: &mut AnyConnection,
    tenant: TenantId,
    family: &str,
    now: i64,
) -> Result<(), AuthError> {
    query("UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND tenant_id = $3 AND revoked_at IS NULL")
        .bind(now)
        .bind(family)
        .bind(tenant.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

fn conflict_on_duplicate_email(err: agente_store::StoreError) -> AuthError {
    match err {
        agente_store::StoreError::Conflict(_) => {
            AuthError::Conflict("an account with this e-mail address already exists".into())
        }
        other => other.into(),
    }
}
