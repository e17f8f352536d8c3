//! Data nodes: Rename Keys, Crypto (hash, HMAC, generate), Summarize.

use crate::{Item, NodeContext, NodeError, get_path, set_path};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Digest;

pub fn rename_keys(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let mut out = Vec::with_capacity(ctx.input().len());
    for (i, item) in ctx.input().iter().enumerate() {
        let mut json = item.json.clone();
        let keys = ctx.param_or("keys.key", i, Value::Array(vec![]))?;
        for k in keys.as_array().into_iter().flatten() {
            let (from, to) = (
                k.get("currentKey").and_then(Value::as_str),
                k.get("newKey").and_then(Value::as_str),
            );
            if let (Some(from), Some(to)) = (from, to)
                && let Some(v) = get_path(&json, from).cloned()
            {
                json.remove(from);
                set_path(&mut json, to, v);
            }
        }
        out.push(item.with_json(json, i));
    }
    Ok(out)
}

fn encode(bytes: &[u8], encoding: &str) -> String {
    if encoding == "base64" {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    } else {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn digest(kind: &str, data: &[u8]) -> Result<Vec<u8>, NodeError> {
    Ok(match kind {
        "MD5" => md5::Md5::digest(data).to_vec(),
        "SHA1" => sha1::Sha1::digest(data).to_vec(),
        "SHA256" => sha2::Sha256::digest(data).to_vec(),
        "SHA384" => sha2::Sha384::digest(data).to_vec(),
        "SHA512" => sha2::Sha512::digest(data).to_vec(),
        other => {
            return Err(NodeError::parameter(
                "type",
                format!("`{other}` is not a supported hash"),
            ));
        }
    })
}

fn hmac(kind: &str, key: &[u8], data: &[u8]) -> Result<Vec<u8>, NodeError> {
    fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
        let mut mac =
            <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }
    Ok(match kind {
        "MD5" => run::<Hmac<md5::Md5>>(key, data),
        "SHA1" => run::<Hmac<sha1::Sha1>>(key, data),
        "SHA256" => run::<Hmac<sha2::Sha256>>(key, data),
        "SHA384" => run::<Hmac<sha2::Sha384>>(key, data),
        "SHA512" => run::<Hmac<sha2::Sha512>>(key, data),
        other => {
            return Err(NodeError::parameter(
                "type",
                format!("`{other}` is not a supported HMAC"),
            ));
        }
    })
}

pub fn crypto(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let mut out = Vec::with_capacity(ctx.input().len());
    for (i, item) in ctx.input().iter().enumerate() {
        let action = ctx.string("action", i, "hash")?;
        let field = ctx.string("dataPropertyName", i, "data")?;
        let encoding = ctx.string("encoding", i, "hex")?;
        let kind = ctx.string("type", i, if action == "generate" { "uuid" } else { "MD5" })?;
        let value = match action.as_str() {
            "hash" => encode(
                &digest(&kind, ctx.string("value", i, "")?.as_bytes())?,
                &encoding,
            ),
            "hmac" => encode(
                &hmac(
                    &kind,
                    ctx.string("secret", i, "")?.as_bytes(),
                    ctx.string("value", i, "")?.as_bytes(),
                )?,
                &encoding,
            ),
            "generate" => match kind.as_str() {
                "uuid" => uuid::Uuid::new_v4().to_string(),
                _ => {
                    let len = ctx.number("stringLength", i, 32.0)?.clamp(1.0, 4096.0) as usize;
                    let mut bytes = vec![0u8; len];
                    getrandom(&mut bytes);
                    match kind.as_str() {
                        "hex" => encode(&bytes, "hex")[..len].to_string(),
                        _ => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes)[..len]
                            .to_string(),
                    }
                }
            },
            other => {
                return Err(NodeError::parameter(
                    "action",
                    format!("`{other}` is not supported"),
                ));
            }
        };
        let mut json = item.json.clone();
        set_path(&mut json, &field, Value::String(value));
        out.push(item.with_json(json, i));
    }
    Ok(out)
}

fn getrandom(buf: &mut [u8]) {
    use rand::RngCore;
    rand::rngs::OsRng.fill_bytes(buf);
}

/// Summarize: items grouped by the split fields, then each aggregation over each group.
pub fn summarize(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let specs = ctx.param_or(
        "fieldsToSummarize.values",
        0,
        json!([{"aggregation": "count", "field": ""}]),
    )?;
    let split_by: Vec<String> = ctx
        .string("fieldsToSplitBy", 0, "")?
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let mut out = Vec::new();
    for (mut json, items) in group_by(ctx.input(), &split_by) {
        for spec in specs.as_array().into_iter().flatten() {
            let (name, value) = aggregate(spec, &items)?;
            json.insert(name, value);
        }
        out.push(Item::new(json));
    }
    Ok(out)
}

/// The items by their values of `fields`, in order of first appearance; each group with
/// those values as its first fields.
fn group_by<'a>(input: &'a [Item], fields: &[String]) -> Vec<(Map<String, Value>, Vec<&'a Item>)> {
    let mut groups: indexmap::IndexMap<String, (Map<String, Value>, Vec<&Item>)> =
        indexmap::IndexMap::new();
    for item in input {
        let keys: Map<String, Value> = fields
            .iter()
            .map(|f| {
                (
                    f.clone(),
                    get_path(&item.json, f).cloned().unwrap_or(Value::Null),
                )
            })
            .collect();
        let id = Value::Object(keys.clone()).to_string();
        groups
            .entry(id)
            .or_insert_with(|| (keys, Vec::new()))
            .1
            .push(item);
    }
    groups.into_values().collect()
}

