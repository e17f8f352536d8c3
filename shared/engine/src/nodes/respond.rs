//! Respond to Webhook: chooses the HTTP answer of the webhook call, then passes items on.

use crate::{Item, NodeContext, NodeError, WebhookResponse};
use serde_json::Value;

pub fn run(ctx: &mut NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let items = ctx.input().to_vec();
    let respond_with = ctx.string("respondWith", 0, "firstIncomingItem")?;
    let body = match respond_with.as_str() {
        "allIncomingItems" => Value::Array(
            items
                .iter()
                .map(|i| Value::Object(i.json.clone()))
                .collect(),
        ),
        "firstIncomingItem" => items
            .first()
            .map(|i| Value::Object(i.json.clone()))
            .unwrap_or(Value::Null),
        "json" => match ctx.param_or("responseBody", 0, Value::Null)? {
            Value::String(s) => serde_json::from_str(&s).map_err(|e| {
                NodeError::parameter("responseBody", format!("not valid JSON: {e}"))
            })?,
            other => other,
        },
        "text" => Value::String(ctx.string("responseBody", 0, "")?),
        "noData" => Value::Null,
        other => {
            return Err(NodeError::parameter(
                "respondWith",
                format!("`{other}` is not supported"),
            ));
        }
    };
    let status = ctx.number("options.responseCode", 0, 200.0)?;
    if !(100.0..=599.0).contains(&status) {
        return Err(NodeError::parameter(
            "options.responseCode",
            format!("{status} is not an HTTP status"),
        ));
    }
    let mut headers = Vec::new();
    let entries = ctx.param_or("options.responseHeaders.entries", 0, Value::Array(vec![]))?;
    for e in entries.as_array().into_iter().flatten() {
        let name = e.get("name").and_then(Value::as_str).unwrap_or_default();
        let value = e
            .get("value")
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
            .unwrap_or_default();
        if !name.is_empty() {
            headers.push((name.to_string(), value));
        }
    }
    let content_type = headers
        .iter()
        .rev()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value.to_ascii_lowercase());
    if respond_with == "text" && content_type.is_none() {
        headers.push(("content-type".into(), "text/plain; charset=utf-8".into()));
    }
    // A page written as text with an HTML type is HTML on purpose; JSON labelled HTML is
    // not (it still answers, but nothing in it runs).
    let html = respond_with == "text"
        && content_type.is_some_and(|t| t.starts_with("text/html") || t.contains("xhtml"));
    ctx.response = Some(WebhookResponse {
        status: status as u16,
        headers,
        body,
        html,
    });
    Ok(items)
}
