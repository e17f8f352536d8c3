//! Opaque bearer secrets (refresh tokens, API keys, invitations): generated at random, shown
//! to their owner once, stored only as a SHA-256 digest. A digest of 256 random bits needs no
//! salt or slow hash; the lookup is by digest, so timing reveals nothing about the secret.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A new secret `prefix_<43 base64url chars>` carrying 256 random bits.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The digest stored in place of the secret (hex).
pub fn digest(secret: &str) -> String {
    let hash = Sha256::digest(secret.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// A secret for `purpose` derived from `key` (the master key): every process of a
/// deployment derives the same one without sharing it separately, and it reveals nothing
/// of the key. Base64url, 43 characters.
pub fn derive(key: &str, purpose: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"agente derived secret\0");
    hash.update(purpose.as_bytes());
    hash.update(b"\0");
    hash.update(key.as_bytes());
    URL_SAFE_NO_PAD.encode(hash.finalize())
}

/// Compares two secrets without leaking where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_prefixed_and_digested() {
        let a = generate("agk");
        let b = generate("agk");
        assert!(a.starts_with("agk_") && a.len() == 4 + 43);
        assert_ne!(a, b);
        assert_eq!(digest(&a).len(), 64);
        assert_eq!(digest(&a), digest(&a.clone()));
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &b));
    }
}
