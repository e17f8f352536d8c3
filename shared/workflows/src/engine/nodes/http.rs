//! HTTP Request (v3/v4 parameters): any method, query, headers, JSON / form / raw bodies,
//! generic credential auth (header, basic, query, bearer), timeout, redirects, response as
//! JSON / text (autodetected) / file (binary), full response, "never error", pagination
//! (next URL or changing parameters, with `$response` and `$pageCount`), and batching.
//! One request (or series of pages) per item; JSON arrays become one item per element.

use crate::engine::{Item, NodeContext, NodeError};
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value, json};
use std::time::Duration;

/// Largest response body read into an item.
const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

pub async fn run(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let count = ctx.input().len().max(1);
    // Batching: `batchSize` items at a time (concurrently), `batchInterval` ms apart.
    // Without it, items go one after the other.
    let (size, interval) = match ctx.raw("options.batching") {
        Some(_) => (
            ctx.number("options.batching.batch.batchSize", 0, 50.0)?,
            ctx.number("options.batching.batch.batchInterval", 0, 1000.0)?,
        ),
        None => (1.0, 0.0),
    };
    let size = if size < 1.0 { count } else { size as usize };
    let mut out = Vec::with_capacity(count);
    for (n, start) in (0..count).step_by(size).enumerate() {
        if n > 0 && interval > 0.0 {
            tokio::time::sleep(Duration::from_millis(interval as u64)).await;
        }
        let batch = (start..(start + size).min(count)).map(|i| pages(ctx, i));
        for (i, items) in (start..).zip(futures::future::join_all(batch).await) {
            out.extend(items?.into_iter().map(|item| item.paired(i)));
        }
    }
    Ok(out)
}

/// One response as read.
struct Reply {
    status: reqwest::StatusCode,
    headers: Map<String, Value>,
    body: Value,
    bytes: Vec<u8>,
    /// A 3xx answer that was not followed because the node said so: not an error.
    redirect_kept: bool,
}

/// Changes pagination makes to the next request.
#[derive(Default)]
struct PageChanges {
    url: Option<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<(String, String)>,
}

const PAGINATION: &str = "options.pagination.pagination";

/// The request for item `i`, following pagination if configured; answers its items.
async fn pages(ctx: &NodeContext<'_>, i: usize) -> Result<Vec<Item>, NodeError> {
    let mode = ctx.string(&format!("{PAGINATION}.paginationMode"), i, "off")?;
    if mode == "off" {
        let reply = send(ctx, i, &PageChanges::default()).await?;
        return items_of(ctx, i, reply);
    }
    let max_pages = if ctx.bool(&format!("{PAGINATION}.limitPagesFetched"), i, false)? {
        ctx.number(&format!("{PAGINATION}.maxRequests"), i, 100.0)?
            .max(1.0) as usize
    } else {
        // A safety net: a paginated endpoint that never ends must not run forever.
        10_000
    };
    let interval = ctx.number(&format!("{PAGINATION}.requestInterval"), i, 0.0)?;
    let complete_when = ctx.string(
        &format!("{PAGINATION}.paginationCompleteWhen"),
        i,
        "responseIsEmpty",
    )?;
    let mut changes = PageChanges::default();
    let mut out = Vec::new();
    for page in 0..max_pages {
        if page > 0 && interval > 0.0 {
            tokio::time::sleep(Duration::from_millis(interval as u64)).await;
        }
        let reply = send(ctx, i, &changes).await?;
        let response = json!({
            "body": reply.body, "headers": reply.headers, "statusCode": reply.status.as_u16(),
        });
        ctx.sandbox()
            .set_response(&response, page + 1)
            .map_err(|e| NodeError::Failed(e.to_string()))?;
        let done = match complete_when.as_str() {
            "responseIsEmpty" => is_empty(&reply.body),
            "receiveSpecificStatusCodes" => {
                let codes = ctx.string(&format!("{PAGINATION}.statusCodesWhenComplete"), i, "")?;
                codes
                    .split(',')
                    .any(|c| c.trim().parse::<u16>().ok() == Some(reply.status.as_u16()))
            }
            _ => truthy(&ctx.param_or(
                &format!("{PAGINATION}.completeExpression"),
                i,
                Value::Bool(true),
            )?),
        };
        let status_done = complete_when == "receiveSpecificStatusCodes" && done;
        if !status_done {
            out.extend(items_of(ctx, i, reply)?);
        }
        if done {
            break;
        }
        changes = next_page(ctx, i, &mode)?;
    }
    ctx.sandbox()
        .set_response(&Value::Null, 0)
        .map_err(|e| NodeError::Failed(e.to_string()))?;
    Ok(out)
}

/// The next request's URL or parameters, evaluated with `$response` of the last page.
fn next_page(ctx: &NodeContext<'_>, i: usize, mode: &str) -> Result<PageChanges, NodeError> {
    let mut changes = PageChanges::default();
    if mode == "responseContainsNextURL" {
        let url = ctx.string(&format!("{PAGINATION}.nextURL"), i, "")?;
        if url.is_empty() {
            return Err(NodeError::parameter(
                "nextURL",
                "the next URL came out empty",
            ));
        }
        changes.url = Some(url);
        return Ok(changes);
    }
    let list = ctx.param_or(
        &format!("{PAGINATION}.parameters.parameters"),
        i,
        Value::Array(vec![]),
    )?;
    for p in list.as_array().into_iter().flatten() {
        let text = |k: &str| match p.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let pair = (text("name"), text("value"));
        match text("type").as_str() {
            "body" => changes.body.push(pair),
            "headers" => changes.headers.push(pair),
            _ => changes.query.push(pair),
        }
    }
    Ok(changes)
}

