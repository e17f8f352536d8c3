//! The items of the run shown on the canvas, for the node details' Input and Output tabs:
//! read from the finished execution (its `runData`, the last run of each node), shown as a
//! table, as JSON, or as a schema of the fields they hold. Plain Rust, tested on the
//! server's target too.
#![cfg_attr(not(feature = "hydrate"), allow(dead_code))]

use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Rows a table shows at most (the JSON view shows them all).
pub const TABLE_ROWS: usize = 50;

/// Each node's last run: the `json` of the items on each output.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunItems {
    pub execution: String,
    pub nodes: HashMap<String, Vec<Vec<Value>>>,
}

impl RunItems {
    /// From an execution's node runs (`outputs`: each output's items as JSON text, n8n's
    /// `[{json, binary?, pairedItem?}]`); a later run of a node replaces an earlier one.
    pub fn from_outputs<'a>(
        execution: &str,
        runs: impl IntoIterator<Item = (&'a str, &'a [String])>,
    ) -> Self {
        let mut nodes = HashMap::new();
        for (node, outputs) in runs {
            let items = outputs
                .iter()
                .map(|text| {
                    serde_json::from_str::<Vec<Value>>(text)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|item| item.get("json").cloned().unwrap_or(item))
                        .collect()
                })
                .collect();
            nodes.insert(node.to_string(), items);
        }
        RunItems {
            execution: execution.to_string(),
            nodes,
        }
    }

    /// The items on `node`'s output `output`, if it ran.
    pub fn output(&self, node: &str, output: usize) -> Option<&[Value]> {
        self.nodes.get(node)?.get(output).map(Vec::as_slice)
    }
}

/// A table of items: the columns (top-level fields, in the order first seen) and the cells
/// of each row as short text.
pub fn table(items: &[Value]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut columns: Vec<String> = Vec::new();
    for item in items.iter().take(TABLE_ROWS) {
        if let Some(fields) = item.as_object() {
            for key in fields.keys() {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
        }
    }
    let rows = items
        .iter()
        .take(TABLE_ROWS)
        .map(|item| {
            columns
                .iter()
                .map(|c| match item.get(c) {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                })
                .collect()
        })
        .collect();
    (columns, rows)
}

/// Every field path the items hold (`address.city`, `tags[0]`), with its JSON type: what an
/// expression can read as `$json.<path>`.
pub fn schema(items: &[Value]) -> Vec<(String, &'static str)> {
    let mut fields = BTreeMap::new();
    for item in items.iter().take(TABLE_ROWS) {
        walk(item, String::new(), &mut fields, 0);
    }
    fields.into_iter().collect()
}

fn walk(value: &Value, path: String, out: &mut BTreeMap<String, &'static str>, depth: usize) {
    let kind = agente_editor::expression::kind_of(value);
    if !path.is_empty() {
        out.entry(path.clone()).or_insert(kind);
    }
    if depth >= 4 {
        return;
    }
    match value {
        Value::Object(fields) => {
            for (key, v) in fields {
                let p = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(v, p, out, depth + 1);
            }
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                walk(first, format!("{path}[0]"), out, depth + 1);
            }
        }
        _ => {}
    }
}

/// The expression that reads `path` of the current item, as n8n writes it.
pub fn expression_for(path: &str) -> String {
    let simple = path.split('.').all(|part| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '[' || c == ']')
    });
    if simple {
        format!("{{{{ $json.{path} }}}}")
    } else {
        let quoted: Vec<String> = path
            .split('.')
            .map(|p| format!("[{}]", serde_json::to_string(p).unwrap_or_default()))
            .collect();
        format!("{{{{ $json{} }}}}", quoted.join(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn items_are_read_from_an_executions_outputs() {
        let outputs = [
            json!([{"json": {"n": 1}}, {"json": {"n": 2}, "pairedItem": {"item": 0}}]).to_string(),
            "[]".to_string(),
        ];
        let run = RunItems::from_outputs("e1", [("If", &outputs[..])]);
        assert_eq!(
            run.output("If", 0).unwrap(),
            [json!({"n": 1}), json!({"n": 2})]
        );
        assert_eq!(run.output("If", 1).unwrap().len(), 0);
        assert!(run.output("Set", 0).is_none());
    }

    #[test]
    fn a_table_has_every_top_level_field_as_a_column() {
        let items = [
            json!({"name": "Ada", "age": 36}),
            json!({"name": "Alan", "city": {"x": 1}}),
        ];
        let (columns, rows) = table(&items);
        assert_eq!(columns, ["name", "age", "city"]);
        assert_eq!(
            rows[1][columns.iter().position(|c| c == "city").unwrap()],
            r#"{"x":1}"#
        );
        assert_eq!(
            rows[1][columns.iter().position(|c| c == "age").unwrap()],
            ""
        );
    }

    #[test]
    fn a_schema_lists_nested_paths_with_their_types() {
        let items = [json!({"user": {"name": "Ada", "tags": ["a"]}, "ok": true})];
        assert_eq!(
            schema(&items),
            [
                ("ok".to_string(), "boolean"),
                ("user".to_string(), "object"),
                ("user.name".to_string(), "string"),
                ("user.tags".to_string(), "array"),
                ("user.tags[0]".to_string(), "string"),
            ]
        );
    }

    #[test]
    fn expressions_quote_fields_that_are_not_plain_names() {
        assert_eq!(expression_for("user.name"), "{{ $json.user.name }}");
        assert_eq!(expression_for("first name"), r#"{{ $json["first name"] }}"#);
    }
}
