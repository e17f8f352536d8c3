//! Pagination of the HTTP Request node: follow a next URL or change parameters per page,
//! with `$response` and `$pageCount` in the expressions, until the completion rule says so.

use super::reply::items_of;
use super::send;
use crate::{Item, NodeContext, NodeError};
use serde_json::{Value, json};
use std::time::Duration;

/// Changes pagination makes to the next request.
#[derive(Default)]
pub(super) struct PageChanges {
    pub url: Option<String>,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<(String, String)>,
}

const PAGINATION: &str = "options.pagination.pagination";

/// The request for item `i`, following pagination if configured; answers its items.
pub(super) async fn pages(ctx: &NodeContext<'_>, i: usize) -> Result<Vec<Item>, NodeError> {
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
