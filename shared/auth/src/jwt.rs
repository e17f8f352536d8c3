//! Short-lived access tokens: HS256 JWTs naming the user, tenant and role.
//!
//! Only HS256 is accepted (so `alg: none` and algorithm confusion are refused by the
//! decoder), and expiry is checked against the service clock rather than the library's, so
//! that tests can move time.

use crate::AuthError;
use agente_core::{Role, TenantId, UserId};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

const ISSUER: &str = "agente";

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: UserId,
    pub tid: TenantId,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    /// The user's token version when it was issued: removing the member, changing their
    /// role or signing them out everywhere raises it, and older tokens stop working at once.
    #[serde(default)]
    pub ver: i64,
}

/// The signing secret, in both the forms the library needs.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(..)")
    }
}

impl JwtKeys {
    /// At least 32 bytes of secret; shorter secrets are refused.
    pub fn new(secret: &[u8]) -> Result<Self, AuthError> {
        if secret.len() < 32 {
            return Err(AuthError::Validation(
                "the JWT secret must have at least 32 bytes".into(),
            ));
        }
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        })
    }

    pub(crate) fn issue(&self, claims: &Claims) -> Result<String, AuthError> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| AuthError::Validation(format!("cannot sign token: {e}")))
    }

    /// Verifies signature, issuer and expiry (against `now_secs`).
    pub(crate) fn verify(&self, token: &str, now_secs: i64) -> Result<Claims, AuthError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        validation.set_issuer(&[ISSUER]);
        let claims = decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| AuthError::InvalidToken)?
            .claims;
        if claims.exp <= now_secs {
            return Err(AuthError::InvalidToken);
        }
        Ok(claims)
    }
}

impl Claims {
    pub(crate) fn new(
        user: UserId,
        tenant: TenantId,
        role: Role,
        version: i64,
        now_secs: i64,
        ttl_secs: i64,
    ) -> Self {
        Self {
            sub: user,
            tid: tenant,
            role,
            iat: now_secs,
            exp: now_secs + ttl_secs,
            iss: ISSUER.into(),
            ver: version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64_like::b64;

    /// Tiny base64url encoder for forging headers in tests.
    mod base64_like {
        pub fn b64(input: &[u8]) -> String {
            const T: &[u8; 64] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut out = String::new();
            for chunk in input.chunks(3) {
                let n = chunk
                    .iter()
                    .enumerate()
                    .fold(0u32, |acc, (i, b)| acc | (*b as u32) << (16 - 8 * i));
                for i in 0..=chunk.len() {
                    out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
                }
            }
            out
        }
    }

    fn keys() -> JwtKeys {
        JwtKeys::new(&[7u8; 32]).unwrap()
    }

    #[test]
    fn issues_and_verifies_until_expiry() {
        let claims = Claims::new(UserId::new(), TenantId::new(), Role::Editor, 0, 1_000, 900);
        let token = keys().issue(&claims).unwrap();
        assert_eq!(keys().verify(&token, 1_500).unwrap(), claims);
        assert!(matches!(
            keys().verify(&token, 1_900),
            Err(AuthError::InvalidToken)
        ));
    }

    #[test]
    fn refuses_forged_other_key_and_alg_none_tokens() {
        let claims = Claims::new(UserId::new(), TenantId::new(), Role::Owner, 0, 1_000, 900);
        let other = JwtKeys::new(&[9u8; 32]).unwrap().issue(&claims).unwrap();
        assert!(keys().verify(&other, 1_001).is_err());

        let body = b64(&serde_json::to_vec(&claims).unwrap());
        let none = format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), body);
        assert!(keys().verify(&none, 1_001).is_err());

        let token = keys().issue(&claims).unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let tampered = b64(&serde_json::to_vec(&Claims {
            role: Role::Owner,
            tid: TenantId::new(),
            ..claims
        })
        .unwrap());
        parts[1] = &tampered;
        assert!(keys().verify(&parts.join("."), 1_001).is_err());
        assert!(keys().verify("not a token", 1_001).is_err());
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(JwtKeys::new(b"short").is_err());
    }
}
