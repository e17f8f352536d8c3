//! Slack (`n8n-nodes-base.slack`, v2.x): posts a message with Slack's Web API
//! (`chat.postMessage`) with the `slackApi` access token or the `slackOAuth2Api` token, as
//! n8n's node does —
//! to a channel or a user (resource locators), as text or Block Kit blocks, optionally in a
//! thread. Slack answers failures with HTTP 200 and `{"ok": false, "error": …}`; the node
//! fails with that reason. Other resources and operations answer a clear error.
//!
//! The credential may carry `baseUrl` (not in n8n; default `https://slack.com/api`) for a
//! Slack-compatible API; the network policy applies to it like to any URL.

use crate::{Item, NodeContext, NodeError};
use serde_json::{Map, Value, json};
use std::time::Duration;

const SLACK_API: &str = "https://slack.com/api";
const ATTRIBUTION: &str = "\n_Automated with Agente_";
/// Largest Slack answer read (they are a few hundred bytes).
const MAX_REPLY_BYTES: usize = 1024 * 1024;

pub async fn run(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let (token, url) = access(ctx)?;
    let mut out = Vec::with_capacity(ctx.input().len());
    for i in 0..ctx.input().len() {
        let (resource, operation) = (
            ctx.string("resource", i, "message")?,
            ctx.string("operation", i, "post")?,
        );
        if (resource.as_str(), operation.as_str()) != ("message", "post") {
            return Err(NodeError::parameter(
                "operation",
                format!("`{resource}` / `{operation}` is not supported; only message / post is"),
            ));
        }
        let body = message(ctx, i)?;
        let answer = ctx
            .http()
            .request(reqwest::Method::POST, url.clone(), true)
            .map_err(|e| NodeError::Failed(format!("the Slack API URL: {e}")))?
            .bearer_auth(&token)
            .json(&body)
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map_err(|e| {
                NodeError::Failed(format!("Slack could not be reached: {}", e.without_url()))
            })?;
        let status = answer.status();
        let retry_after = agente_network::retry_after(answer.headers());
        let reply: Value = agente_network::read_capped(answer, MAX_REPLY_BYTES)
            .await
            .ok()
            .and_then(|body| serde_json::from_slice(&body).ok())
            .unwrap_or(Value::Null);
        if status.as_u16() == 429 {
            let wait = retry_after.map_or("a few".to_string(), |d| d.as_secs().to_string());
            return Err(NodeError::Failed(format!(
                "Slack is rate limiting; retry after {wait} s"
            )));
        }
        if !status.is_success() || reply.get("ok") != Some(&Value::Bool(true)) {
            let reason = reply
                .get("error")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("HTTP {status}"));
            return Err(NodeError::Failed(format!(
                "Slack refused the message: {reason}"
            )));
        }
        let mut json = reply;
        if let Some(ts) = json.get("ts").cloned() {
            json["message_timestamp"] = ts;
        }
        out.push(Item::from_value(json).paired(i));
    }
    Ok(out)
}

/// The token to send and the `chat.postMessage` URL (checked by the network policy).
fn access(ctx: &NodeContext<'_>) -> Result<(String, reqwest::Url), NodeError> {
    // n8n's two ways in: a `slackApi` access token, or the `slackOAuth2Api` credential's
    // token data (the user token n8n's node sends, else the bot token). Connecting OAuth2
    // happens where the credential was made; the token is used as stored.
    let (credential, token) = match ctx.string("authentication", 0, "accessToken")?.as_str() {
        "accessToken" => {
            let credential = ctx.credential("slackApi")?;
            let token = credential.get("accessToken").and_then(Value::as_str);
            (credential, token)
        }
        "oAuth2" => {
            let credential = ctx.credential("slackOAuth2Api")?;
            let data = credential.get("oauthTokenData");
            let token = data
                .and_then(|d| d.pointer("/authed_user/access_token"))
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .or_else(|| {
                    data.and_then(|d| d.get("access_token"))
                        .and_then(Value::as_str)
                });
            (credential, token)
        }
        other => {
            return Err(NodeError::parameter(
                "authentication",
                format!("`{other}` is not a Slack authentication; use accessToken or oAuth2"),
            ));
        }
    };
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| NodeError::Failed("the Slack credential has no access token".into()))?
        .to_string();
    let base = credential
        .get("baseUrl")
        .and_then(Value::as_str)
        .filter(|b| !b.is_empty())
        .unwrap_or(SLACK_API)
        .trim_end_matches('/')
        .to_string();
    let url = reqwest::Url::parse(&format!("{base}/chat.postMessage"))
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http"))
        .ok_or_else(|| NodeError::Failed("the Slack API URL is not an http(s) URL".into()))?;
    ctx.network()
        .check_url(&url)
        .map_err(|e| NodeError::Failed(format!("the Slack API URL: {e}")))?;
    Ok((token, url))
}

