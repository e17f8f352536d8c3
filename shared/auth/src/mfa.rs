//! TOTP (RFC 6238) second factor: enrol, confirm with a first code, disable with a code.
//! The shared secret is stored sealed under the master key, bound to tenant and user.

use crate::service::RowExt;
use crate::{AuthError, AuthService, Principal};
use agente_core::{TenantId, UserId};
use agente_store::AnyConnection;
use agente_store::sqlx::query;
use serde::Serialize;
use totp_rs::{Algorithm, Secret, TOTP};

/// What an authenticator app needs to start producing codes. Shown once.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MfaEnrolment {
    /// Base32 secret for manual entry.
    pub secret: String,
    /// `otpauth://` URL for a QR code.
    pub otpauth_url: String,
}

const ISSUER: &str = "Agente";
/// TOTP's time step, seconds.
const STEP_SECS: i64 = 30;

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

/// The time step (30 s) `code` belongs to, checked against the sealed secret at the
/// service clock's time (±1 step for clock drift); `None` when it matches none.
fn matching_step(
    service: &AuthService,
    tenant: TenantId,
    user: UserId,
    email: &str,
    sealed: &str,
    code: &str,
) -> Result<Option<i64>, AuthError> {
    let secret = service
        .inner
        .secrets
        .open(sealed, &seal_context(tenant, user))
        .map_err(|e| agente_store::StoreError::Corrupt(e.to_string()))?;
    let totp = totp(secret, email)?;
    let now_step = (service.now_ms() / 1000).max(0) / STEP_SECS;
    if code.len() != 6 {
        return Ok(None);
    }
    // Newest first: of two steps that match, the later one is the one being used.
    Ok([now_step + 1, now_step, now_step - 1]
        .into_iter()
        .filter(|step| *step >= 0)
        .find(|step| {
            agente_core::token::constant_time_eq(&totp.generate((step * STEP_SECS) as u64), code)
        }))
}

/// Checks a code and spends it: a code (its time step, or an earlier one) is accepted once,
/// so one seen over a shoulder or in a proxy log cannot be replayed. Runs in the caller's
/// transaction, which must commit for the code to count as used.
pub(crate) async fn use_code(
    service: &AuthService,
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
    email: &str,
    sealed: &str,
    code: &str,
) -> Result<(), AuthError> {
    let step = matching_step(service, tenant, user, email, sealed, code.trim())?
        .ok_or(AuthError::InvalidMfaCode)?;
    let fresh = query(
        "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND tenant_id = $3 \
         AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(user.to_string())
    .bind(tenant.to_string())
    .execute(conn)
    .await?
    .rows_affected();
    if fresh == 0 {
        return Err(AuthError::InvalidMfaCode);
    }
    Ok(())
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

    /// Confirms enrolment with a first code; from now on log-in asks for one. Needs the
    /// password too.
    pub async fn mfa_confirm(
        &self,
        principal: &Principal,
        code: &str,
        password: &str,
    ) -> Result<(), AuthError> {
        self.mfa_set(principal, code, password, true).await
    }

    /// Turns MFA off; needs the password and a current code, so a stolen session cannot.
    pub async fn mfa_disable(
        &self,
        principal: &Principal,
        code: &str,
        password: &str,
    ) -> Result<(), AuthError> {
        self.mfa_set(principal, code, password, false).await
    }

    /// Failed attempts (wrong password or code) are counted per member like log-ins: a
    /// stolen session cannot guess its way through the six digits.
    async fn mfa_set(
        &self,
        principal: &Principal,
        code: &str,
        password: &str,
        enable: bool,
    ) -> Result<(), AuthError> {
        let user = principal.user()?;
        let key = format!("mfa:{user}");
        let limit = self.inner.settings.login_attempts_per_account;
        self.refuse_if_limited(&key, limit).await?;
        match self
            .mfa_change(principal, user, code, password, enable)
            .await
        {
            Err(e @ (AuthError::InvalidCredentials | AuthError::InvalidMfaCode)) => {
                self.inner
                    .limiter
                    .hit(&key, limit, self.inner.settings.login_window)
                    .await?;
                Err(e)
            }
            other => other,
        }
    }

    async fn mfa_change(
        &self,
        principal: &Principal,
        user: UserId,
        code: &str,
        password: &str,
        enable: bool,
    ) -> Result<(), AuthError> {
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
        if !crate::password::verify(password.to_string(), Some(row.text("password_hash")?)).await {
            return Err(AuthError::InvalidCredentials);
        }
        use_code(
            self,
            &mut tx,
            tenant,
            user,
            &row.text("email")?,
            &sealed,
            code,
        )
        .await?;
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
        query("SELECT email, password_hash, totp_secret, totp_enabled_at FROM users WHERE id = $1 AND tenant_id = $2")
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
