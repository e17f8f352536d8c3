//! If and Filter (v2 conditions): typed operators, `and`/`or`, strict or loose types; and the
//! If node's version 1 conditions (`boolean`/`number`/`string`/`dateTime` lists).

use crate::{Item, NodeContext, NodeError};
use serde_json::Value;

/// Output 0: items matching; output 1: the others.
pub fn run_if(ctx: &NodeContext<'_>) -> Result<Vec<Vec<Item>>, NodeError> {
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for (i, item) in ctx.input().iter().enumerate() {
        let target = if matches(ctx, i)? { &mut yes } else { &mut no };
        target.push(item.clone().paired(i));
    }
    Ok(vec![yes, no])
}

pub fn run_filter(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let mut kept = Vec::new();
    for (i, item) in ctx.input().iter().enumerate() {
        if matches(ctx, i)? {
            kept.push(item.clone().paired(i));
        }
    }
    Ok(kept)
}

fn matches(ctx: &NodeContext<'_>, i: usize) -> Result<bool, NodeError> {
    matches_at(ctx, "conditions", i)
}

/// Evaluates the filter conditions at parameter `path` for item `i`.
pub fn matches_at(ctx: &NodeContext<'_>, path: &str, i: usize) -> Result<bool, NodeError> {
    let conditions = ctx.param_or(path, i, Value::Null)?;
    if conditions.get("conditions").is_none()
        && ["boolean", "number", "string", "dateTime"]
            .iter()
            .any(|k| conditions.get(*k).is_some())
    {
        let any = ctx.string("combineOperation", i, "all")? == "any";
        return legacy_matches(&conditions, any, path);
    }
    let case_sensitive = conditions
        .pointer("/options/caseSensitive")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let strict = conditions
        .pointer("/options/typeValidation")
        .and_then(Value::as_str)
        .unwrap_or("strict")
        == "strict"
        && !ctx.bool("looseTypeValidation", i, false)?;
    let any = conditions.get("combinator").and_then(Value::as_str) == Some("or");
    let list = conditions
        .get("conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut result = !any;
    for (n, c) in list.iter().enumerate() {
        let op = c.get("operator").cloned().unwrap_or(Value::Null);
        let kind = op.get("type").and_then(Value::as_str).unwrap_or("string");
        let operation = op
            .get("operation")
            .and_then(Value::as_str)
            .unwrap_or("equals");
        let left = c.get("leftValue").cloned().unwrap_or(Value::Null);
        let right = c.get("rightValue").cloned().unwrap_or(Value::Null);
        let ok = compare(kind, operation, &left, &right, case_sensitive, strict)
            .map_err(|m| NodeError::parameter(&format!("{path}.conditions.{n}"), m))?;
        if any && ok {
            result = true;
        }
        if !any && !ok {
            result = false;
        }
    }
    Ok(result)
}

/// Version 1 conditions: lists of `{value1, operation, value2}` per type, loosely typed,
/// combined with `all` (default) or `any`.
fn legacy_matches(conditions: &Value, any: bool, path: &str) -> Result<bool, NodeError> {
    let mut seen = false;
    for kind in ["boolean", "number", "string", "dateTime"] {
        for (n, c) in conditions
            .get(kind)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let default = match kind {
                "number" => "smaller",
                "dateTime" => "after",
                _ => "equal",
            };
            let operation = c
                .get("operation")
                .and_then(Value::as_str)
                .unwrap_or(default);
            let operation = match operation {
                "equal" => "equals",
                "notEqual" => "notEquals",
                "smaller" => "lt",
                "smallerEqual" => "lte",
                "larger" => "gt",
                "largerEqual" => "gte",
                "isEmpty" => "empty",
                "isNotEmpty" => "notEmpty",
                other => other,
            };
            let left = c.get("value1").cloned().unwrap_or(Value::Null);
            let right = c.get("value2").cloned().unwrap_or(match kind {
                "boolean" => Value::Bool(false),
                _ => Value::Null,
            });
            let ok = compare(kind, operation, &left, &right, true, false)
                .map_err(|m| NodeError::parameter(&format!("{path}.{kind}.{n}"), m))?;
            seen = true;
            if any && ok {
                return Ok(true);
            }
            if !any && !ok {
                return Ok(false);
            }
        }
    }
    Ok(!any || !seen)
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn as_number(v: &Value, strict: bool) -> Result<Option<f64>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(n.as_f64()),
        Value::String(s) if !strict => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("'{s}' is not a number")),
        Value::Bool(b) if !strict => Ok(Some(f64::from(u8::from(*b)))),
        other => Err(format!(
            "Wrong type: '{other}' is not a number (turn on loose type validation to convert)"
        )),
    }
}

