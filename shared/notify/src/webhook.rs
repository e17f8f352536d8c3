//! Signed webhooks: a JSON `POST` with the event, a delivery id (receivers drop repeats by
//! it) and `X-Agente-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` — the
//! scheme Stripe uses, so receivers can check origin and freshness. [`verify`] is what a
//! receiver runs (and what the tests run).

use crate::{NotifyError, http_failure, no_answer};
use agente_network::OutboundHttp;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub const SIGNATURE_HEADER: &str = "x-agente-signature";
pub const EVENT_HEADER: &str = "x-agente-event";
pub const DELIVERY_HEADER: &str = "x-agente-delivery";

/// One delivery.
#[derive(Clone, Debug)]
pub struct Delivery<'a> {
    pub url: &'a str,
    /// The shared secret the receiver verifies with.
    pub secret: &'a [u8],
    /// What happened, e.g. `execution.failed`.
    pub event: &'a str,
    /// Unique per delivery; a retried delivery keeps its id.
    pub id: &'a str,
    pub payload: &'a Value,
}

/// Why a signature does not hold.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is malformed")]
    Malformed,
    #[error("the signature is older than the tolerance")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

/// Posts `delivery` with `client` (the caller's network policy), signed at `now_s`. Answers
/// the receiver's status.
pub async fn send(
    client: &OutboundHttp,
    delivery: &Delivery<'_>,
    now_s: i64,
) -> Result<u16, NotifyError> {
    let url = reqwest::Url::parse(delivery.url)
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http"))
        .ok_or_else(|| NotifyError::Permanent("the webhook URL is not an http(s) URL".into()))?;
    let body = serde_json::to_vec(delivery.payload)
        .map_err(|e| NotifyError::Permanent(format!("the payload is not JSON: {e}")))?;
    let answer = client
        .request(reqwest::Method::POST, url, false)
        .map_err(crate::refused)?
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(EVENT_HEADER, delivery.event)
        .header(DELIVERY_HEADER, delivery.id)
        .header(SIGNATURE_HEADER, signature(delivery.secret, now_s, &body))
        .body(body)
        .send()
        .await
        .map_err(|e| no_answer("the webhook", e))?;
    let status = answer.status();
    if status.is_success() {
        return Ok(status.as_u16());
    }
    Err(http_failure("the webhook", answer).await)
}

/// The header value for `body` signed at `timestamp` (Unix seconds).
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", hex(&mac(secret, timestamp, body)))
}

/// Checks a signature header: one of its `v1` values must match (in constant time; several
/// are allowed while a secret is rotated) and `t` be within `tolerance_s` of `now_s`.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now_s: i64,
    tolerance_s: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => candidates.push(v.to_string()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now_s - timestamp).abs() > tolerance_s {
        return Err(SignatureError::Stale);
    }
    let expected = hex(&mac(secret, timestamp, body));
    let matches = candidates
        .iter()
        .any(|c| bool::from(c.as_bytes().ct_eq(expected.as_bytes())));
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any size");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_a_changed_body_secret_or_time_does_not() {
        let header = signature(b"s3cret", 1_700_000_000, b"{\"a\":1}");
        assert!(header.starts_with("t=1700000000,v1="));
        assert_eq!(
            verify(b"s3cret", &header, b"{\"a\":1}", 1_700_000_100, 300),
            Ok(())
        );
        assert_eq!(
            verify(b"s3cret", &header, b"{\"a\":2}", 1_700_000_100, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"other", &header, b"{\"a\":1}", 1_700_000_100, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"s3cret", &header, b"{\"a\":1}", 1_700_000_301, 300),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(b"s3cret", "v1=abc", b"", 0, 300),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn any_of_several_v1_values_may_match_while_a_secret_rotates() {
        let new = signature(b"new", 10, b"x");
        let v1 = new.split_once("v1=").unwrap().1;
        let header = format!("t=10,v1=deadbeef,v1={v1}");
        assert_eq!(verify(b"new", &header, b"x", 10, 300), Ok(()));
    }

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_dot_body() {
        // RFC 4231 style check against an independently computed value.
        let header = signature(b"key", 1, b"body");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        mac.update(b"1.body");
        assert_eq!(
            header,
            format!("t=1,v1={}", hex(&mac.finalize().into_bytes()))
        );
    }
}
