//! HTTP Request (v3/v4 parameters): any method, query, headers, JSON / form / raw bodies,
//! generic credential auth (header, basic, query, bearer), timeout, redirects, response as
//! JSON / text (autodetected), full response, "never error", one request per item.

use crate::engine::{Item, NodeContext, NodeError};
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value, json};
use std::time::Duration;

/// Largest response body read into an item.
const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

pub async fn run(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let mut out = Vec::with_capacity(ctx.input().len());
    for i in 0..ctx.input().len().max(1) {
        out.push(request(ctx, i).await?.paired(i));
    }
    Ok(out)
}

fn pairs(ctx: &NodeContext<'_>, path: &str, i: usize) -> Result<Vec<(String, String)>, NodeError> {
    let list = ctx.param_or(path, i, Value::Array(vec![]))?;
    Ok(list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?.to_string();
            let value = match p.get("value") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            Some((name, value))
        })
        .collect())
}

async fn request(ctx: &NodeContext<'_>, i: usize) -> Result<Item, NodeError> {
    let method_name = ctx.string("method", i, "GET")?.to_uppercase();
    let method = Method::from_bytes(method_name.as_bytes()).map_err(|_| {
        NodeError::parameter("method", format!("`{method_name}` is not an HTTP method"))
    })?;
    let url = ctx.string("url", i, "")?;
    let url = reqwest::Url::parse(&url)
        .map_err(|e| NodeError::parameter("url", format!("`{url}` is not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(NodeError::parameter(
            "url",
            "only http and https URLs are allowed",
        ));
    }
    if !ctx.network.allows_url(&url) {
        return Err(NodeError::parameter(
            "url",
            format!("`{url}` is on a local or private network, which workflows may not reach"),
        ));
    }
    let timeout = ctx
        .number("options.timeout", i, 300_000.0)?
        .clamp(1.0, 3_600_000.0);
    let mut req = ctx
        .http()
        .request(method, url)
        .timeout(Duration::from_millis(timeout as u64));

    let mut query = Vec::new();
    if ctx.bool("sendQuery", i, false)? {
        query.extend(pairs(ctx, "queryParameters.parameters", i)?);
    }
    let mut headers = HeaderMap::new();
    if ctx.bool("sendHeaders", i, false)? {
        for (name, value) in pairs(ctx, "headerParameters.parameters", i)? {
            let name = HeaderName::try_from(name.as_str()).map_err(|_| {
                NodeError::parameter("headerParameters", format!("`{name}` is not a header name"))
            })?;
            let value = HeaderValue::try_from(value).map_err(|_| {
                NodeError::parameter("headerParameters", "a header value has invalid characters")
            })?;
            headers.append(name, value);
        }
    }
    match ctx.string("authentication", i, "none")?.as_str() {
        "none" => {}
        "genericCredentialType" => {
            let kind = ctx.string("genericAuthType", i, "")?;
            let cred = ctx.credential(&kind)?;
            let field = |k: &str| {
                cred.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            match kind.as_str() {
                "httpHeaderAuth" => {
                    let name = HeaderName::try_from(field("name")).map_err(|_| {
                        NodeError::Failed("the header credential has an invalid header name".into())
                    })?;
                    let value = HeaderValue::try_from(field("value")).map_err(|_| {
                        NodeError::Failed("the header credential has an invalid value".into())
                    })?;
                    headers.insert(name, value);
                }
                "httpBasicAuth" => req = req.basic_auth(field("user"), Some(field("password"))),
                "httpBearerAuth" => req = req.bearer_auth(field("token")),
                "httpQueryAuth" => query.push((field("name"), field("value"))),
                other => {
                    return Err(NodeError::parameter(
                        "genericAuthType",
                        format!("`{other}` is not supported"),
                    ));
                }
            }
        }
        other => {
            return Err(NodeError::parameter(
                "authentication",
                format!("`{other}` authentication is not supported yet; use a generic credential"),
            ));
        }
    }
    if !query.is_empty() {
        req = req.query(&query);
    }
    if ctx.bool("sendBody", i, false)? {
        let content_type = ctx.string("contentType", i, "json")?;
        let specify = ctx.string("specifyBody", i, "keypair")?;
        req = match content_type.as_str() {
            "json" if specify == "json" => {
                let body = match ctx.param_or("jsonBody", i, json!({}))? {
                    Value::String(s) => serde_json::from_str::<Value>(&s).map_err(|e| {
                        NodeError::parameter("jsonBody", format!("not valid JSON: {e}"))
                    })?,
                    other => other,
                };
                req.json(&body)
            }
            "json" => {
                let body: Map<String, Value> = pairs(ctx, "bodyParameters.parameters", i)?
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect();
                req.json(&body)
            }
            "form-urlencoded" => req.form(&pairs(ctx, "bodyParameters.parameters", i)?),
            "raw" => {
                let raw_type = ctx.string("rawContentType", i, "text/plain")?;
                headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::try_from(raw_type).map_err(|_| {
                        NodeError::parameter("rawContentType", "invalid content type")
                    })?,
                );
                req.body(ctx.string("body", i, "")?)
            }
            other => {
                return Err(NodeError::parameter(
                    "contentType",
                    format!("`{other}` bodies are not supported yet"),
                ));
            }
        };
    }
    req = req.headers(headers);

    let never_error = ctx.bool("options.response.response.neverError", i, false)?;
    let full = ctx.bool("options.response.response.fullResponse", i, false)?;
    let format = ctx.string("options.response.response.responseFormat", i, "autodetect")?;
    let response = req.send().await.map_err(|e| {
        let what = if e.is_timeout() {
            format!("timed out after {} ms", timeout as u64)
        } else {
            e.to_string()
        };
        NodeError::Failed(format!("request failed: {what}"))
    })?;
    let status = response.status();
    let headers: Map<String, Value> = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()),
            )
        })
        .collect();
    let is_json = headers
        .get("content-type")
        .and_then(Value::as_str)
        .is_some_and(|c| c.contains("json"));
    let bytes = response
        .bytes()
        .await
        .map_err(|e| NodeError::Failed(format!("reading the response failed: {e}")))?;
    if bytes.len() > MAX_RESPONSE_BYTES {
        return Err(NodeError::Failed(format!(
            "the response is larger than {MAX_RESPONSE_BYTES} bytes"
        )));
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = match format.as_str() {
        "text" => Value::String(text),
        "json" => serde_json::from_slice(&bytes)
            .map_err(|e| NodeError::Failed(format!("the response is not JSON: {e}")))?,
        _ if is_json => serde_json::from_slice(&bytes).unwrap_or(Value::String(text)),
        _ => Value::String(text),
    };
    if !status.is_success() && !never_error {
        let detail = match &body {
            Value::String(s) => s.chars().take(500).collect(),
            other => other.to_string().chars().take(500).collect::<String>(),
        };
        return Err(NodeError::Failed(format!(
            "the server answered {status}: {detail}"
        )));
    }
    Ok(if full {
        Item::from_value(
            json!({ "body": body, "headers": headers, "statusCode": status.as_u16(), "statusMessage": status.canonical_reason() }),
        )
    } else {
        match body {
            Value::Object(_) => Item::from_value(body),
            Value::String(s) => Item::from_value(json!({ "data": s })),
            other => Item::from_value(json!({ "data": other })),
        }
    })
}
