//! Secrets at rest: AES-256-GCM under the master key.
//!
//! Stored form: `v1.` + base64url(nonce ‖ ciphertext ‖ tag). The version prefix lets a later
//! key rotation tell old ciphertexts from new ones. The caller passes an "associated data"
//! string (e.g. the tenant id and purpose) so a ciphertext copied into another tenant's row
//! does not decrypt there.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore;

/// Encrypts and decrypts small secrets with the master key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretBoxError {
    #[error("the master key must be 32 bytes of standard base64")]
    BadKey,
    #[error("the stored secret is corrupt or was encrypted under another key")]
    Undecryptable,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

impl SecretBox {
    /// From the base64 form used by `AGENTE_MASTER_KEY`.
    pub fn from_base64(key: &str) -> Result<Self, SecretBoxError> {
        let bytes = STANDARD
            .decode(key.trim())
            .map_err(|_| SecretBoxError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SecretBoxError::BadKey)?;
        Ok(Self::from_bytes(&key))
    }

    pub fn from_bytes(key: &[u8; 32]) -> Self {
        Self {
            cipher: Aes256Gcm::new(key.into()),
        }
    }

    /// A new random key in the base64 form `from_base64` accepts.
    pub fn generate_key() -> String {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        STANDARD.encode(key)
    }

    pub fn seal(&self, plaintext: &[u8], context: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        format!("v1.{}", URL_SAFE_NO_PAD.encode(out))
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, SecretBoxError> {
        let raw = sealed
            .strip_prefix("v1.")
            .and_then(|b| URL_SAFE_NO_PAD.decode(b).ok())
            .filter(|raw| raw.len() > 12)
            .ok_or(SecretBoxError::Undecryptable)?;
        let (nonce, ciphertext) = raw.split_at(12);
        let nonce: [u8; 12] = nonce
            .try_into()
            .map_err(|_| SecretBoxError::Undecryptable)?;
        self.cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SecretBoxError::Undecryptable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_under_the_same_context_only() {
        let sb = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        let sealed = sb.seal(b"JBSWY3DPEHPK3PXP", "tenant-a/totp");
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            sb.open(&sealed, "tenant-a/totp").unwrap(),
            b"JBSWY3DPEHPK3PXP"
        );
        assert_eq!(
            sb.open(&sealed, "tenant-b/totp"),
            Err(SecretBoxError::Undecryptable)
        );
        let other = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        assert_eq!(
            other.open(&sealed, "tenant-a/totp"),
            Err(SecretBoxError::Undecryptable)
        );
        assert_eq!(
            sb.open("v1.garbage", "x"),
            Err(SecretBoxError::Undecryptable)
        );
    }

    #[test]
    fn rejects_keys_of_the_wrong_size() {
        assert_eq!(
            SecretBox::from_base64("c2hvcnQ=").unwrap_err(),
            SecretBoxError::BadKey
        );
    }
}
