//! What may be typed at the caret of an expression: the variables (`$json`, `$input`,
//! `$('Node')`, `$now` …), node names inside `$('`, and after a dot the members of what
//! stands before it: the fields of the items of the run shown (the node's input, or a named
//! node's output) and the helpers of its type (the run's own: string, array, number and
//! date helpers the engine's prelude defines).

use super::highlight::{is_name_part, is_name_start};
use agente_workflow_model::template;
use serde_json::Value;

/// Most suggestions offered at once.
const MAX_SUGGESTIONS: usize = 50;

/// Example items to complete field names from: the node's input, and other nodes' output.
#[derive(Clone, Debug, Default)]
pub struct Samples<'a> {
    pub input: &'a [Value],
    /// Nodes `$('…')` may name (those before this one), with their output items if they ran.
    pub nodes: &'a [(String, Vec<Value>)],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub label: String,
    pub insert: String,
    /// A short word on what it is (`string`, `node`, `helper` …).
    pub detail: String,
}

/// Suggestions replacing the bytes `from..to` of the value (`to` is the caret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub from: usize,
    pub to: usize,
    pub options: Vec<Suggestion>,
}

/// The variables every expression can use, with what they are.
const ROOTS: &[(&str, &str)] = &[
    ("$json", "the current item's fields"),
    ("$input", "this node's input items"),
    ("$('')", "another node's items"),
    ("$now", "now, as a date"),
    ("$today", "today at midnight"),
    ("$itemIndex", "the current item's index"),
    ("$runIndex", "how often this node ran before"),
    ("$prevNode", "the node before this one"),
    ("$workflow", "this workflow's id, name, active"),
    ("$execution", "this run's id and mode"),
    ("$vars", "the workspace's variables"),
    ("$binary", "the current item's files"),
];

const ITEMS: &[(&str, &str)] = &[
    ("item", "the item paired with the current one"),
    ("first()", "the first item"),
    ("last()", "the last item"),
    ("all()", "every item"),
];
const ITEM: &[(&str, &str)] = &[
    ("json", "the item's fields"),
    ("binary", "the item's files"),
];
const WORKFLOW: &[(&str, &str)] = &[("id", "string"), ("name", "string"), ("active", "boolean")];
const EXECUTION: &[(&str, &str)] = &[
    ("id", "string"),
    ("mode", "string"),
    ("resumeUrl", "string"),
];
const DATE: &[(&str, &str)] = &[
    ("toFormat('yyyy-MM-dd')", "text in a format"),
    ("toISO()", "ISO 8601 text"),
    ("toISODate()", "yyyy-MM-dd"),
    ("plus({ days: 1 })", "later by"),
    ("minus({ days: 1 })", "earlier by"),
    ("startOf('day')", "start of a unit"),
    ("endOf('day')", "end of a unit"),
    ("setZone('UTC')", "in another zone"),
    ("diff($now, 'days')", "difference"),
    ("toMillis()", "Unix milliseconds"),
    ("year", "number"),
    ("month", "number"),
    ("day", "number"),
    ("weekday", "number, Monday 1"),
    ("hour", "number"),
    ("minute", "number"),
];
const STRING: &[(&str, &str)] = &[
    ("length", "number"),
    ("toUpperCase()", "helper"),
    ("toLowerCase()", "helper"),
    ("trim()", "helper"),
    ("includes('')", "helper"),
    ("startsWith('')", "helper"),
    ("split(',')", "helper"),
    ("replace('', '')", "helper"),
    ("slice(0, 10)", "helper"),
    ("isEmpty()", "helper"),
    ("isNotEmpty()", "helper"),
    ("toTitleCase()", "helper"),
    ("toSentenceCase()", "helper"),
    ("toSnakeCase()", "helper"),
    ("toCamelCase()", "helper"),
    ("toNumber()", "helper"),
    ("toInt()", "helper"),
    ("extractEmail()", "helper"),
    ("extractUrl()", "helper"),
];
const NUMBER: &[(&str, &str)] = &[
    ("toFixed(2)", "helper"),
    ("round(2)", "helper"),
    ("floor()", "helper"),
    ("ceil()", "helper"),
    ("toString()", "helper"),
];
const ARRAY: &[(&str, &str)] = &[
    ("length", "number"),
    ("first()", "helper"),
    ("last()", "helper"),
    ("join(', ')", "helper"),
    ("includes()", "helper"),
    ("isEmpty()", "helper"),
    ("isNotEmpty()", "helper"),
    ("sum()", "helper"),
    ("average()", "helper"),
    ("min()", "helper"),
    ("max()", "helper"),
    ("unique()", "helper"),
    ("compact()", "helper"),
    ("pluck('')", "helper"),
    ("chunk(2)", "helper"),
    ("map(x => x)", "helper"),
    ("filter(x => x)", "helper"),
];

