//! Slack incoming webhooks: `POST` of `{"text": …, "blocks": […]}` to the webhook URL,
//! answered `200 ok`, or a 4xx with a reason (`invalid_payload`, `no_service`,
//! `channel_is_archived`…) that another attempt will not fix, or 429 with `Retry-After`.

use crate::{NotifyError, http_failure, no_answer};
use agente_network::OutboundHttp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Slack's own limit on a message's text (characters).
pub const MAX_TEXT: usize = 40_000;

/// What to post.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SlackMessage {
    /// Shown as is, and in notifications when `blocks` are given.
    pub text: String,
    /// Block Kit layout, passed through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocks: Option<Value>,
}

/// Posts `message` to the incoming webhook `url` with `client` (the caller's network policy).
pub async fn send(
    client: &OutboundHttp,
    url: &str,
    message: &SlackMessage,
) -> Result<(), NotifyError> {
    if message.text.trim().is_empty() && message.blocks.is_none() {
        return Err(NotifyError::Permanent(
            "a Slack message needs text or blocks".into(),
        ));
    }
    if message.text.chars().count() > MAX_TEXT {
        return Err(NotifyError::Permanent(format!(
            "a Slack message has at most {MAX_TEXT} characters"
        )));
    }
    let url = reqwest::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http"))
        .ok_or_else(|| {
            NotifyError::Permanent("the Slack webhook URL is not an http(s) URL".into())
        })?;
    let answer = client
        .request(reqwest::Method::POST, url, false)
        .map_err(crate::refused)?
        .json(message)
        .send()
        .await
        .map_err(|e| no_answer("Slack", e))?;
    if answer.status().is_success() {
        return Ok(());
    }
    Err(http_failure("Slack", answer).await)
}
