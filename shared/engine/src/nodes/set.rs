//! Edit Fields (Set): manual fields with types (v3.3+ `assignments`, v3.0–3.2 `fields`, and
//! v1–v2 `values`), or JSON mode; keeps other fields or only the set ones.

use crate::{Item, NodeContext, NodeError, set_path};
use serde_json::{Map, Value};

pub fn run(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let version = ctx.node.type_version();
    let mut out = Vec::with_capacity(ctx.input().len());
    for (i, item) in ctx.input().iter().enumerate() {
        let mode = ctx.string("mode", i, "manual")?;
        let dot_notation = ctx.bool("options.dotNotation", i, true)?;
        let fields: Vec<(String, Value)> = if mode == "raw" {
            let raw = ctx.param_or("jsonOutput", i, Value::Object(Map::new()))?;
            let parsed = match raw {
                Value::String(s) => serde_json::from_str(&s).map_err(|e| {
                    NodeError::parameter("jsonOutput", format!("not valid JSON: {e}"))
                })?,
                other => other,
            };
            match parsed {
                Value::Object(m) => m.into_iter().collect(),
                other => {
                    return Err(NodeError::parameter(
                        "jsonOutput",
                        format!("must be an object, got {other}"),
                    ));
                }
            }
        } else {
            manual_fields(ctx, i, version)?
        };
        let keep_others = if version >= 3.3 {
            ctx.bool("includeOtherFields", i, false)? && ctx.string("include", i, "all")? == "all"
        } else if version >= 3.0 {
            ctx.string("include", i, "all")? == "all"
                && !ctx.bool("options.keepOnlySet", i, false)?
        } else {
            !ctx.bool("keepOnlySet", i, false)?
        };
        let mut json = if keep_others {
            item.json.clone()
        } else {
            Map::new()
        };
        for (name, value) in fields {
            if dot_notation {
                set_path(&mut json, &name, value);
            } else {
                json.insert(name, value);
            }
        }
        out.push(item.with_json(json, i));
    }
    Ok(out)
}

fn manual_fields(
    ctx: &NodeContext<'_>,
    i: usize,
    version: f64,
) -> Result<Vec<(String, Value)>, NodeError> {
    let mut fields = Vec::new();
    if version >= 3.3 || ctx.raw("assignments").is_some() {
        let list = ctx.param_or("assignments.assignments", i, Value::Array(vec![]))?;
        for a in list.as_array().into_iter().flatten() {
            let name = a
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let kind = a.get("type").and_then(Value::as_str).unwrap_or("string");
            let value = a.get("value").cloned().unwrap_or(Value::Null);
            fields.push((name.clone(), convert(&name, value, kind)?));
        }
    } else if version >= 3.0 {
        let list = ctx.param_or("fields.values", i, Value::Array(vec![]))?;
        for f in list.as_array().into_iter().flatten() {
            let name = f
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let kind = f
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("stringValue");
            let kind = kind.trim_end_matches("Value");
            let value = f
                .get(format!("{kind}Value"))
                .cloned()
                .unwrap_or(Value::Null);
            fields.push((name.clone(), convert(&name, value, kind)?));
        }
    } else {
        let values = ctx.param_or("values", i, Value::Object(Map::new()))?;
        for (kind, list) in values.as_object().into_iter().flatten() {
            for f in list.as_array().into_iter().flatten() {
                let name = f
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("propertyName")
                    .to_string();
                let value = f.get("value").cloned().unwrap_or(Value::Null);
                fields.push((name.clone(), convert(&name, value, kind)?));
            }
        }
    }
    Ok(fields)
}

/// Converts a field value to its declared type, as n8n's Set node does.
fn convert(name: &str, value: Value, kind: &str) -> Result<Value, NodeError> {
    let bad =
        |what: &str| NodeError::parameter(name, format!("'{value}' cannot be converted to {what}"));
    Ok(match (kind, &value) {
        ("string", Value::String(_)) | (_, Value::Null) => value,
        ("string", other) => Value::String(other.to_string()),
        ("number", Value::Number(_)) => value,
        ("number", Value::String(s)) => match s.trim().parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => {
                let n: f64 = s.trim().parse().map_err(|_| bad("a number"))?;
                serde_json::Number::from_f64(n)
                    .map(Value::Number)
                    .ok_or_else(|| bad("a number"))?
            }
        },
        ("boolean", Value::Bool(_)) => value,
        ("boolean", Value::String(s)) => match s.trim().to_lowercase().as_str() {
            "true" | "1" | "yes" => Value::Bool(true),
            "false" | "0" | "no" | "" => Value::Bool(false),
            _ => return Err(bad("a boolean")),
        },
        ("boolean", Value::Number(n)) => Value::Bool(n.as_f64() != Some(0.0)),
        ("array", Value::Array(_)) | ("object", Value::Object(_)) => value,
        ("array" | "object", Value::String(s)) => {
            let parsed: Value = serde_json::from_str(s).map_err(|_| bad(kind))?;
            let ok = if kind == "array" {
                parsed.is_array()
            } else {
                parsed.is_object()
            };
            if !ok {
                return Err(bad(kind));
            }
            parsed
        }
        (_, _) if kind == "string" || kind.is_empty() => value,
        _ => return Err(bad(kind)),
    })
}