/// What to offer at byte `caret` of `value`; `None` outside `{{ … }}` or where nothing fits.
pub fn complete(value: &str, caret: usize, samples: &Samples<'_>) -> Option<Completion> {
    let body = value.strip_prefix('=')?;
    let caret = caret.checked_sub(1)?;
    let block = template::blocks(body)
        .into_iter()
        .find(|b| b.inner.start <= caret && caret <= b.inner.end)?;
    let before = body.get(block.inner.start..caret)?;
    let found = node_names(before, samples).or_else(|| members(before, samples))?;
    let (from, options) = found;
    let start = block.inner.start + from + 1;
    // What is typed in full needs no suggestion.
    let typed = &value[start..=caret];
    let options: Vec<Suggestion> = options
        .into_iter()
        .filter(|o| o.insert != typed)
        .take(MAX_SUGGESTIONS)
        .collect();
    (!options.is_empty()).then_some(Completion {
        from: start,
        to: caret + 1,
        options,
    })
}

/// Inside `$('…`: the nodes whose name starts with what is typed.
fn node_names(before: &str, samples: &Samples<'_>) -> Option<(usize, Vec<Suggestion>)> {
    let open = before.rfind("$(")?;
    let typed = &before[open + 2..];
    let partial = typed.strip_prefix(['\'', '"']).unwrap_or(typed);
    if partial.contains(['\'', '"', ')']) {
        return None;
    }
    let options: Vec<Suggestion> = samples
        .nodes
        .iter()
        .filter(|(name, _)| matches(name, partial))
        .map(|(name, _)| Suggestion {
            label: name.clone(),
            insert: format!("$('{}')", quoted(name)),
            detail: "node".into(),
        })
        .collect();
    (!options.is_empty()).then_some((open, options))
}

/// After `$…` or `something.`: the variables, or the members of what stands before the dot.
fn members(before: &str, samples: &Samples<'_>) -> Option<(usize, Vec<Suggestion>)> {
    let chain_start = chain_start(before);
    let chain = &before[chain_start..];
    let Some(dot) = chain.rfind('.') else {
        if !chain.starts_with('$') {
            return None;
        }
        let options = ROOTS
            .iter()
            .filter(|(root, _)| matches(root, chain))
            .map(|(root, detail)| suggest(root, detail))
            .collect();
        return Some((chain_start, options));
    };
    let (base, partial) = (&chain[..dot], &chain[dot + 1..]);
    let fixed = |list: &[(&str, &str)]| -> Vec<Suggestion> {
        list.iter()
            .filter(|(m, _)| matches(m, partial))
            .map(|(m, d)| suggest(m, d))
            .collect()
    };
    let options = match base {
        "$input" => fixed(ITEMS),
        "$workflow" => fixed(WORKFLOW),
        "$execution" => fixed(EXECUTION),
        "$now" | "$today" => fixed(DATE),
        _ if is_item_path(base) => fixed(ITEM),
        _ if base.starts_with("$(") && base.ends_with(')') => fixed(ITEMS),
        _ if base.ends_with(".all()") => fixed(ARRAY),
        _ => match sample(base, samples)? {
            Value::Object(fields) => {
                let options = fields
                    .iter()
                    .filter(|(k, _)| matches(k, partial))
                    .map(|(k, v)| field(k, v))
                    .collect();
                // A field name that is not a JavaScript name is written `['my field']`,
                // replacing the dot too.
                return Some((chain_start + dot, options));
            }
            Value::String(_) => fixed(STRING),
            Value::Number(_) => fixed(NUMBER),
            Value::Array(_) => fixed(ARRAY),
            _ => return None,
        },
    };
    Some((chain_start + dot + 1, options))
}

