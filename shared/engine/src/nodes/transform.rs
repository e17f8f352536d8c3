//! Item-list transforms: Limit, Sort, Split Out, Aggregate, Remove Duplicates.

use crate::{Item, NodeContext, NodeError, get_path, set_path};
use serde_json::{Map, Value};
use std::cmp::Ordering;

pub fn limit(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let max = ctx.number("maxItems", 0, 1.0)?.max(0.0) as usize;
    let items = ctx.input();
    let skip = if ctx.string("keep", 0, "firstItems")? == "lastItems" {
        items.len().saturating_sub(max)
    } else {
        0
    };
    Ok(items
        .iter()
        .enumerate()
        .skip(skip)
        .take(max)
        .map(|(i, item)| item.clone().paired(i))
        .collect())
}

pub fn sort(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let fields = ctx.param_or("sortFieldsUi.sortField", 0, Value::Array(vec![]))?;
    let keys: Vec<(String, bool)> = fields
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let name = f
                .get("fieldName")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            (
                name,
                f.get("order").and_then(Value::as_str) == Some("descending"),
            )
        })
        .collect();
    let mut items: Vec<Item> = ctx
        .input()
        .iter()
        .enumerate()
        .map(|(i, item)| item.clone().paired(i))
        .collect();
    items.sort_by(|x, y| {
        for (field, desc) in &keys {
            let ord = compare_values(get_path(&x.json, field), get_path(&y.json, field));
            let ord = if *desc { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
    Ok(items)
}

fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (None | Some(Value::Null), None | Some(Value::Null)) => Ordering::Equal,
        (None | Some(Value::Null), _) => Ordering::Greater,
        (_, None | Some(Value::Null)) => Ordering::Less,
        (Some(x), Some(y)) => x.to_string().cmp(&y.to_string()),
    }
}

pub fn split_out(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let mut out = Vec::new();
    for (i, item) in ctx.input().iter().enumerate() {
        let field = ctx.string("fieldToSplitOut", i, "")?;
        let field = field
            .split(',')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        if field.is_empty() {
            return Err(NodeError::parameter(
                "fieldToSplitOut",
                "name the field holding the list",
            ));
        }
        let include = ctx.string("include", i, "noOtherFields")?;
        let destination = ctx.string("options.destinationFieldName", i, "")?;
        let values = match get_path(&item.json, &field) {
            Some(Value::Array(a)) => a.clone(),
            Some(Value::Null) | None => continue,
            Some(other) => vec![other.clone()],
        };
        for value in values {
            let mut json = if include == "allOtherFields" {
                item.json.clone()
            } else {
                Map::new()
            };
            json.remove(&field);
            let name = if destination.is_empty() {
                field.clone()
            } else {
                destination.clone()
            };
            match value {
                Value::Object(obj) if include == "noOtherFields" && destination.is_empty() => {
                    json.extend(obj)
                }
                other => set_path(&mut json, &name, other),
            }
            out.push(Item::new(json).paired(i));
        }
    }
    Ok(out)
}

pub fn aggregate(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let items = ctx.input();
    let mut json = Map::new();
    if ctx.string("aggregate", 0, "aggregateIndividualFields")? == "aggregateAllItemData" {
        let destination = ctx.string("destinationFieldName", 0, "data")?;
        json.insert(
            destination,
            Value::Array(
                items
                    .iter()
                    .map(|i| Value::Object(i.json.clone()))
                    .collect(),
            ),
        );
    } else {
        let fields = ctx.param_or(
            "fieldsToAggregate.fieldToAggregate",
            0,
            Value::Array(vec![]),
        )?;
        let keep_missing = ctx.bool("options.keepMissing", 0, false)?;
        for f in fields.as_array().into_iter().flatten() {
            let input_name = f
                .get("fieldToAggregate")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let rename = f
                .get("renameField")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let output_name = f
                .get("outputFieldName")
                .and_then(Value::as_str)
                .filter(|_| rename)
                .unwrap_or(input_name);
            let values: Vec<Value> = items
                .iter()
                .filter_map(|i| match get_path(&i.json, input_name) {
                    None | Some(Value::Null) if !keep_missing => None,
                    v => Some(v.cloned().unwrap_or(Value::Null)),
                })
                .collect();
            json.insert(output_name.to_string(), Value::Array(values));
        }
    }
    let paired: Vec<Value> = (0..items.len())
        .map(|i| serde_json::json!({ "item": i }))
        .collect();
    Ok(vec![Item {
        json,
        binary: None,
        paired_item: Some(Value::Array(paired)),
    }])
}

pub fn remove_duplicates(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let compare = ctx.string("compare", 0, "allFields")?;
    let fields: Vec<String> = ctx
        .string("fieldsToCompare", 0, "")?
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let excluded: Vec<String> = ctx
        .string("fieldsToExclude", 0, "")?
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, item) in ctx.input().iter().enumerate() {
        let key = match compare.as_str() {
            "selectedFields" => fields
                .iter()
                .map(|f| {
                    get_path(&item.json, f)
                        .cloned()
                        .unwrap_or(Value::Null)
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join("\u{1f}"),
            "allFieldsExcept" => {
                let mut json = item.json.clone();
                json.retain(|k, _| !excluded.contains(k));
                Value::Object(json).to_string()
            }
            _ => Value::Object(item.json.clone()).to_string(),
        };
        if seen.insert(key) {
            out.push(item.clone().paired(i));
        }
    }
    Ok(out)
}
