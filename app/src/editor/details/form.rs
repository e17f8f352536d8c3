//! Parameter forms drawn from the node's definition (`agente_workflow_model::params`). Each
//! field reads and writes one path of the node's `parameters`; a change is one undo step,
//! and fields commit on `change` (not per key) so typing is not a hundred steps.

use super::path::{self, Path, Step};
use super::rows;
use crate::editor::state::{EditorState, Notice};
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

/// The fields of `params` shown for the values at `base` (their siblings decide).
#[component]
pub fn ParamList(form: Form, params: &'static [Param], base: Path) -> impl IntoView {
    let b = base.clone();
    let visible = Memo::new(move |_| {
        let here = match form.get(&b) {
            Some(Value::Object(m)) => m,
            _ if b.is_empty() => form.params(),
            _ => Map::new(),
        };
        params
            .iter()
            .enumerate()
            .filter(|(_, p)| shown(p.show, &here, params))
            .map(|(i, _)| i)
            .collect::<Vec<_>>()
    });
    view! {
        <For each=move || visible.get() key=|i| *i let:i>
            {field(form, &params[i], path::key(&base, params[i].name))}
        </For>
    }
    .into_any()
}

/// A labelled field of any kind, with its hint.
pub fn field(form: Form, p: &'static Param, at: Path) -> AnyView {
    let id = field_id(&at);
    let label = if p.required {
        format!("{} *", p.label)
    } else {
        p.label.to_string()
    };
    let hint = (!p.hint.is_empty()).then(|| view! { <span class="hint">{p.hint}</span> });
    match &p.kind {
        Kind::Collection { fields } => rows::collection(form, p.label, fields, at).into_any(),
        Kind::FixedCollection { groups, multiple } => {
            rows::fixed_collection(form, p.label, groups, *multiple, at).into_any()
        }
        Kind::Assignments => rows::assignments(form, p.label, at).into_any(),
        Kind::Conditions => rows::conditions(form, p.label, at).into_any(),
        // Groups of controls are named by their label's text, not `for`.
        Kind::MultiOptions { .. } | Kind::Color => view! {
            <div class="field">
                <span class="field-label" id=format!("{id}-label")>{label}</span>
                {input(form, p, at, id)}
                {hint}
            </div>
        }
        .into_any(),
        _ => view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                {input(form, p, at, id)}
                {hint}
            </div>
        }
        .into_any(),
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

/// The input for one value; an expression shows as text whatever the parameter's kind.
fn input(form: Form, p: &'static Param, at: Path, id: String) -> AnyView {
    let a = at.clone();
    let expr = Memo::new(move |_| is_expression(form.get(&a).as_ref()));
    let a2 = at.clone();
    let toggle = move |_| {
        let now = form.get_untracked(&a2);
        let next = match now {
            Some(Value::String(e)) if e.starts_with('=') => Some(fixed_value(&p.kind, &e)),
            Some(Value::String(s)) => Some(Value::String(format!("={s}"))),
            None => Some(Value::String("=".into())),
            Some(v) => Some(Value::String(format!("={{{{ {v} }}}}"))),
        };
        form.set(&a2, next);
    };
    // A resource locator takes an expression in its value field, as in n8n.
    let expressionable = !matches!(
        p.kind,
        Kind::Code { .. } | Kind::Color | Kind::ResourceLocator { .. }
    );
    let multiline = matches!(p.kind, Kind::Text { .. } | Kind::Json { .. });
    view! {
        <div class="input-row">
            {move || if expr.get() {
                expression_input(form, at.clone(), id.clone(), multiline)
            } else {
                fixed_input(form, p, at.clone(), id.clone())
            }}
            {expressionable.then(|| view! {
                <button type="button" class="btn btn-small fx" aria-pressed=move || expr.get().to_string()
                    title="Use an expression ={{ … }}" aria-label=format!("{}: expression", p.label)
                    on:click=toggle>"fx"</button>
            })}
        </div>
    }
    .into_any()
}

/// An expression, in a text area where the parameter is several lines (line breaks kept).
fn expression_input(form: Form, at: Path, id: String, multiline: bool) -> AnyView {
    let a = at.clone();
    let value = move || path::as_text(form.get(&a).as_ref());
    let write =
        move |ev: leptos::ev::Event| form.set(&at, Some(Value::String(event_target_value(&ev))));
    if multiline {
        view! { <textarea id=id class="expr" rows="4" spellcheck="false" prop:value=value on:change=write /> }.into_any()
    } else {
        view! { <input type="text" id=id class="expr" spellcheck="false" prop:value=value on:change=write /> }.into_any()
    }
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

fn fixed_input(form: Form, p: &'static Param, at: Path, id: String) -> AnyView {
    let a = at.clone();
    let current = move || form.get(&a);
    match &p.kind {
        Kind::String {
            default,
            placeholder,
        } => {
            let default = *default;
            view! {
                <input type="text" id=id placeholder=*placeholder
                    prop:value=move || current().map_or_else(|| default.to_string(), |v| path::as_text(Some(&v)))
                    on:change=move |ev| form.set(&at, Some(Value::String(event_target_value(&ev)))) />
            }
            .into_any()
        }
        Kind::Text { default, .. } | Kind::Code { default, .. } => {
            let default = *default;
            let code = matches!(p.kind, Kind::Code { .. });
            view! {
                <textarea id=id rows=rows_of(&p.kind) class:code=code spellcheck=(!code).to_string()
                    prop:value=move || current().map_or_else(|| default.to_string(), |v| path::as_text(Some(&v)))
                    on:change=move |ev| form.set(&at, Some(Value::String(event_target_value(&ev)))) />
            }
            .into_any()
        }
        Kind::Json { default } => json_input(form, default, at, id),
        Kind::Boolean { default } => {
            let default = *default;
            view! {
                <input type="checkbox" id=id prop:checked=move || current().and_then(|v| v.as_bool()).unwrap_or(default)
                    on:change=move |ev| form.set(&at, Some(Value::Bool(event_target_checked(&ev)))) />
            }
            .into_any()
        }
        Kind::Number { default, min, max } => {
            let default = *default;
            view! {
                <input type="number" id=id step="any" min=min.map(|m| m.to_string()) max=max.map(|m| m.to_string())
                    prop:value=move || current().map_or_else(|| default.to_string(), |v| path::as_text(Some(&v)))
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        match text.trim() {
                            "" => form.set(&at, None),
                            t => match t.parse::<f64>() {
                                Ok(n) if n.is_finite() => form.set(&at, Some(agente_workflow_model::params::number(n))),
                                _ => form.st.say(Notice::Error(format!("{}: '{t}' is not a number", p.label))),
                            },
                        }
                    } />
            }
            .into_any()
        }
        Kind::Options { default, options } => {
            let default = *default;
            view! {
                <select id=id on:change=move |ev| form.set(&at, Some(Value::String(event_target_value(&ev))))>
                    {marked(options, Signal::derive(move || current().map_or_else(|| default.to_string(), |v| path::as_text(Some(&v)))))}
                </select>
            }
            .into_any()
        }
        Kind::MultiOptions { options } => multi_options(form, options, at, id),
        Kind::ResourceLocator { modes } => {
            rows::resource_locator(form, p.label, modes, at, id).into_any()
        }
        Kind::Color => color(form, at, id),
        // Drawn by `field`, never here.
        _ => ().into_any(),
    }
}

fn rows_of(kind: &Kind) -> u8 {
    match kind {
        Kind::Text { rows, .. } => (*rows).max(2),
        _ => 12,
    }
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

/// JSON as text: kept as typed (nothing is lost), with a warning while it does not parse.
fn json_input(form: Form, default: &'static str, at: Path, id: String) -> AnyView {
    let a = at.clone();
    let text = Memo::new(move |_| {
        form.get(&a)
            .map_or_else(|| default.to_string(), |v| path::as_text(Some(&v)))
    });
    let problem = move || {
        let t = text.get();
        if t.starts_with('=') {
            return None;
        }
        serde_json::from_str::<Value>(&t)
            .err()
            .map(|e| format!("Not valid JSON: {e}"))
    };
    view! {
        <textarea id=id rows="8" class="code" spellcheck="false" prop:value=move || text.get()
            on:change=move |ev| form.set(&at, Some(Value::String(event_target_value(&ev)))) />
        {move || problem().map(|m| view! { <span class="hint status-error" role="alert">{m}</span> })}
    }
    .into_any()
}

fn multi_options(form: Form, options: &'static [Choice], at: Path, id: String) -> AnyView {
    view! {
        <div id=id.clone() class="checks" role="group" aria-labelledby=format!("{id}-label")>
            {options.iter().map(|c| {
                let (a, a2) = (at.clone(), at.clone());
                let has = move || form.get(&a).and_then(|v| v.as_array().map(|l| l.iter().any(|x| x == c.value))).unwrap_or(false);
                view! {
                    <label class="field-check">
                        <input type="checkbox" prop:checked=has on:change=move |ev| {
                            let mut list = form.get_untracked(&a2).and_then(|v| v.as_array().cloned()).unwrap_or_default();
                            list.retain(|x| x != c.value);
                            if event_target_checked(&ev) {
                                list.push(Value::String(c.value.into()));
                            }
                            form.set(&a2, Some(Value::Array(list)));
                        } />
                        {c.label}
                    </label>
                }
            }).collect_view()}
        </div>
    }
    .into_any()
}

/// n8n's seven sticky-note colours.
const COLOURS: [&str; 7] = ["Yellow", "Brown", "Pink", "Green", "Blue", "Purple", "Grey"];

fn color(form: Form, at: Path, id: String) -> AnyView {
    view! {
        <div id=id.clone() class="swatches" role="radiogroup" aria-labelledby=format!("{id}-label")>
            {COLOURS.iter().enumerate().map(|(i, name)| {
                let n = i as u64 + 1;
                let (a, a2) = (at.clone(), at.clone());
                view! {
                    <button type="button" class=format!("swatch sticky-{n}") role="radio" aria-label=*name
                        aria-checked=move || (form.get(&a).and_then(|v| v.as_u64()).unwrap_or(1) == n).to_string()
                        on:click=move |_| form.set(&a2, Some(Value::from(n)))></button>
                }
            }).collect_view()}
        </div>
    }
    .into_any()
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
