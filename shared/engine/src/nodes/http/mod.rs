//! HTTP Request (v3/v4 parameters): any method, query, headers, JSON / form / raw bodies,
//! generic credential auth (header, basic, query, bearer), timeout, redirects, response as
//! JSON / text (autodetected) / file (binary), full response, "never error", pagination
//! (next URL or changing parameters, with `$response` and `$pageCount`), and batching.
//! One request (or series of pages) per item; JSON arrays become one item per element.

mod pagination;
mod reply;

use crate::{Item, NodeContext, NodeError};
use agente_network::{OutboundError, read_capped, redact};
use pagination::PageChanges;
use reply::Reply;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value, json};
use std::time::Duration;

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
        let batch = (start..(start + size).min(count)).map(|i| pagination::pages(ctx, i));
        for (i, items) in (start..).zip(futures::future::join_all(batch).await) {
            out.extend(items?.into_iter().map(|item| item.paired(i)));
        }
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

/// Builds and sends item `i`'s request (with pagination's changes); reads the reply.
async fn send(ctx: &NodeContext<'_>, i: usize, changes: &PageChanges) -> Result<Reply, NodeError> {
    let (req, timeout_ms, follow) = request_to(ctx, i, changes)?;
    let mut query = Vec::new();
    if ctx.bool("sendQuery", i, false)? && changes.url.is_none() {
        query.extend(pairs(ctx, "queryParameters.parameters", i)?);
    }
    merge_pairs(&mut query, &changes.query);
    let mut headers = header_map(ctx, i, changes)?;
    let mut req = authenticate(ctx, i, req, &mut headers, &mut query)?;
    if !query.is_empty() {
        req = req.query(&query);
    }
    if ctx.bool("sendBody", i, false)? {
        req = with_body(ctx, i, changes, req, &mut headers)?;
    }
    let format = ctx.string("options.response.response.responseFormat", i, "autodetect")?;
    let response = req.headers(headers).send().await.map_err(|e| {
        let what = if e.is_timeout() {
            format!("timed out after {timeout_ms} ms")
        } else {
            OutboundError::transport(e).to_string()
        };
        NodeError::Failed(format!("request failed: {what}"))
    })?;
    read_reply(ctx, response, &format, follow).await
}

/// The request's method, URL (checked by the network policy), timeout and redirect
/// setting; answers the timeout (ms) and whether redirects are followed too.
fn request_to(
    ctx: &NodeContext<'_>,
    i: usize,
    changes: &PageChanges,
) -> Result<(reqwest::RequestBuilder, u64, bool), NodeError> {
    let method_name = ctx.string("method", i, "GET")?.to_uppercase();
    let method = Method::from_bytes(method_name.as_bytes()).map_err(|_| {
        NodeError::parameter("method", format!("`{method_name}` is not an HTTP method"))
    })?;
    let url = match &changes.url {
        Some(next) => next.clone(),
        None => ctx.string("url", i, "")?,
    };
    let url = reqwest::Url::parse(&url).map_err(|e| {
        NodeError::parameter(
            "url",
            format!("`{}` is not a valid URL: {e}", redact::url(&url)),
        )
    })?;
    let timeout_ms = ctx
        .number("options.timeout", i, 300_000.0)?
        .clamp(1.0, 3_600_000.0) as u64;
    let follow = ctx.bool("options.redirect.redirect.followRedirects", i, true)?;
    let req = ctx
        .http()
        .request(method, url, follow)
        .map_err(|e| NodeError::parameter("url", e.to_string()))?
        .timeout(Duration::from_millis(timeout_ms));
    Ok((req, timeout_ms, follow))
}

/// The headers the node's parameters (and pagination) give.
fn header_map(
    ctx: &NodeContext<'_>,
    i: usize,
    changes: &PageChanges,
) -> Result<HeaderMap, NodeError> {
    let mut header_pairs = Vec::new();
    if ctx.bool("sendHeaders", i, false)? {
        header_pairs = pairs(ctx, "headerParameters.parameters", i)?;
    }
    merge_pairs(&mut header_pairs, &changes.headers);
    let mut headers = HeaderMap::new();
    for (name, value) in header_pairs {
        let name = HeaderName::try_from(name.as_str()).map_err(|_| {
            NodeError::parameter("headerParameters", format!("`{name}` is not a header name"))
        })?;
        let value = HeaderValue::try_from(value).map_err(|_| {
            NodeError::parameter("headerParameters", "a header value has invalid characters")
        })?;
        headers.append(name, value);
    }
    Ok(headers)
}

/// Applies the node's credential: a header, basic or bearer auth, or a query parameter.
fn authenticate(
    ctx: &NodeContext<'_>,
    i: usize,
    req: reqwest::RequestBuilder,
    headers: &mut HeaderMap,
    query: &mut Vec<(String, String)>,
) -> Result<reqwest::RequestBuilder, NodeError> {
    match ctx.string("authentication", i, "none")?.as_str() {
        "none" => return Ok(req),
        "genericCredentialType" => {}
        other => {
            return Err(NodeError::parameter(
                "authentication",
                format!("`{other}` authentication is not supported yet; use a generic credential"),
            ));
        }
    }
    let kind = ctx.string("genericAuthType", i, "")?;
    let cred = ctx.credential(&kind)?;
    let field = |k: &str| {
        cred.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Ok(match kind.as_str() {
        "httpHeaderAuth" => {
            let name = HeaderName::try_from(field("name")).map_err(|_| {
                NodeError::Failed("the header credential has an invalid header name".into())
            })?;
            let value = HeaderValue::try_from(field("value")).map_err(|_| {
                NodeError::Failed("the header credential has an invalid value".into())
            })?;
            headers.insert(name, value);
            req
        }
        "httpBasicAuth" => req.basic_auth(field("user"), Some(field("password"))),
        "httpBearerAuth" => req.bearer_auth(field("token")),
        "httpQueryAuth" => {
            query.push((field("name"), field("value")));
            req
        }
        other => {
            return Err(NodeError::parameter(
                "genericAuthType",
                format!("`{other}` is not supported"),
            ));
        }
    })
}

/// The body as `contentType` and `specifyBody` say: JSON, form, multipart or raw.
fn with_body(
    ctx: &NodeContext<'_>,
    i: usize,
    changes: &PageChanges,
    req: reqwest::RequestBuilder,
    headers: &mut HeaderMap,
) -> Result<reqwest::RequestBuilder, NodeError> {
    let content_type = ctx.string("contentType", i, "json")?;
    let specify = ctx.string("specifyBody", i, "keypair")?;
    Ok(match content_type.as_str() {
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
                HeaderValue::try_from(raw_type)
                    .map_err(|_| NodeError::parameter("rawContentType", "invalid content type"))?,
            );
            req.body(ctx.string("body", i, "")?)
        }
        other => {
            return Err(NodeError::parameter(
                "contentType",
                format!("`{other}` bodies are not supported yet"),
            ));
        }
    })
}

/// Reads the reply within the execution's byte budget and parses its body as `format`
/// says (`autodetect`: JSON when the reply says so).
async fn read_reply(
    ctx: &NodeContext<'_>,
    response: reqwest::Response,
    format: &str,
    follow: bool,
) -> Result<Reply, NodeError> {
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
    let budget = ctx.budget();
    let bytes = read_capped(response, budget.response_limit())
        .await
        .map_err(|e| match e {
            OutboundError::TooLarge { .. } => NodeError::Failed(budget.refusal()),
            other => NodeError::Failed(format!("reading the response failed: {other}")),
        })?;
    budget.spend_bytes(bytes.len());
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = match format {
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
