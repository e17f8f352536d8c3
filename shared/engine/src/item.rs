//! Items: what flows between nodes, in n8n's shape `{json, binary?, pairedItem?}`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One item.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub json: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary: Option<Map<String, Value>>,
    /// Which input item this one came from: `{"item": i}` (or an array of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paired_item: Option<Value>,
}

impl Item {
    /// This item's binary data under other JSON, paired with input item `index`: what a
    /// node that changes an item's fields outputs for it.
    pub fn with_json(&self, json: Map<String, Value>, index: usize) -> Self {
        Self {
            json,
            binary: self.binary.clone(),
            paired_item: None,
        }
        .paired(index)
    }

    pub fn new(json: Map<String, Value>) -> Self {
        Self {
            json,
            ..Self::default()
        }
    }

    /// An item from any JSON value: objects become `json`, other values `{"value": v}`.
    pub fn from_value(value: Value) -> Self {
        match value {
            Value::Object(map) => Self::new(map),
            other => Self::new(Map::from_iter([("value".to_string(), other)])),
        }
    }

    /// Items from a JSON array of returned items (anything else: none).
    pub fn list_from(value: &Value) -> Vec<Self> {
        value
            .as_array()
            .into_iter()
            .flatten()
            .cloned()
            .map(Self::from_returned)
            .collect()
    }

    /// Parses what user code returned: `{json: …}` items or plain objects.
    pub fn from_returned(value: Value) -> Self {
        match value {
            Value::Object(mut map) if map.get("json").is_some_and(Value::is_object) => {
                let json = match map.remove("json") {
                    Some(Value::Object(j)) => j,
                    _ => Map::new(),
                };
                let binary = match map.remove("binary") {
                    Some(Value::Object(b)) => Some(b),
                    _ => None,
                };
                Self {
                    json,
                    binary,
                    paired_item: map.remove("pairedItem"),
                }
            }
            other => Self::from_value(other),
        }
    }

    /// This item, marked as derived from item `index` of the node's (first) input.
    pub fn paired(mut self, index: usize) -> Self {
        self.paired_item = Some(serde_json::json!({ "item": index }));
        self
    }

    /// This item, marked as derived from item `index` of input `input`.
    pub fn paired_with_input(mut self, index: usize, input: usize) -> Self {
        self.paired_item = Some(serde_json::json!({ "item": index, "input": input }));
        self
    }

    /// Like [`Item::paired`], but keeps pairing the item already states (user code may).
    pub fn paired_unless_set(self, index: usize) -> Self {
        if self.paired_item.is_some() {
            self
        } else {
            self.paired(index)
        }
    }

    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("items always serialise")
    }
}

/// Reads a field by dotted path (`a.b.0.c`), as n8n's field names allow.
pub fn get_path<'v>(json: &'v Map<String, Value>, path: &str) -> Option<&'v Value> {
    if let Some(v) = json.get(path) {
        return Some(v);
    }
    let mut parts = path.split('.');
    let mut current = json.get(parts.next()?)?;
    for part in parts {
        current = match current {
            Value::Object(m) => m.get(part)?,
            Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Writes a field by dotted path, creating objects on the way.
pub fn set_path(json: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap_or_default();
    let mut current = json;
    for part in parts {
        let entry = current
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        current = entry.as_object_mut().expect("just made an object");
    }
    current.insert(last.to_string(), value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_paths_read_and_write_nested_fields() {
        let mut m = Map::new();
        set_path(&mut m, "a.b.c", json!(1));
        set_path(&mut m, "x", json!([10, {"y": 2}]));
        assert_eq!(
            Value::Object(m.clone()),
            json!({"a": {"b": {"c": 1}}, "x": [10, {"y": 2}]})
        );
        assert_eq!(get_path(&m, "a.b.c"), Some(&json!(1)));
        assert_eq!(get_path(&m, "x.1.y"), Some(&json!(2)));
        assert_eq!(get_path(&m, "a.nope"), None);
    }

    #[test]
    fn returned_values_become_items() {
        assert_eq!(Item::from_returned(json!({"json": {"a": 1}})).json["a"], 1);
        assert_eq!(Item::from_returned(json!({"a": 1})).json["a"], 1);
        assert_eq!(Item::from_returned(json!(5)).json["value"], 5);
    }
}