/// The `chat.postMessage` body for item `i`.
fn message(ctx: &NodeContext<'_>, i: usize) -> Result<Value, NodeError> {
    let target = ctx.string("select", i, "channel")?;
    let channel = match target.as_str() {
        "user" => super::locator(ctx, "user", i)?,
        _ => {
            let value = super::locator(ctx, "channelId", i)?;
            // A channel URL (`…/archives/C0123`) names the channel by its last segment.
            value
                .rsplit('/')
                .find(|s| !s.is_empty())
                .unwrap_or_default()
                .to_string()
        }
    };
    if channel.is_empty() {
        return Err(NodeError::parameter(
            if target == "user" {
                "user"
            } else {
                "channelId"
            },
            "no channel or user chosen",
        ));
    }
    let mut body = Map::new();
    body.insert("channel".into(), json!(channel));
    let mut text = ctx.string("text", i, "")?;
    match ctx.string("messageType", i, "text")?.as_str() {
        "block" => {
            let blocks = ctx.string("blocksUi", i, "")?;
            let parsed: Value = serde_json::from_str(&blocks).map_err(|e| {
                NodeError::parameter("blocksUi", format!("the blocks are not JSON: {e}"))
            })?;
            // Block Kit Builder gives `{"blocks": [...]}`; a bare array is accepted too.
            let blocks = parsed.get("blocks").cloned().unwrap_or(parsed);
            if !blocks.is_array() {
                return Err(NodeError::parameter("blocksUi", "blocks must be a list"));
            }
            body.insert("blocks".into(), blocks);
        }
        "text" => {
            if text.trim().is_empty() {
                return Err(NodeError::parameter("text", "the message has no text"));
            }
        }
        other => {
            return Err(NodeError::parameter(
                "messageType",
                format!("`{other}` messages are not supported; text and block are"),
            ));
        }
    }
    let version = ctx.node.type_version();
    if ctx.bool("otherOptions.includeLinkToWorkflow", i, version >= 2.1)? && !text.is_empty() {
        text.push_str(ATTRIBUTION);
    }
    if !text.is_empty() {
        body.insert("text".into(), json!(text));
    }
    for (option, field) in [
        ("otherOptions.mrkdwn", "mrkdwn"),
        ("otherOptions.unfurl_links", "unfurl_links"),
        ("otherOptions.unfurl_media", "unfurl_media"),
        ("otherOptions.link_names", "link_names"),
    ] {
        if let Some(Value::Bool(b)) = ctx.param(option, i)? {
            body.insert(field.into(), json!(b));
        }
    }
    let thread = ctx.string("otherOptions.thread_ts.replyValues.thread_ts", i, "")?;
    if !thread.is_empty() {
        body.insert("thread_ts".into(), json!(thread));
        if ctx.bool(
            "otherOptions.thread_ts.replyValues.reply_broadcast",
            i,
            false,
        )? {
            body.insert("reply_broadcast".into(), json!(true));
        }
    }
    Ok(Value::Object(body))
}