/// Where the chain of names, calls and indexes ending at the caret starts
/// (`$('A').item.json.na` in `1 + $('A').item.json.na`).
fn chain_start(before: &str) -> usize {
    let bytes = before.as_bytes();
    let mut i = before.len();
    while i > 0 {
        let c = before[..i].chars().next_back().unwrap_or(' ');
        if is_name_part(c) || c == '.' {
            i -= c.len_utf8();
        } else if c == ')' || c == ']' {
            match opener(bytes, i - 1) {
                Some(open) => i = open,
                None => break,
            }
        } else {
            break;
        }
    }
    i
}

/// The index of the `(` or `[` matching the closer at `close` (quotes skipped roughly).
fn opener(bytes: &[u8], close: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = close + 1;
    while i > 0 {
        i -= 1;
        let b = bytes[i];
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"' | b'`') => quote = Some(b),
            (None, b')' | b']') => depth += 1,
            (None, b'(' | b'[') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether a path stands for an item (`{json, binary}`), not its fields.
fn is_item_path(path: &str) -> bool {
    path.ends_with(".item") || path.ends_with(".first()") || path.ends_with(".last()")
}

/// The example value a path reads, from the first item of the samples.
fn sample<'s>(path: &str, samples: &'s Samples<'_>) -> Option<&'s Value> {
    let (mut value, rest) = if let Some(rest) = path.strip_prefix("$json") {
        (samples.input.first()?, rest)
    } else if let Some(rest) = path.strip_prefix("$input") {
        item_of(samples.input, rest)?
    } else if let Some(after) = path.strip_prefix("$(") {
        let close = after.find(')')?;
        let name = after[..close].trim_matches(|c| c == '\'' || c == '"');
        let items = &samples.nodes.iter().find(|(n, _)| n == name)?.1;
        item_of(items, &after[close + 1..])?
    } else {
        return None;
    };
    for step in steps(rest)? {
        value = match step {
            Step::Field(name) => value.get(name)?,
            Step::Index(i) => value.get(i)?,
        };
    }
    Some(value)
}

/// `.item` / `.first()` / `.last()` then `.json`: the first item's `json`, and the path after.
fn item_of<'s, 'p>(items: &'s [Value], rest: &'p str) -> Option<(&'s Value, &'p str)> {
    let rest = [".item", ".first()", ".last()"]
        .iter()
        .find_map(|p| rest.strip_prefix(p))?;
    Some((items.first()?, rest.strip_prefix(".json")?))
}

enum Step<'p> {
    Field(&'p str),
    Index(usize),
}

/// `.a['b c'][0]` as steps; `None` for anything else (a call, an operator).
fn steps(path: &str) -> Option<Vec<Step<'_>>> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let name = &after[..end];
            if name.is_empty() || !name.chars().all(is_name_part) {
                return None;
            }
            out.push(Step::Field(name));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let inside = after[..end].trim();
            let quoted = inside
                .strip_prefix(['\'', '"'])
                .and_then(|s| s.strip_suffix(['\'', '"']));
            out.push(match quoted {
                Some(name) => Step::Field(name),
                None => Step::Index(inside.parse().ok()?),
            });
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(out)
}

fn suggest(label: &str, detail: &str) -> Suggestion {
    Suggestion {
        label: label.to_string(),
        insert: label.to_string(),
        detail: detail.to_string(),
    }
}

/// A field of the sample: `.name` (replacing from the dot), or `['odd name']`.
fn field(name: &str, value: &Value) -> Suggestion {
    let plain = name.chars().next().is_some_and(is_name_start) && name.chars().all(is_name_part);
    Suggestion {
        label: name.to_string(),
        insert: if plain {
            format!(".{name}")
        } else {
            format!("['{}']", quoted(name))
        },
        detail: kind_of(value).to_string(),
    }
}

/// Text inside a single-quoted JavaScript string.
fn quoted(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\'', "\\'")
}