fn is_empty(body: &Value) -> bool {
    match body {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => s == "true",
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::Null => false,
        _ => true,
    }
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

/// Builds and sends item `i`'s request (with pagination's changes); reads the reply.
async fn send(ctx: &NodeContext<'_>, i: usize, changes: &PageChanges) -> Result<Reply, NodeError> {
    let method_name = ctx.string("method", i, "GET")?.to_uppercase();
    let method = Method::from_bytes(method_name.as_bytes()).map_err(|_| {
        NodeError::parameter("method", format!("`{method_name}` is not an HTTP method"))
    })?;
    let url = match &changes.url {
        Some(next) => next.clone(),
        None => ctx.string("url", i, "")?,
    };
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
    let follow = ctx.bool("options.redirect.redirect.followRedirects", i, true)?;
    let mut req = ctx
        .http(follow)
        .request(method, url)
        .timeout(Duration::from_millis(timeout as u64));

    let mut query = Vec::new();
    if ctx.bool("sendQuery", i, false)? && changes.url.is_none() {
        query.extend(pairs(ctx, "queryParameters.parameters", i)?);
    }
    merge_pairs(&mut query, &changes.query);
    let mut headers = HeaderMap::new();
    let mut header_pairs = Vec::new();
    if ctx.bool("sendHeaders", i, false)? {
        header_pairs = pairs(ctx, "headerParameters.parameters", i)?;
    }
    merge_pairs(&mut header_pairs, &changes.headers);
    {
        for (name, value) in header_pairs {
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
                let mut fields = pairs(ctx, "bodyParameters.parameters", i)?;
                merge_pairs(&mut fields, &changes.body);
                let body: Map<String, Value> = fields
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect();
                req.json(&body)
            }
            "form-urlencoded" => {
                let mut fields = pairs(ctx, "bodyParameters.parameters", i)?;
                merge_pairs(&mut fields, &changes.body);
                req.form(&fields)
            }
            "multipart-form-data" => req.multipart(multipart(ctx, i)?),
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
        "file" => Value::Null,
        "json" => serde_json::from_slice(&bytes)
            .map_err(|e| NodeError::Failed(format!("the response is not JSON: {e}")))?,
        _ if is_json => serde_json::from_slice(&bytes).unwrap_or(Value::String(text)),
        _ => Value::String(text),
    };
    Ok(Reply {
        status,
        headers,
        body,
        bytes: bytes.to_vec(),
        redirect_kept: !follow && status.is_redirection(),
    })
}

/// A multipart body: text fields, and files from the item's binary data
/// (`parameterType: formBinaryData`, `inputDataFieldName`).
fn multipart(ctx: &NodeContext<'_>, i: usize) -> Result<reqwest::multipart::Form, NodeError> {
    use base64::Engine as _;
    let list = ctx.param_or("bodyParameters.parameters", i, Value::Array(vec![]))?;
    let mut form = reqwest::multipart::Form::new();
    for p in list.as_array().into_iter().flatten() {
        let field = |k: &str| {
            p.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let name = field("name");
        if field("parameterType") != "formBinaryData" {
            let value = match p.get("value") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            form = form.text(name, value);
            continue;
        }
        let property = field("inputDataFieldName");
        let file = ctx
            .input()
            .get(i)
            .and_then(|item| item.binary.as_ref())
            .and_then(|b| b.get(&property))
            .ok_or_else(|| {
                NodeError::parameter(
                    "bodyParameters",
                    format!("item {i} has no binary property `{property}`"),
                )
            })?;
        let data = base64::engine::general_purpose::STANDARD
            .decode(file["data"].as_str().unwrap_or_default())
            .map_err(|e| {
                NodeError::Failed(format!("binary property `{property}` is not base64: {e}"))
            })?;
        let mut part = reqwest::multipart::Part::bytes(data)
            .file_name(file["fileName"].as_str().unwrap_or(&property).to_string());
        if let Some(mime) = file["mimeType"].as_str() {
            part = part.mime_str(mime).map_err(|_| {
                NodeError::Failed(format!(
                    "binary property `{property}` has an invalid MIME type"
                ))
            })?;
        }
        form = form.part(name, part);
    }
    Ok(form)
}

/// Pagination's parameters replace same-named ones of the node, or are added.
fn merge_pairs(pairs: &mut Vec<(String, String)>, changes: &[(String, String)]) {
    for (name, value) in changes {
        match pairs.iter_mut().find(|(n, _)| n == name) {
            Some(pair) => pair.1 = value.clone(),
            None => pairs.push((name.clone(), value.clone())),
        }
    }
}

/// The items a reply becomes: the body (one item per element of a JSON array), the full
/// response, or a file in `binary`; an error status fails unless "never error" is on.
fn items_of(ctx: &NodeContext<'_>, i: usize, reply: Reply) -> Result<Vec<Item>, NodeError> {
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