fn as_text(v: &Value, strict: bool, case_sensitive: bool) -> Result<String, String> {
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other if !strict => other.to_string(),
        other => {
            return Err(format!(
                "Wrong type: '{other}' is not a string (turn on loose type validation to convert)"
            ));
        }
    };
    Ok(if case_sensitive { s } else { s.to_lowercase() })
}

fn as_bool(v: &Value, strict: bool) -> Result<Option<bool>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::String(s) if !strict && (s == "true" || s == "false") => Ok(Some(s == "true")),
        other => Err(format!("Wrong type: '{other}' is not a boolean")),
    }
}

/// One comparison of n8n's filter component.
fn compare(
    kind: &str,
    op: &str,
    left: &Value,
    right: &Value,
    case_sensitive: bool,
    strict: bool,
) -> Result<bool, String> {
    match op {
        "exists" => return Ok(!left.is_null()),
        "notExists" => return Ok(left.is_null()),
        "empty" => return Ok(is_empty(left)),
        "notEmpty" => return Ok(!is_empty(left)),
        _ => {}
    }
    Ok(match kind {
        "number" => {
            let (l, r) = (as_number(left, strict)?, as_number(right, false)?);
            match (op, l, r) {
                ("equals", l, r) => l == r,
                ("notEquals", l, r) => l != r,
                ("gt", Some(l), Some(r)) => l > r,
                ("lt", Some(l), Some(r)) => l < r,
                ("gte", Some(l), Some(r)) => l >= r,
                ("lte", Some(l), Some(r)) => l <= r,
                ("gt" | "lt" | "gte" | "lte", _, _) => false,
                _ => return Err(format!("unknown number operation `{op}`")),
            }
        }
        "boolean" => {
            let l = as_bool(left, strict)?;
            match op {
                "true" => l == Some(true),
                "false" => l == Some(false),
                "equals" => l == as_bool(right, false)?,
                "notEquals" => l != as_bool(right, false)?,
                _ => return Err(format!("unknown boolean operation `{op}`")),
            }
        }
        "dateTime" => {
            let parse = |v: &Value| -> Result<Option<i64>, String> {
                match v {
                    Value::Null => Ok(None),
                    Value::Number(n) => Ok(n.as_i64()),
                    Value::String(s) => parse_date_ms(s)
                        .map(Some)
                        .ok_or_else(|| format!("'{s}' is not a date")),
                    other => Err(format!("'{other}' is not a date")),
                }
            };
            let (l, r) = (parse(left)?, parse(right)?);
            match op {
                "equals" => l == r,
                "notEquals" => l != r,
                "after" => l > r,
                "before" => l < r && l.is_some(),
                "afterOrEquals" => l >= r,
                "beforeOrEquals" => l <= r && l.is_some(),
                _ => return Err(format!("unknown date operation `{op}`")),
            }
        }
        "array" => {
            let empty = Vec::new();
            let arr = match left {
                Value::Array(a) => a,
                Value::Null => &empty,
                other => return Err(format!("Wrong type: '{other}' is not an array")),
            };
            let len = arr.len() as f64;
            let n = || as_number(right, false).map(|r| r.unwrap_or(0.0));
            match op {
                "contains" => arr.contains(right),
                "notContains" => !arr.contains(right),
                "lengthEquals" => len == n()?,
                "lengthNotEquals" => len != n()?,
                "lengthGt" => len > n()?,
                "lengthLt" => len < n()?,
                "lengthGte" => len >= n()?,
                "lengthLte" => len <= n()?,
                _ => return Err(format!("unknown array operation `{op}`")),
            }
        }
        _ => {
            let l = as_text(left, strict, case_sensitive)?;
            let r = as_text(right, false, case_sensitive)?;
            match op {
                "equals" => l == r,
                "notEquals" => l != r,
                "contains" => l.contains(&r),
                "notContains" => !l.contains(&r),
                "startsWith" => l.starts_with(&r),
                "notStartsWith" => !l.starts_with(&r),
                "endsWith" => l.ends_with(&r),
                "notEndsWith" => !l.ends_with(&r),
                "regex" | "notRegex" => {
                    let re = regex::Regex::new(&r)
                        .map_err(|e| format!("invalid regular expression: {e}"))?;
                    re.is_match(&l) == (op == "regex")
                }
                _ => return Err(format!("unknown string operation `{op}`")),
            }
        }
    })
}