/// A JSON value's type as the editor names it (`string`, `array` …).
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether a suggestion fits what is typed: same start, any case.
fn matches(label: &str, typed: &str) -> bool {
    label.to_lowercase().starts_with(&typed.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at_end(value: &str, samples: &Samples<'_>) -> Option<Completion> {
        complete(value, value.find("‸").unwrap_or(value.len()), samples)
    }

    fn labels(c: &Completion) -> Vec<&str> {
        c.options.iter().map(|s| s.label.as_str()).collect()
    }

    fn apply(value: &str, c: &Completion, pick: &str) -> String {
        let s = c.options.iter().find(|s| s.label == pick).unwrap();
        format!("{}{}{}", &value[..c.from], s.insert, &value[c.to..])
    }

    #[test]
    fn variables_after_a_dollar() {
        let none = Samples::default();
        let c = at_end("={{ $", &none).unwrap();
        assert_eq!(labels(&c)[..3], ["$json", "$input", "$('')"]);
        let value = "={{ 1 + $no }}";
        let c = complete(value, value.len() - 3, &none).unwrap();
        assert_eq!(labels(&c), ["$now"]);
        assert_eq!(apply(value, &c, "$now"), "={{ 1 + $now }}");
        // Outside {{ }} or in a plain value, nothing.
        assert_eq!(at_end("=Hi $", &none), None);
        assert_eq!(at_end("{{ $", &none), None);
    }

    #[test]
    fn fields_of_the_input_and_of_named_nodes() {
        let input = [
            json!({"name": "Ada", "address": {"city": "Oslo", "post code": "0150"}, "tags": ["a"]}),
        ];
        let nodes = [
            (
                "Get user".to_string(),
                vec![json!({"id": 7, "email": "a@b.c"})],
            ),
            ("Other".to_string(), vec![]),
        ];
        let s = Samples {
            input: &input,
            nodes: &nodes,
        };

        let value = "={{ $json. }}";
        let c = complete(value, value.len() - 3, &s).unwrap();
        assert_eq!(
            labels(&c),
            ["name", "address", "tags"],
            "in the items' order"
        );
        assert_eq!(apply(value, &c, "name"), "={{ $json.name }}");

        let value = "={{ $json.address. }}";
        let c = complete(value, value.len() - 3, &s).unwrap();
        assert_eq!(
            apply(value, &c, "post code"),
            "={{ $json.address['post code'] }}"
        );
        assert_eq!(c.options[0].detail, "string");

        let c = at_end("={{ $input.item.json.na", &s).unwrap();
        assert_eq!(labels(&c), ["name"]);
        let c = at_end("={{ $('Get user').item.json.", &s).unwrap();
        assert_eq!(labels(&c), ["id", "email"]);
        let c = at_end("={{ $('Get user').first().", &s).unwrap();
        assert_eq!(labels(&c), ["json", "binary"]);
        let c = at_end("={{ $('Get user').", &s).unwrap();
        assert_eq!(labels(&c), ["item", "first()", "last()", "all()"]);
        // Helpers by the sample's type.
        let c = at_end("={{ $json.name.toU", &s).unwrap();
        assert_eq!(labels(&c), ["toUpperCase()"]);
        let c = at_end("={{ $json.tags.jo", &s).unwrap();
        assert_eq!(labels(&c), ["join(', ')"]);
        let c = at_end("={{ $now.to", &s).unwrap();
        assert!(labels(&c).contains(&"toFormat('yyyy-MM-dd')"));
        // What is typed in full is not offered again.
        assert_eq!(at_end("={{ $json.name", &s), None);
        assert_eq!(labels(&at_end("={{ $json.n", &s).unwrap()), ["name"]);
        // A node that did not run, or a field that is not there: nothing to offer.
        assert_eq!(at_end("={{ $('Other').item.json.", &s), None);
        assert_eq!(at_end("={{ $json.missing.", &s), None);
    }

    #[test]
    fn node_names_inside_a_dollar_call() {
        let nodes = [
            ("Get user".to_string(), vec![]),
            ("Get order".to_string(), vec![]),
            ("It's".to_string(), vec![]),
        ];
        let s = Samples {
            input: &[],
            nodes: &nodes,
        };
        let value = "={{ $('Get }}";
        let c = complete(value, value.len() - 3, &s).unwrap();
        assert_eq!(labels(&c), ["Get user", "Get order"]);
        assert_eq!(apply(value, &c, "Get order"), "={{ $('Get order') }}");
        let c = at_end("={{ $(", &s).unwrap();
        assert_eq!(apply("={{ $(", &c, "It's"), r"={{ $('It\'s')");
        // Once the name is closed, the node's members follow.
        assert_eq!(at_end("={{ $('Get user') ", &s), None);
    }
}