/// One aggregation (`{"aggregation", "field", "separateBy"?}`) over a group: the output
/// field's name, as n8n names it, and its value.
fn aggregate(spec: &Value, items: &[&Item]) -> Result<(String, Value), NodeError> {
    let agg = spec
        .get("aggregation")
        .and_then(Value::as_str)
        .unwrap_or("count");
    let field = spec
        .get("field")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let values: Vec<&Value> = items
        .iter()
        .filter_map(|i| get_path(&i.json, field))
        .filter(|v| !v.is_null())
        .collect();
    let numbers: Vec<f64> = values
        .iter()
        .filter_map(|v| {
            v.as_f64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .collect();
    let num = |x: f64| {
        serde_json::Number::from_f64(x)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    };
    let extreme = |pick: fn(f64, f64) -> f64| {
        numbers
            .iter()
            .copied()
            .reduce(pick)
            .map_or(Value::Null, num)
    };
    Ok(match agg {
        "count" => (
            format!("count_{field}"),
            json!(if field.is_empty() {
                items.len()
            } else {
                values.len()
            }),
        ),
        "countUnique" => {
            let mut seen: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            seen.sort();
            seen.dedup();
            (format!("unique_count_{field}"), json!(seen.len()))
        }
        "sum" => (format!("sum_{field}"), num(numbers.iter().sum())),
        "average" => (
            format!("average_{field}"),
            if numbers.is_empty() {
                Value::Null
            } else {
                num(numbers.iter().sum::<f64>() / numbers.len() as f64)
            },
        ),
        "min" => (format!("min_{field}"), extreme(f64::min)),
        "max" => (format!("max_{field}"), extreme(f64::max)),
        "append" => (
            format!("appended_{field}"),
            Value::Array(values.into_iter().cloned().collect()),
        ),
        "concatenate" => {
            let sep = spec
                .get("separateBy")
                .and_then(Value::as_str)
                .unwrap_or(",");
            let text: Vec<String> = values
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                })
                .collect();
            (
                format!("concatenated_{field}"),
                Value::String(text.join(sep)),
            )
        }
        other => {
            return Err(NodeError::parameter(
                "fieldsToSummarize",
                format!("`{other}` is not a supported aggregation"),
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(values: &[Value]) -> Vec<Item> {
        values
            .iter()
            .map(|v| Item::new(v.as_object().cloned().unwrap_or_default()))
            .collect()
    }

    #[test]
    fn every_aggregation_names_and_computes_its_field_as_n8n_does() {
        let input = items(&[
            json!({"n": 3, "s": "a"}),
            json!({"n": "4.5", "s": "b"}),
            json!({"n": null, "s": "a"}),
            json!({"s": "c"}),
        ]);
        let group: Vec<&Item> = input.iter().collect();
        let of = |spec: Value| aggregate(&spec, &group).unwrap();
        assert_eq!(
            of(json!({"aggregation": "count", "field": ""})),
            ("count_".into(), json!(4))
        );
        assert_eq!(
            of(json!({"aggregation": "count", "field": "n"})),
            ("count_n".into(), json!(2))
        );
        assert_eq!(
            of(json!({"aggregation": "countUnique", "field": "s"})),
            ("unique_count_s".into(), json!(3))
        );
        assert_eq!(
            of(json!({"aggregation": "sum", "field": "n"})),
            ("sum_n".into(), json!(7.5))
        );
        assert_eq!(
            of(json!({"aggregation": "average", "field": "n"})),
            ("average_n".into(), json!(3.75))
        );
        assert_eq!(
            of(json!({"aggregation": "average", "field": "missing"})),
            ("average_missing".into(), Value::Null)
        );
        assert_eq!(
            of(json!({"aggregation": "min", "field": "n"})),
            ("min_n".into(), json!(3.0))
        );
        assert_eq!(
            of(json!({"aggregation": "max", "field": "n"})),
            ("max_n".into(), json!(4.5))
        );
        assert_eq!(
            of(json!({"aggregation": "max", "field": "missing"})),
            ("max_missing".into(), Value::Null)
        );
        assert_eq!(
            of(json!({"aggregation": "append", "field": "n"})),
            ("appended_n".into(), json!([3, "4.5"]))
        );
        assert_eq!(
            of(json!({"aggregation": "concatenate", "field": "s", "separateBy": "|"})),
            ("concatenated_s".into(), json!("a|b|a|c"))
        );
        let err = aggregate(&json!({"aggregation": "median", "field": "n"}), &group).unwrap_err();
        assert!(err.to_string().contains("`median`"), "{err}");
    }

    #[test]
    fn groups_keep_the_order_items_first_came_in() {
        let input = items(&[
            json!({"team": "y", "v": 1}),
            json!({"team": "x", "v": 2}),
            json!({"team": "y", "v": 3}),
        ]);
        let groups = group_by(&input, &["team".to_string()]);
        let teams: Vec<(&Value, usize)> = groups
            .iter()
            .map(|(keys, items)| (&keys["team"], items.len()))
            .collect();
        assert_eq!(teams, [(&json!("y"), 2), (&json!("x"), 1)]);
    }
}
