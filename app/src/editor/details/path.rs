//! Addresses inside a node's `parameters`: the form edits one value at a time, by path, so
//! everything it does not draw stays as it was.

use serde_json::{Map, Value};

/// One step into a JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A path from the `parameters` object.
pub type Path = Vec<Step>;

/// `path` + one key.
pub fn key(path: &Path, name: &str) -> Path {
    let mut p = path.clone();
    p.push(Step::Key(name.to_string()));
    p
}

/// `path` + one index.
pub fn index(path: &Path, i: usize) -> Path {
    let mut p = path.clone();
    p.push(Step::Index(i));
    p
}

/// The value at `path`, if there is one.
pub fn get<'a>(root: &'a Map<String, Value>, path: &[Step]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let Step::Key(k) = first else { return None };
    rest.iter().try_fold(root.get(k)?, |v, step| match step {
        Step::Key(k) => v.as_object()?.get(k),
        Step::Index(i) => v.as_array()?.get(*i),
    })
}

/// Writes `value` at `path` (`None` removes it), making the objects and arrays on the way.
/// A step that meets a value of another shape replaces it: the form's definition says what
/// the parameter is, and the user asked for this change.
pub fn set(root: &mut Map<String, Value>, path: &[Step], value: Option<Value>) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let Step::Key(k) = first else { return };
    if rest.is_empty() {
        match value {
            Some(v) => {
                root.insert(k.clone(), v);
            }
            None => {
                root.shift_remove(k);
            }
        }
        return;
    }
    if value.is_none() && !root.contains_key(k) {
        return;
    }
    let slot = root.entry(k.clone()).or_insert(Value::Null);
    set_in(slot, rest, value);
}

fn set_in(slot: &mut Value, path: &[Step], value: Option<Value>) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    // Removing from a value of another shape changes nothing.
    let fits = matches!(
        (first, &*slot),
        (Step::Key(_), Value::Object(_)) | (Step::Index(_), Value::Array(_))
    );
    if value.is_none() && !fits {
        return;
    }
    match first {
        Step::Key(_) => {
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(map) = slot {
                set(map, path, value);
            }
        }
        Step::Index(i) => {
            if !slot.is_array() {
                *slot = Value::Array(Vec::new());
            }
            let Value::Array(list) = slot else { return };
            if rest.is_empty() {
                match value {
                    Some(v) if *i < list.len() => list[*i] = v,
                    Some(v) => list.push(v),
                    None if *i < list.len() => {
                        list.remove(*i);
                    }
                    None => {}
                }
            } else if let Some(inner) = list.get_mut(*i) {
                set_in(inner, rest, value);
            }
        }
    }
}

/// A value as a form's text field shows it.
pub fn as_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn gets_and_sets_nested_values_keeping_the_rest() {
        let mut p = obj(json!({"url": "x", "options": {"timeout": 5, "keep": true}}));
        let timeout = key(&key(&Vec::new(), "options"), "timeout");
        assert_eq!(get(&p, &timeout), Some(&json!(5)));
        set(&mut p, &timeout, Some(json!(9)));
        assert_eq!(
            p,
            obj(json!({"url": "x", "options": {"timeout": 9, "keep": true}}))
        );
        set(&mut p, &timeout, None);
        assert_eq!(p, obj(json!({"url": "x", "options": {"keep": true}})));
    }

    #[test]
    fn makes_the_containers_on_the_way_and_edits_rows() {
        let mut p = Map::new();
        let rows = key(&key(&Vec::new(), "headerParameters"), "parameters");
        set(
            &mut p,
            &index(&rows, 0),
            Some(json!({"name": "a", "value": "1"})),
        );
        set(
            &mut p,
            &index(&rows, 1),
            Some(json!({"name": "b", "value": "2"})),
        );
        set(&mut p, &key(&index(&rows, 1), "value"), Some(json!("3")));
        assert_eq!(
            p,
            obj(json!({"headerParameters": {"parameters": [
                {"name": "a", "value": "1"}, {"name": "b", "value": "3"}]}}))
        );
        set(&mut p, &index(&rows, 0), None);
        assert_eq!(get(&p, &key(&index(&rows, 0), "name")), Some(&json!("b")));
        // Removing what is not there changes nothing.
        set(&mut p, &key(&key(&Vec::new(), "absent"), "x"), None);
        assert!(!p.contains_key("absent"));
        let mut q = obj(json!({"options": "={{ $json.o }}"}));
        set(&mut q, &key(&key(&Vec::new(), "options"), "timeout"), None);
        assert_eq!(q, obj(json!({"options": "={{ $json.o }}"})));
    }

    #[test]
    fn texts_show_strings_bare_and_other_values_as_json() {
        assert_eq!(as_text(Some(&json!("={{ $json.a }}"))), "={{ $json.a }}");
        assert_eq!(as_text(Some(&json!(3))), "3");
        assert_eq!(as_text(None), "");
    }
}
