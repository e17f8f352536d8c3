//! Merge: append, combine (by fields, by position, all combinations) and choose branch,
//! in both the v3 and the v2 parameter shapes.

use crate::{Item, NodeContext, NodeError, get_path};
use serde_json::{Map, Value};

pub fn run(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let a = tagged(ctx, 0);
    let b = tagged(ctx, 1);
    let mode = ctx.string("mode", 0, "append")?;
    let strategy = match mode.as_str() {
        "combine" => ctx.string("combineBy", 0, "combineByFields")?,
        "mergeByIndex" => "combineByPosition".into(),
        "mergeByKey" => "combineByFields".into(),
        "multiplex" => "combineAll".into(),
        other => other.to_string(),
    };
    Ok(match strategy.as_str() {
        "append" => a.iter().chain(b.iter()).cloned().collect(),
        "combineByPosition" => {
            let keep_unpaired = ctx.bool("options.includeUnpaired", 0, false)?;
            let len = if keep_unpaired {
                a.len().max(b.len())
            } else {
                a.len().min(b.len())
            };
            (0..len)
                .map(|i| match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => merged(x, y),
                    (Some(x), None) | (None, Some(x)) => x.clone(),
                    (None, None) => Item::default(),
                })
                .collect()
        }
        "combineAll" => a
            .iter()
            .flat_map(|x| b.iter().map(move |y| merged(x, y)))
            .collect(),
        "combineByFields" => {
            let (left, right) = match_fields(ctx)?;
            let keep = ctx.string("joinMode", 0, "keepMatches")?;
            let mut out = Vec::new();
            for x in &a {
                let matches: Vec<&Item> = b
                    .iter()
                    .filter(|y| {
                        get_path(&x.json, &left).is_some()
                            && get_path(&x.json, &left) == get_path(&y.json, &right)
                    })
                    .collect();
                match keep.as_str() {
                    "keepNonMatches" if matches.is_empty() => out.push(x.clone()),
                    "keepEverything" | "enrichInput1" if matches.is_empty() => out.push(x.clone()),
                    "keepNonMatches" => {}
                    _ => out.extend(matches.into_iter().map(|y| merged(x, y))),
                }
            }
            out
        }
        "chooseBranch" | "passThrough" => {
            let second = match ctx.param("useDataOfInput", 0)? {
                Some(v) => v.as_u64() == Some(2) || v.as_str() == Some("2"),
                None => ctx.string("output", 0, "input1")? == "input2",
            };
            if second { b.clone() } else { a.clone() }
        }
        other => {
            return Err(NodeError::parameter(
                "mode",
                format!("merge mode `{other}` is not supported"),
            ));
        }
    })
}

/// The two field names to match on (v3 `fieldsToMatchString`/`mergeByFields`, v2 `propertyName1/2`).
fn match_fields(ctx: &NodeContext<'_>) -> Result<(String, String), NodeError> {
    if let Some(Value::String(s)) = ctx.param("fieldsToMatchString", 0)? {
        let field = s.split(',').next().unwrap_or_default().trim().to_string();
        return Ok((field.clone(), field));
    }
    let by_fields = ctx.param("mergeByFields.values", 0)?;
    if let Some(first) = by_fields
        .as_ref()
        .and_then(|v| v.as_array())
        .and_then(|a| a.first())
    {
        let f = |k: &str| {
            first
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        return Ok((f("field1"), f("field2")));
    }
    let left = ctx.string("propertyName1", 0, "")?;
    let right = ctx.string("propertyName2", 0, "")?;
    if left.is_empty() {
        return Err(NodeError::parameter(
            "fieldsToMatchString",
            "name the field to match items on",
        ));
    }
    Ok((left, right))
}

/// The items of input `input`, each paired to its place there.
fn tagged(ctx: &NodeContext<'_>, input: usize) -> Vec<Item> {
    ctx.inputs
        .get(input)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, item)| item.clone().paired_with_input(i, input))
        .collect()
}

/// Input 1's fields, overwritten by input 2's where both have one (n8n's default); paired
/// with both items.
fn merged(x: &Item, y: &Item) -> Item {
    let mut json: Map<String, Value> = x.json.clone();
    json.extend(y.json.clone());
    let pairs = [&x.paired_item, &y.paired_item]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    Item {
        json,
        binary: x.binary.clone().or_else(|| y.binary.clone()),
        paired_item: Some(Value::Array(pairs)),
    }
}
