//! Wait: for a time interval, until a point in time, or until a call to the execution's
//! resume webhook (`$execution.resumeUrl`), optionally with a time limit.
//!
//! As in n8n, short waits (up to 65 s) sleep in memory; longer ones, and every webhook
//! wait, suspend the execution: the engine hands its state to the caller, which stores it
//! as `waiting` and resumes it later, possibly in another process.

use crate::{Item, NodeContext, NodeError, Suspend};
use serde_json::{Value, json};
use std::time::Duration;

/// n8n's threshold between an in-memory and a stored wait.
const IN_MEMORY_UP_TO_MS: i64 = 65_000;

pub async fn run(ctx: &mut NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let resume = ctx.string("resume", 0, "timeInterval")?;
    let until_ms = match resume.as_str() {
        "timeInterval" => {
            let amount = ctx.number("amount", 0, 1.0)?.max(0.0);
            let unit = ctx.string("unit", 0, "seconds")?;
            ctx.now_ms + interval_ms(amount, &unit, "unit")?
        }
        "specificTime" => {
            let at = ctx.param_or("dateTime", 0, Value::Null)?;
            instant_ms(ctx, &at, "dateTime")?
        }
        "webhook" => {
            let limit = ctx.bool("limitWaitTime", 0, false)?;
            let till_ms = if !limit {
                None
            } else if ctx.string("limitType", 0, "afterTimeInterval")? == "atSpecifiedTime" {
                let at = ctx.param_or("maxDateAndTime", 0, Value::Null)?;
                Some(instant_ms(ctx, &at, "maxDateAndTime")?)
            } else {
                let amount = ctx.number("resumeAmount", 0, 1.0)?.max(0.0);
                let unit = ctx.string("resumeUnit", 0, "hours")?;
                Some(ctx.now_ms + interval_ms(amount, &unit, "resumeUnit")?)
            };
            suspend(ctx, till_ms, true)?;
            return Ok(ctx.input().to_vec());
        }
        other => {
            return Err(NodeError::parameter(
                "resume",
                format!("resuming on `{other}` is not supported"),
            ));
        }
    };
    let left_ms = until_ms - ctx.now_ms;
    if left_ms > IN_MEMORY_UP_TO_MS {
        suspend(ctx, Some(until_ms), false)?;
    } else if left_ms > 0 {
        tokio::time::sleep(Duration::from_millis(left_ms as u64)).await;
    }
    Ok(ctx.input().to_vec())
}

fn suspend(
    ctx: &mut NodeContext<'_>,
    till_ms: Option<i64>,
    on_webhook: bool,
) -> Result<(), NodeError> {
    if !ctx.durable_waits {
        return Err(NodeError::Failed(
            "this run cannot be suspended (a sub-workflow its caller waits for, or a run \
             nobody keeps): it can only wait up to 65 s, and not for a webhook"
                .into(),
        ));
    }
    ctx.suspend = Some(Suspend {
        till_ms,
        on_webhook,
    });
    Ok(())
}

fn interval_ms(amount: f64, unit: &str, parameter: &str) -> Result<i64, NodeError> {
    let unit_ms = match unit {
        "seconds" => 1_000.0,
        "minutes" => 60_000.0,
        "hours" => 3_600_000.0,
        "days" => 86_400_000.0,
        other => {
            return Err(NodeError::parameter(
                parameter,
                format!("`{other}` is not a unit"),
            ));
        }
    };
    let ms = amount * unit_ms;
    // A wait of more than ten years is a mistake, not a plan.
    if !ms.is_finite() || ms > 10.0 * 365.0 * 86_400_000.0 {
        return Err(NodeError::parameter(parameter, "the wait is too long"));
    }
    Ok(ms as i64)
}

/// A point in time as the Date & Time node reads it (ISO text, in the workflow's zone when
/// it names none, or Unix milliseconds).
fn instant_ms(ctx: &NodeContext<'_>, at: &Value, parameter: &str) -> Result<i64, NodeError> {
    if at.is_null() || at.as_str().is_some_and(str::is_empty) {
        return Err(NodeError::parameter(parameter, "a date and time is needed"));
    }
    let iso = ctx
        .sandbox()
        .date_time(
            "addToDate",
            &json!({ "magnitude": at, "timeUnit": "seconds", "duration": 0 }),
        )
        .map_err(|e| NodeError::parameter(parameter, e.to_string()))?;
    iso.as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| NodeError::parameter(parameter, format!("`{at}` is not a date and time")))
}
