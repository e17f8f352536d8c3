//! A JSON member that may be absent, `null`, or a value, kept apart so that a round trip
//! writes back exactly what it read (n8n exports `"meta": null` as often as it omits it).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Absent, `null`, or a value.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Field<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<T> Field<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// The value, if one is present.
    pub fn get(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl<T: Copy> Field<T> {
    /// The value, or `default` when absent or null.
    pub fn or(&self, default: T) -> T {
        self.get().copied().unwrap_or(default)
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Value(v) => v.serialize(serializer),
            // `Absent` is skipped by `skip_serializing_if`; if asked anyway, write null.
            Field::Absent | Field::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Only called when the member is present (absent members take `Default`).
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(v) => Field::Value(v),
            None => Field::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct S {
        #[serde(default, skip_serializing_if = "Field::is_absent")]
        x: Field<u32>,
    }

    #[test]
    fn keeps_absent_null_and_value_apart() {
        for input in [json!({}), json!({"x": null}), json!({"x": 3})] {
            let s: S = serde_json::from_value(input.clone()).unwrap();
            assert_eq!(serde_json::to_value(&s).unwrap(), input);
        }
    }
}
