//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane, as
//! OWASP recommends).

use crate::AuthError;
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use std::sync::LazyLock;

/// Longer inputs are refused: hashing cost grows with length and nobody types more.
const MAX_LEN: usize = 128;
const MIN_LEN: usize = 10;

/// Checks the password policy.
pub fn validate(password: &str) -> Result<(), AuthError> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(AuthError::Validation(format!(
            "the password must have at least {MIN_LEN} characters"
        )));
    }
    if password.len() > MAX_LEN {
        return Err(AuthError::Validation(format!(
            "the password must have at most {MAX_LEN} bytes"
        )));
    }
    Ok(())
}

/// Hashes on a blocking thread: argon2 takes tens of milliseconds on purpose.
pub async fn hash(password: String) -> Result<String, AuthError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AuthError::Validation(format!("password cannot be hashed: {e}")))
    })
    .await
    .map_err(|e| AuthError::Validation(format!("password hashing was interrupted: {e}")))?
}

/// A hash of a random password, verified against when the account does not exist so that
/// timing does not reveal which e-mail addresses have accounts.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(b"no account has this password", &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// True when `password` matches `stored` (or, with `None`, always false after equal work).
pub async fn verify(password: String, stored: Option<String>) -> bool {
    if password.len() > MAX_LEN {
        return false;
    }
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(h.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(h)).await);
        assert!(!verify("anything at all".into(), None).await);
    }

    #[test]
    fn policy_bounds_length() {
        assert!(validate("short").is_err());
        assert!(validate(&"x".repeat(129)).is_err());
        assert!(validate("long enough pass").is_ok());
    }
}
