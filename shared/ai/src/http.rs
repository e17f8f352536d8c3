//! Sending a request to a model provider: retries with exponential back-off and jitter on
//! 429, 408 and 5xx (Anthropic's 529 "overloaded" included) and on connection failures,
//! honouring `retry-after-ms` / `Retry-After` (seconds or an HTTP date). A wait longer than
//! the policy allows is not waited for: the caller falls back to the next provider instead.

use crate::AiError;
use agente_network::OutboundError;
use rand::Rng;
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, Response, StatusCode};
use std::time::{Duration, SystemTime};

/// How hard to try one provider.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Attempts in all (1: no retry).
    pub attempts: u32,
    /// The first back-off; it doubles per attempt (with jitter).
    pub base: Duration,
    /// The longest wait between attempts, `Retry-After` included.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            base: Duration::from_millis(500),
            max_wait: Duration::from_secs(20),
        }
    }
}

/// Most characters of a provider's error text kept in an error.
const MESSAGE_CHARS: usize = 300;
/// Most bytes of an error answer read.
const ERROR_BODY_READ: usize = 16 * 1024;
/// Largest answer read whole (a completion; streams are cut off in `sse.rs`).
const MAX_ANSWER: usize = 8 * 1024 * 1024;

/// A whole answer as JSON, read with a byte cap.
pub(crate) async fn json_answer(response: Response) -> Result<serde_json::Value, String> {
    let body = agente_network::read_capped(response, MAX_ANSWER)
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&body).map_err(|e| format!("not JSON: {e}"))
}

/// Sends what `make` builds until it succeeds, fails for good, or the attempts are spent.
pub(crate) async fn send(
    provider: &str,
    policy: &RetryPolicy,
    make: impl Fn() -> Result<RequestBuilder, OutboundError>,
) -> Result<Response, AiError> {
    let mut attempt = 1;
    loop {
        // A refused destination is refused again: no retry, next provider.
        let request = make().map_err(|e| AiError::Unreachable {
            provider: provider.into(),
            message: e.to_string(),
        })?;
        let failure = match request.send().await {
            Ok(response) if response.status().is_success() => return Ok(response),
            Ok(response) => {
                let status = response.status();
                let wait = retry_after(response.headers());
                let body = agente_network::text_prefix(response, ERROR_BODY_READ).await;
                let error = AiError::Provider {
                    provider: provider.into(),
                    status: status.as_u16(),
                    message: error_message(&body, status),
                    retryable: retryable(status),
                };
                (error, wait)
            }
            Err(e) if e.is_timeout() => (
                AiError::Timeout {
                    provider: provider.into(),
                },
                None,
            ),
            Err(e) => (
                AiError::Unreachable {
                    provider: provider.into(),
                    // Without the URL: a base URL may carry a key in its query.
                    message: OutboundError::transport(e).to_string(),
                },
                None,
            ),
        };
        let (error, asked) = failure;
        if attempt >= policy.attempts || !error.falls_back() {
            return Err(error);
        }
        let wait = asked.unwrap_or_else(|| backoff(policy, attempt));
        if wait > policy.max_wait {
            tracing::info!(
                provider,
                wait_ms = wait.as_millis() as u64,
                "the provider asks for a longer wait than allowed; giving up on it"
            );
            return Err(error);
        }
        tracing::debug!(provider, attempt, wait_ms = wait.as_millis() as u64, error = %error, "retrying");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
        || status.is_server_error()
}

/// `base · 2^(attempt-1)`, between half and all of it (jitter spreads clients apart).
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let full = policy.base.saturating_mul(1 << (attempt - 1).min(16));
    let half = full / 2;
    half + full
        .saturating_sub(half)
        .mul_f64(rand::thread_rng().r#gen::<f64>())
}

/// The wait a 429/503 asks for: OpenAI's `retry-after-ms`, else `Retry-After` in seconds
/// (whole or not) or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    // `try_from`: a provider (a tenant's own) may send 1e300 or -1; that is no wait we
    // take, and never a panic.
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok())
        && let Ok(wait) = Duration::try_from_secs_f64(ms / 1_000.0)
    {
        return Some(wait);
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok();
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

/// The provider's own words: `error.message` in OpenAI's and Anthropic's error bodies, else
/// the body's start, else the status.
fn error_message(body: &str, status: StatusCode) -> String {
    let parsed: Option<String> = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .or_else(|| v.get("message"))
                .and_then(|m| m.as_str())
                .map(str::to_string)
        });
    let text = parsed.unwrap_or_else(|| body.trim().to_string());
    if text.is_empty() {
        return status.canonical_reason().unwrap_or("an error").to_string();
    }
    text.chars().take(MESSAGE_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn waits_come_from_either_header_form() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after", HeaderValue::from_static("0.5"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(500)));
        h.insert("retry-after-ms", HeaderValue::from_static("120"));
        assert_eq!(
            retry_after(&h),
            Some(Duration::from_millis(120)),
            "the finer one wins"
        );
        let mut h = HeaderMap::new();
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        h.insert("retry-after", HeaderValue::from_str(&soon).unwrap());
        let wait = retry_after(&h).unwrap();
        assert!(
            wait <= Duration::from_secs(30) && wait >= Duration::from_secs(28),
            "{wait:?}"
        );
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("-3"));
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("1e300"));
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after-ms", HeaderValue::from_static("1e300"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn back_off_doubles_within_its_jitter() {
        let p = RetryPolicy::default();
        for attempt in 1..=4 {
            let full = p.base * (1 << (attempt - 1));
            let wait = backoff(&p, attempt);
            assert!(wait >= full / 2 && wait <= full, "{attempt}: {wait:?}");
        }
    }

    #[test]
    fn provider_errors_are_read_from_their_bodies() {
        let openai = r#"{"error":{"message":"Rate limit reached for gpt-4.1","type":"requests"}}"#;
        assert_eq!(
            error_message(openai, StatusCode::TOO_MANY_REQUESTS),
            "Rate limit reached for gpt-4.1"
        );
        let anthropic =
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        assert_eq!(
            error_message(anthropic, StatusCode::from_u16(529).unwrap()),
            "Overloaded"
        );
        assert_eq!(error_message("", StatusCode::BAD_GATEWAY), "Bad Gateway");
        assert_eq!(
            error_message(&"x".repeat(1_000), StatusCode::BAD_GATEWAY).len(),
            MESSAGE_CHARS
        );
        assert!(retryable(StatusCode::from_u16(529).unwrap()));
        assert!(!retryable(StatusCode::BAD_REQUEST));
        assert!(!retryable(StatusCode::UNAUTHORIZED));
    }
}
