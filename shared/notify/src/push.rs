//! Web Push (RFC 8030) to installed PWAs: the payload is encrypted for the one browser that
//! subscribed (RFC 8291, `aes128gcm`) and the request signed with this server's VAPID key
//! (RFC 8292), which the browser was given as `applicationServerKey` when it subscribed.

use crate::NotifyError;
use agente_network::OutboundHttp;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256KeyPair};
use web_push_native::{Auth, WebPushBuilder, p256};

/// Largest payload before encryption: push services take 4,096 bytes encrypted, and the
/// record adds 86 bytes (header, padding delimiter, tag).
pub const MAX_PAYLOAD: usize = 3_993;

/// This server's VAPID key pair.
#[derive(Clone)]
pub struct Vapid {
    key: Arc<ES256KeyPair>,
    /// `mailto:` or `https:` address push services may contact about this sender.
    contact: String,
}

impl std::fmt::Debug for Vapid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vapid")
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl Vapid {
    /// A new private key, base64url (the form `from_base64` reads).
    pub fn generate_key() -> String {
        URL_SAFE_NO_PAD.encode(ES256KeyPair::generate().to_bytes())
    }

    /// From a base64url private key (32 bytes) and a contact (`mailto:…` or `https://…`).
    pub fn from_base64(private_key: &str, contact: &str) -> Result<Self, String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(private_key.trim().trim_end_matches('='))
            .map_err(|_| "the VAPID private key is not base64url".to_string())?;
        // The curve crate panics on a scalar of the wrong length: check it first.
        if bytes.len() != 32 {
            return Err("the VAPID private key is not a P-256 private key (32 bytes)".into());
        }
        let key = ES256KeyPair::from_bytes(&bytes)
            .map_err(|_| "the VAPID private key is not a P-256 private key".to_string())?;
        if !(contact.starts_with("mailto:") || contact.starts_with("https://")) {
            return Err("the VAPID contact must be a mailto: or https: URL".into());
        }
        Ok(Self {
            key: Arc::new(key),
            contact: contact.to_string(),
        })
    }

    /// The public key browsers subscribe with (`applicationServerKey`): the uncompressed
    /// point, base64url.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.public_key().public_key().to_bytes_uncompressed())
    }
}

/// A browser's subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Subscription {
    pub endpoint: String,
    pub keys: SubscriptionKeys,
}

#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SubscriptionKeys {
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// Its 16-byte authentication secret, base64url.
    pub auth: String,
}

/// The endpoint is a capability (whoever has it can push): kept out of logs.
impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Subscription(..)")
    }
}

impl Subscription {
    /// Says what is wrong with a subscription a browser sent, before it is stored.
    pub fn check(&self) -> Result<(), String> {
        self.parts().map(|_| ())
    }

    /// The push service's host, for lists ("fcm.googleapis.com").
    pub fn service(&self) -> String {
        reqwest::Url::parse(&self.endpoint)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default()
    }

    fn parts(&self) -> Result<(http::Uri, p256::PublicKey, Auth), String> {
        if self.endpoint.len() > 2_048 {
            return Err("the push endpoint is longer than 2,048 characters".into());
        }
        let url = reqwest::Url::parse(&self.endpoint)
            .map_err(|_| "the push endpoint is not a URL".to_string())?;
        if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
            return Err("the push endpoint must be an http(s) URL".into());
        }
        let endpoint: http::Uri = self
            .endpoint
            .parse()
            .map_err(|_| "the push endpoint is not a URL".to_string())?;
        let decode = |s: &str| URL_SAFE_NO_PAD.decode(s.trim().trim_end_matches('='));
        let public = decode(&self.keys.p256dh)
            .ok()
            .filter(|k| k.len() == 65)
            .and_then(|k| p256::PublicKey::from_sec1_bytes(&k).ok())
            .ok_or("the subscription's p256dh key is not a P-256 public key")?;
        let auth = decode(&self.keys.auth)
            .ok()
            .filter(|a| a.len() == 16)
            .ok_or("the subscription's auth secret is not 16 bytes")?;
        let mut secret = Auth::default();
        secret.copy_from_slice(&auth);
        Ok((endpoint, public, secret))
    }
}

/// Sends `payload` (at most [`MAX_PAYLOAD`] bytes) to one browser; the push service keeps
/// it up to `ttl` while the device is offline. [`NotifyError::Gone`]: the subscription
/// ended (unsubscribed, expired) and should be forgotten.
pub async fn send(
    client: &OutboundHttp,
    vapid: &Vapid,
    subscription: &Subscription,
    payload: &[u8],
    ttl: Duration,
) -> Result<(), NotifyError> {
    if payload.len() > MAX_PAYLOAD {
        return Err(NotifyError::Permanent(format!(
            "a push message is limited to {MAX_PAYLOAD} bytes, this one has {}",
            payload.len()
        )));
    }
    let (endpoint, public, auth) = subscription.parts().map_err(NotifyError::Permanent)?;
    let request = WebPushBuilder::new(endpoint, public, auth)
        .with_valid_duration(ttl)
        .with_vapid(&vapid.key, &vapid.contact)
        .build(payload.to_vec())
        .map_err(|e| NotifyError::Permanent(format!("the push message cannot be built: {e}")))?;
    let (parts, body) = request.into_parts();
    let mut call = client
        .post(&subscription.endpoint)
        .map_err(crate::refused)?
        .timeout(Duration::from_secs(15))
        .body(body);
    for (name, value) in &parts.headers {
        call = call.header(name.as_str(), value.as_bytes());
    }
    let answer = call
        .send()
        .await
        .map_err(|e| crate::no_answer("the push service", e))?;
    let status = answer.status();
    if status.is_success() {
        return Ok(());
    }
    if matches!(status.as_u16(), 404 | 410) {
        return Err(NotifyError::Gone(format!(
            "the push service answered {status}: the subscription ended"
        )));
    }
    Err(crate::http_failure("the push service", answer).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_of_the_wrong_length_is_an_error_not_a_panic() {
        for key in ["", "AAAA", &URL_SAFE_NO_PAD.encode([7u8; 31])] {
            assert!(
                Vapid::from_base64(key, "mailto:ops@example.com").is_err(),
                "{key}"
            );
        }
        let key = Vapid::generate_key();
        assert!(Vapid::from_base64(&key, "mailto:ops@example.com").is_ok());
        assert!(Vapid::from_base64(&key, "ops@example.com").is_err());
    }
}