/// Milliseconds of an ISO-8601 date or date-time (UTC or with an offset).
fn parse_date_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once(['T', ' ']).unwrap_or((s, "00:00:00Z"));
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let (clock, offset_min) = if let Some(c) = time.strip_suffix('Z') {
        (c, 0)
    } else if let Some(pos) = time.rfind(['+', '-']).filter(|p| *p > 0) {
        let (c, off) = time.split_at(pos);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let mut o = off[1..].split(':').map(|p| p.parse::<i64>().ok());
        (
            c,
            sign * (o.next()?? * 60 + o.next().flatten().unwrap_or(0)),
        )
    } else {
        (time, 0)
    };
    let mut c = clock.split(':');
    let h: i64 = c.next()?.parse().ok()?;
    let min: i64 = c.next().unwrap_or("0").parse().ok()?;
    let sec: f64 = c.next().unwrap_or("0").parse().ok()?;
    let days = days_from_civil(y, m, day);
    Some(
        ((days * 86_400 + h * 3600 + min * 60 - offset_min * 60) as f64 * 1000.0 + sec * 1000.0)
            as i64,
    )
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operators_follow_n8n() {
        assert!(compare("number", "gt", &json!(80), &json!(50), true, true).unwrap());
        assert!(compare("number", "gt", &json!("80"), &json!(50), true, true).is_err());
        assert!(compare("number", "gt", &json!("80"), &json!(50), true, false).unwrap());
        assert!(
            compare(
                "string",
                "contains",
                &json!("Hello"),
                &json!("ell"),
                true,
                true
            )
            .unwrap()
        );
        assert!(!compare("string", "equals", &json!("A"), &json!("a"), true, true).unwrap());
        assert!(compare("string", "equals", &json!("A"), &json!("a"), false, true).unwrap());
        assert!(
            compare(
                "string",
                "regex",
                &json!("abc123"),
                &json!("^[a-z]+\\d+$"),
                true,
                true
            )
            .unwrap()
        );
        assert!(compare("boolean", "true", &json!(true), &Value::Null, true, true).unwrap());
        assert!(compare("array", "lengthGt", &json!([1, 2]), &json!(1), true, true).unwrap());
        assert!(
            compare(
                "string",
                "notExists",
                &Value::Null,
                &Value::Null,
                true,
                true
            )
            .unwrap()
        );
        assert!(
            compare(
                "dateTime",
                "after",
                &json!("2026-02-01"),
                &json!("2026-01-31T23:00:00Z"),
                true,
                true
            )
            .unwrap()
        );
        assert_eq!(parse_date_ms("1970-01-01T01:00:00+01:00"), Some(0));
    }

    #[test]
    fn every_operation_the_editor_offers_runs() {
        use agente_workflow_model::params::OPERATORS;
        for (kind, op, _) in OPERATORS {
            let (left, right) = match *kind {
                "number" => (json!(2), json!(1)),
                "dateTime" => (json!("2024-01-02"), json!("2024-01-01")),
                "boolean" => (json!(true), json!(true)),
                "array" => (json!([1, 2]), json!(1)),
                _ => (json!("abc"), json!("a")),
            };
            assert!(
                compare(kind, op, &left, &right, true, false).is_ok(),
                "{kind}:{op} is offered by the editor but not run"
            );
        }
    }
}
