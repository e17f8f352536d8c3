//! Node names: unique as n8n makes them, and references to a node rewritten when it is
//! renamed (n8n addresses nodes by name in connections and in expressions).

use serde_json::Value;

/// `wanted` if no node has it, else n8n's next free form: `Set` → `Set1`, `Set2`, …
/// (`Set3` → `Set4`, …: a trailing number is counted on from).
pub(crate) fn unique_name(wanted: &str, taken: impl Fn(&str) -> bool) -> String {
    let wanted = wanted.trim();
    let wanted = if wanted.is_empty() { "Node" } else { wanted };
    if !taken(wanted) {
        return wanted.to_string();
    }
    let base = wanted.trim_end_matches(|c: char| c.is_ascii_digit());
    let start: u64 = wanted[base.len()..].parse().map_or(1, |n: u64| n + 1);
    (start..)
        .map(|i| format!("{base}{i}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| wanted.to_string())
}

/// Rewrites references to node `old` as `new` in one parameter value, as n8n does on a
/// rename: in expressions (`={{ $('Old').item.json.x }}`, `$node["Old"]`, `$items("Old")`)
/// and in Code node source (`jsCode`, `pythonCode`). Answers whether anything changed.
pub fn rename_references(value: &mut Value, old: &str, new: &str) -> bool {
    rewrite(value, None, old, new)
}

/// Parameters that hold program text rather than values.
const CODE_PARAMETERS: &[&str] = &["jsCode", "pythonCode", "code", "functionCode"];

fn rewrite(value: &mut Value, key: Option<&str>, old: &str, new: &str) -> bool {
    match value {
        Value::String(s) => {
            let is_code = key.is_some_and(|k| CODE_PARAMETERS.contains(&k));
            if !(s.starts_with('=') || is_code) {
                return false;
            }
            let rewritten = replace_references(s, old, new);
            let changed = rewritten != *s;
            *s = rewritten;
            changed
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, v| rewrite(v, None, old, new) | changed),
        Value::Object(map) => map.iter_mut().fold(false, |changed, (k, v)| {
            rewrite(v, Some(k), old, new) | changed
        }),
        _ => false,
    }
}

fn replace_references(text: &str, old: &str, new: &str) -> String {
    let mut out = text.to_string();
    for (open, close) in [("'", "'"), ("\"", "\""), ("`", "`")] {
        for prefix in ["$(", "$node[", "$items("] {
            let from = format!("{prefix}{open}{}{close}", escape(old, open));
            let to = format!("{prefix}{open}{}{close}", escape(new, open));
            out = out.replace(&from, &to);
        }
    }
    // `$node.Old.json`: only names that are identifiers can be written this way.
    if is_identifier(old) {
        let to = if is_identifier(new) {
            format!("$node.{new}")
        } else {
            format!("$node[\"{}\"]", escape(new, "\""))
        };
        out = replace_word(&out, &format!("$node.{old}"), &to);
    }
    out
}

/// A name inside a quoted string literal of that quote.
fn escape(name: &str, quote: &str) -> String {
    name.replace('\\', "\\\\")
        .replace(quote, &format!("\\{quote}"))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// Replaces `from` where it is not followed by more of an identifier (`$node.Set` is not a
/// reference inside `$node.Set1`).
fn replace_word(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        let after = &rest[i + from.len()..];
        let continues = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
        out.push_str(&rest[..i]);
        out.push_str(if continues { from } else { to });
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_made_unique_as_n8n_makes_them() {
        let taken = ["Set", "Set1", "HTTP Request", "Code3"];
        let is_taken = |n: &str| taken.contains(&n);
        assert_eq!(unique_name("If", is_taken), "If");
        assert_eq!(unique_name("Set", is_taken), "Set2");
        assert_eq!(unique_name("HTTP Request", is_taken), "HTTP Request1");
        assert_eq!(unique_name("Code3", is_taken), "Code4");
        assert_eq!(unique_name("  ", is_taken), "Node");
    }

    #[test]
    fn a_rename_rewrites_expressions_and_code_but_not_plain_text() {
        let mut params = json!({
            "value": "={{ $('Get user').item.json.id }} and {{ $node[\"Get user\"].json.name }}",
            "items": "={{ $items('Get user').length }}",
            "plain": "Get user $('Get user')",
            "jsCode": "return $('Get user').all();",
            "nested": {"list": ["={{ $(\"Get user\").first().json }}"]}
        });
        assert!(rename_references(&mut params, "Get user", "Fetch user"));
        assert_eq!(
            params,
            json!({
                "value": "={{ $('Fetch user').item.json.id }} and {{ $node[\"Fetch user\"].json.name }}",
                "items": "={{ $items('Fetch user').length }}",
                "plain": "Get user $('Get user')",
                "jsCode": "return $('Fetch user').all();",
                "nested": {"list": ["={{ $(\"Fetch user\").first().json }}"]}
            })
        );
        assert!(!rename_references(&mut params, "Nobody", "Someone"));
    }

    #[test]
    fn dotted_references_keep_to_whole_names_and_quote_when_needed() {
        let mut v = json!("={{ $node.Set.json.a + $node.Set1.json.b }}");
        rename_references(&mut v, "Set", "Set values");
        assert_eq!(
            v,
            json!("={{ $node[\"Set values\"].json.a + $node.Set1.json.b }}")
        );
        let mut v = json!("={{ $('It\\'s').item }}");
        rename_references(&mut v, "It's", "Its");
        assert_eq!(v, json!("={{ $('Its').item }}"));
    }
}
