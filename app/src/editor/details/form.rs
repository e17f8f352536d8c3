//! The state behind a node's parameter form: the node it edits, one JSON path at a time (a
//! change is one undo step, and fields commit on `change`, not per key), and the helpers
//! the form's parts share.

use super::path::{self, Path, Step};
use crate::editor::state::EditorState;
use agente_workflow_model::Field;
use agente_workflow_model::params::{Choice, Kind, Param, shown};
use leptos::prelude::*;
use serde_json::{Map, Value};

/// The node a form edits.
#[derive(Clone, Copy)]
pub struct Form {
    pub st: EditorState,
    pub node: StoredValue<String>,
    /// The node type's top-level parameters (empty for a type without a form).
    pub params: &'static [Param],
}

impl Form {
    /// The node's parameters (redraws the caller on every change of the document).
    pub fn params(&self) -> Map<String, Value> {
        let name = self.node.get_value();
        self.st.read(|e| {
            e.node(&name)
                .and_then(|n| n.parameters.get().cloned())
                .unwrap_or_default()
        })
    }

    pub fn get(&self, at: &[Step]) -> Option<Value> {
        path::get(&self.params(), at).cloned()
    }

    pub fn get_untracked(&self, at: &[Step]) -> Option<Value> {
        let name = self.node.get_value();
        self.st.peek(|e| {
            e.node(&name)
                .and_then(|n| n.parameters.get())
                .and_then(|p| path::get(p, at).cloned())
        })
    }

    /// Writes (or with `None` removes) one value: one undo step. A required parameter the
    /// change brings into view is written with its default in the same step, as n8n does
    /// (the engine reads what is stored, not what the form showed).
    pub fn set(&self, at: &[Step], value: Option<Value>) {
        let name = self.node.get_value();
        let params = self.params;
        self.st.attempt(|e| {
            e.update_node(&name, |n| {
                let mut p = n.parameters.get().cloned().unwrap_or_default();
                path::set(&mut p, at, value);
                fill_required(&mut p, params);
                n.parameters = Field::Value(p);
            })
        });
    }

    /// The number of rows of the list at `at`.
    pub fn len(&self, at: &[Step]) -> usize {
        self.get(at)
            .and_then(|v| v.as_array().map(Vec::len))
            .unwrap_or(0)
    }

    /// Appends a row to the list at `at`.
    pub fn push(&self, at: &Path, row: Value) {
        let n = self
            .get_untracked(at)
            .and_then(|v| v.as_array().map(Vec::len))
            .unwrap_or(0);
        self.set(&path::index(at, n), Some(row));
    }
}

/// Writes the default of every required parameter that shows and is absent.
pub fn fill_required(values: &mut Map<String, Value>, params: &'static [Param]) {
    for p in params {
        if p.required && !values.contains_key(p.name) && shown(p.show, values, params) {
            values.insert(p.name.to_string(), p.kind.default_value());
        }
    }
}

/// A DOM id for the field at a path (labels point at it).
pub fn field_id(at: &[Step]) -> String {
    let mut s = String::from("param");
    for step in at {
        match step {
            Step::Key(k) => {
                s.push('-');
                s.extend(k.chars().filter(char::is_ascii_alphanumeric));
            }
            Step::Index(i) => s.push_str(&format!("-{i}")),
        }
    }
    s
}

/// Whether a value is an n8n expression (`=…`).
pub fn is_expression(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::String(s)) if s.starts_with('='))
}

/// The fixed value an expression turns back into: its text for a parameter stored as text,
/// else the JSON it wraps (`={{ 5 }}` → `5`); text that is not JSON stays text, never lost.
pub fn fixed_value(kind: &Kind, expression: &str) -> Value {
    let inner = expression.strip_prefix('=').unwrap_or(expression);
    if matches!(
        kind,
        Kind::String { .. }
            | Kind::Text { .. }
            | Kind::Json { .. }
            | Kind::Code { .. }
            | Kind::Options { .. }
    ) {
        return Value::String(inner.to_string());
    }
    let t = inner.trim();
    let wrapped = t
        .strip_prefix("{{")
        .and_then(|r| r.strip_suffix("}}"))
        .map(str::trim);
    wrapped
        .and_then(|w| serde_json::from_str(w).ok())
        .or_else(|| serde_json::from_str(t).ok())
        .unwrap_or_else(|| Value::String(inner.to_string()))
}

/// The options of a `<select>`, the one equal to `current` selected. Marked on each option
/// (not `prop:value` on the select): a select drawn anew sets its value before its options
/// exist, and would show the first option, which a later change would then store.
pub fn marked(options: &'static [Choice], current: Signal<String>) -> impl IntoView {
    options
        .iter()
        .map(|c| view! { <option value=c.value prop:selected=move || current.with(|v| v == c.value)>{c.label}</option> })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_stable_and_tell_paths_apart() {
        let at = path::index(&path::key(&path::key(&vec![], "rules"), "values"), 2);
        assert_eq!(field_id(&at), "param-rules-values-2");
        assert_ne!(
            field_id(&path::key(&vec![], "a.b")),
            field_id(&path::key(&vec![], "a"))
        );
    }

    #[test]
    fn an_expression_turned_back_keeps_its_value() {
        let number = Kind::Number {
            default: 0.0,
            min: None,
            max: None,
        };
        assert_eq!(fixed_value(&number, "={{ 5 }}"), json!(5));
        assert_eq!(
            fixed_value(&number, "={{ $json.n }}"),
            json!("{{ $json.n }}")
        );
        let text = Kind::Text {
            default: "",
            rows: 3,
        };
        assert_eq!(fixed_value(&text, "=a\nb"), json!("a\nb"));
        let json_kind = Kind::Json { default: "{}" };
        assert_eq!(fixed_value(&json_kind, "={\"a\": 1}"), json!("{\"a\": 1}"));
        assert_eq!(
            fixed_value(&Kind::Boolean { default: false }, "=true"),
            json!(true)
        );
        assert_eq!(
            fixed_value(&Kind::MultiOptions { options: &[] }, "={{ [\"a\"] }}"),
            json!(["a"])
        );
    }

    #[test]
    fn expressions_are_strings_starting_with_equals() {
        assert!(is_expression(Some(&json!("={{ $json.x }}"))));
        assert!(!is_expression(Some(&json!("x"))));
        assert!(!is_expression(Some(&json!(3))));
    }
}
