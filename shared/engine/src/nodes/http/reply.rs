//! What an HTTP response becomes: items from the body, the full response, or a file.

use crate::{Item, NodeContext, NodeError};
use serde_json::{Map, Value, json};

/// One response as read.
pub(super) struct Reply {
    pub status: reqwest::StatusCode,
    pub headers: Map<String, Value>,
    pub body: Value,
    pub bytes: Vec<u8>,
    /// A 3xx answer that was not followed because the node said so: not an error.
    pub redirect_kept: bool,
}

/// The items a reply becomes: the body (one item per element of a JSON array), the full
/// response, or a file in `binary`; an error status fails unless "never error" is on.
pub(super) fn items_of(
    ctx: &NodeContext<'_>,
    i: usize,
    reply: Reply,
) -> Result<Vec<Item>, NodeError> {
    let never_error = ctx.bool("options.response.response.neverError", i, false)?;
    let full = ctx.bool("options.response.response.fullResponse", i, false)?;
    let format = ctx.string("options.response.response.responseFormat", i, "autodetect")?;
    if !reply.status.is_success() && !reply.redirect_kept && !never_error {
        let detail = match &reply.body {
            Value::String(s) => s.chars().take(500).collect(),
            Value::Null => String::from_utf8_lossy(&reply.bytes)
                .chars()
                .take(500)
                .collect(),
            other => other.to_string().chars().take(500).collect::<String>(),
        };
        return Err(NodeError::Failed(format!(
            "the server answered {}: {detail}",
            reply.status
        )));
    }
    if format == "file" {
        let property = ctx.string("options.response.response.outputPropertyName", i, "data")?;
        let mut item = Item::from_value(if full {
            json!({ "headers": reply.headers, "statusCode": reply.status.as_u16() })
        } else {
            json!({})
        });
        item.binary = Some(Map::from_iter([(property, file(&reply))]));
        return Ok(vec![item]);
    }
    if full {
        return Ok(vec![Item::from_value(json!({
            "body": reply.body, "headers": reply.headers,
            "statusCode": reply.status.as_u16(), "statusMessage": reply.status.canonical_reason(),
        }))]);
    }
    Ok(match reply.body {
        Value::Array(list) => list
            .into_iter()
            .map(|v| match v {
                Value::Object(_) => Item::from_value(v),
                other => Item::from_value(json!({ "data": other })),
            })
            .collect(),
        Value::Object(_) => vec![Item::from_value(reply.body)],
        Value::String(s) => vec![Item::from_value(json!({ "data": s }))],
        other => vec![Item::from_value(json!({ "data": other }))],
    })
}

/// n8n's binary data entry for a downloaded file.
fn file(reply: &Reply) -> Value {
    use base64::Engine as _;
    let mime = reply
        .headers
        .get("content-type")
        .and_then(Value::as_str)
        .unwrap_or("application/octet-stream");
    let mime = mime.split(';').next().unwrap_or(mime).trim().to_string();
    let name = reply
        .headers
        .get("content-disposition")
        .and_then(Value::as_str)
        .and_then(|d| d.split("filename=").nth(1))
        .map(|n| {
            n.trim_matches(|c| c == '"' || c == ';' || c == ' ')
                .to_string()
        });
    let extension = name
        .as_deref()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, ext)| ext.to_string())
        .or_else(|| {
            mime.split('/')
                .nth(1)
                .map(|s| s.split('+').next().unwrap_or(s).to_string())
        });
    let size = reply.bytes.len() as f64;
    let pretty = if size < 1000.0 {
        format!("{size} B")
    } else if size < 1_000_000.0 {
        format!("{:.1} kB", size / 1000.0)
    } else {
        format!("{:.1} MB", size / 1_000_000.0)
    };
    let mut entry = json!({
        "data": base64::engine::general_purpose::STANDARD.encode(&reply.bytes),
        "mimeType": mime,
        "fileSize": pretty,
    });
    if let Some(ext) = extension {
        entry["fileExtension"] = Value::String(ext);
    }
    if let Some(name) = name {
        entry["fileName"] = Value::String(name);
    }
    entry
}
