//! TOTP (RFC 6238) second factor: enrol, confirm with a first code, disable with a code.
//! The shared secret is stored sealed under the master key, bound to tenant and user.

use crate::service::RowExt;
use crate::{AuthError, AuthService, Principal};
use agente_core::{TenantId, UserId};
use agente_store::sqlx::query;
use serde::Serialize;
use totp_rs::{Algorithm, Secret, TOTP};

/// What an authenticator app needs to start producing codes. Shown once.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MfaEnrolment {
    /// Base32 secret for manual entry.
    pub secret: String,
    /// `otpauth://` URL for a QR code.
    pub otpauth_url: String,
}

const ISSUER: &str = "Agente";

fn totp(secret: Vec<u8>, account: &str) -> Result<TOTP, AuthError> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        secret,
        Some(ISSUER.into()),
        account.replace(':', "_"),
    )
    .map_err(|e| AuthError::Validation(format!("cannot set up TOTP: {e}")))
}

fn seal_context(tenant: TenantId, user: UserId) -> String {
    format!("totp/{tenant}/{user}")
}

/// Checks `code` against the sealed secret at the service clock's time (±1 step).
pub(crate) fn check_code(
    service: &AuthService,
    tenant: TenantId,
    user: UserId,
    email: &str,
    sealed: &str,
    code: &str,
) -> Result<bool, AuthError> {
    let secret = service
        .inner
        .secrets
        .open(sealed, &seal_context(tenant, user))
        .map_err(|e| agente_store::StoreError::Corrupt(e.to_string()))?;
    let now = (service.now_ms() / 1000).max(0) as u64;
    Ok(code.len() == 6 && totp(secret, email)?.check(code, now))
}

impl AuthService {
    /// Starts enrolment: a new secret, not yet required at log-in.
    pub async fn mfa_enrol(&self, principal: &Principal) -> Result<MfaEnrolment, AuthError> {
        let user = principal.user()?;
        let tenant = principal.tenant_id;
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        let row = self.load_mfa(&mut tx, tenant, user).await?;
        if row.opt_int("totp_enabled_at")?.is_some() {
            return Err(AuthError::Conflict(
                "two-factor authentication is already on; disable it first".into(),
            ));
        }
        let secret = Secret::generate_secret()
            .to_bytes()
            .map_err(|e| AuthError::Validation(e.to_string()))?;
        let totp = totp(secret.clone(), &row.text("email")?)?;
        let sealed = self
            .inner
            .secrets
            .seal(&secret, &seal_context(tenant, user));
        query("UPDATE users SET totp_secret = $1 WHERE id = $2 AND tenant_id = $3")
            .bind(sealed)
            .bind(user.to_string())
            .bind(tenant.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(MfaEnrolment {
            secret: totp.get_secret_base32(),
            otpauth_url: totp.get_url(),
        })
    }

    /// Confirms enrolment with a first code; from now on log-in asks for one.
    pub async fn mfa_confirm(&self, principal: &Principal, code: &str) -> Result<(), AuthError> {
        self.mfa_set(principal, code, true).await
    }

    /// Turns MFA off; needs a current code so a stolen session cannot do it.
    pub async fn mfa_disable(&self, principal: &Principal, code: &str) -> Result<(), AuthError> {
        self.mfa_set(principal, code, false).await
    }

    async fn mfa_set(
        &self,
        principal: &Principal,
        code: &str,
        enable: bool,
    ) -> Result<(), AuthError> {
        let user = principal.user()?;
        let tenant = principal.tenant_id;
        let mut tx = self.inner.db.tenant_tx(tenant).await?;
        let row = self.load_mfa(&mut tx, tenant, user).await?;
        let enabled = row.opt_int("totp_enabled_at")?.is_some();
        let Some(sealed) = row.opt_text("totp_secret")? else {
            return Err(AuthError::Conflict("start enrolment first".into()));
        };
        if enable == enabled {
            let state = if enabled { "on" } else { "off" };
            return Err(AuthError::Conflict(format!(
                "two-factor authentication is already {state}"
            )));
        }
        if !check_code(
            self,
            tenant,
            user,
            &row.text("email")?,
            &sealed,
            code.trim(),
        )? {
            return Err(AuthError::InvalidMfaCode);
        }
        let update = if enable {
            query("UPDATE users SET totp_enabled_at = $1 WHERE id = $2 AND tenant_id = $3")
                .bind(self.now_ms())
        } else {
            query(
                "UPDATE users SET totp_enabled_at = NULL, totp_secret = NULL WHERE id = $1 AND tenant_id = $2",
            )
        };
        update
            .bind(user.to_string())
            .bind(tenant.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn load_mfa(
        &self,
        conn: &mut agente_store::AnyConnection,
        tenant: TenantId,
        user: UserId,
    ) -> Result<agente_store::AnyRow, AuthError> {
        query("SELECT email, totp_secret, totp_enabled_at FROM users WHERE id = $1 AND tenant_id = $2")
            .bind(user.to_string())
            .bind(tenant.to_string())
            .fetch_optional(conn)
            .await?
            .ok_or(AuthError::Unauthenticated)
    }
}

/// The code an authenticator would show at `unix_secs` (for tests and the CLI).
pub fn code_at(secret_base32: &str, unix_secs: u64) -> Option<String> {
    let secret = Secret::Encoded(secret_base32.to_string()).to_bytes().ok()?;
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, secret, None, String::new()).ok()?;
    Some(totp.generate(unix_secs))
}
