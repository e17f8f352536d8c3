//! The inputs of single values: text, numbers, booleans, options, JSON, code, colours,
//! resource locators, each with an "fx" switch to an expression where n8n offers one.

use super::data::EXPRESSION_DRAG;
use super::expression::ExpressionInput;
use super::form::{Form, fixed_value, is_expression, marked};
use super::path::{self, Path};
use crate::editor::browser;
use crate::editor::state::Notice;
use agente_workflow_model::params::{Choice, Kind, Param};
use leptos::prelude::*;
use serde_json::{Map, Value};

/// The input for one value; an expression shows as text whatever the parameter's kind.
pub fn input(form: Form, p: &'static Param, at: Path, id: String) -> AnyView {
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
    // A field dragged from the input or output items becomes (part of) an expression.
    let a3 = at.clone();
    let accepts =
        move |ev: &leptos::ev::DragEvent| expressionable && browser::drag_has(ev, EXPRESSION_DRAG);
    let on_drop = move |ev: leptos::ev::DragEvent| {
        if !accepts(&ev) {
            return;
        }
        ev.prevent_default();
        let dropped = browser::dropped(&ev, EXPRESSION_DRAG).unwrap_or_default();
        form.set(
            &a3,
            Some(Value::String(with_dropped(
                form.get_untracked(&a3),
                &dropped,
            ))),
        );
    };
    view! {
        <div class="input-row" on:dragover=move |ev| if accepts(&ev) { ev.prevent_default() } on:drop=on_drop>
            {move || if expr.get() {
                view! { <ExpressionInput form at=at.clone() id=id.clone() multiline /> }.into_any()
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

/// A parameter's value with an expression dropped onto it: appended to an expression or to
/// the fixed text it had (which becomes an expression, as n8n does); a number or a switch
/// is replaced by it.
fn with_dropped(current: Option<Value>, dropped: &str) -> String {
    match current {
        Some(Value::String(e)) if e.starts_with('=') && e.len() > 1 => format!("{e} {dropped}"),
        Some(Value::String(s)) if !s.is_empty() && !s.starts_with('=') => format!("={s} {dropped}"),
        _ => format!("={dropped}"),
    }
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
            resource_locator(form, p.label, modes, at, id).into_any()
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

/// n8n's resource locator: how the resource is given (by ID, URL, name …) and the value.
/// An old plain string is shown as an ID and written back in the new form once changed.
pub fn resource_locator(
    form: Form,
    label: &'static str,
    modes: &'static [Choice],
    at: Path,
    id: String,
) -> impl IntoView {
    let a = at.clone();
    let current = Memo::new(move |_| match form.get(&a) {
        Some(Value::Object(m)) => (
            m.get("mode")
                .and_then(Value::as_str)
                .unwrap_or("id")
                .to_string(),
            path::as_text(m.get("value")),
        ),
        Some(v) => (
            modes.first().map_or("id", |m| m.value).to_string(),
            path::as_text(Some(&v)),
        ),
        None => (
            modes.first().map_or("id", |m| m.value).to_string(),
            String::new(),
        ),
    });
    let (a1, a2) = (at.clone(), at);
    // Other keys n8n keeps on a locator (`cachedResultName`, …) stay.
    let write = move |at: &Path, mode: String, value: String| {
        let mut rl = match form.get_untracked(at) {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        rl.insert("__rl".into(), Value::Bool(true));
        rl.insert("mode".into(), Value::String(mode));
        rl.insert("value".into(), Value::String(value));
        form.set(at, Some(Value::Object(rl)));
    };
    view! {
        <select aria-label=format!("{label}: given as")
            on:change=move |ev| write(&a1, event_target_value(&ev), current.get_untracked().1)>
            {marked(modes, Signal::derive(move || current.get().0))}
        </select>
        <input type="text" id=id prop:value=move || current.get().1
            on:change=move |ev| write(&a2, current.get_untracked().0, event_target_value(&ev)) />
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_dropped_field_joins_what_the_parameter_had() {
        let x = "{{ $json.x }}";
        assert_eq!(with_dropped(None, x), "={{ $json.x }}");
        assert_eq!(with_dropped(Some(json!("")), x), "={{ $json.x }}");
        assert_eq!(
            with_dropped(Some(json!("Hello")), x),
            "=Hello {{ $json.x }}"
        );
        assert_eq!(
            with_dropped(Some(json!("={{ $json.a }}")), x),
            "={{ $json.a }} {{ $json.x }}"
        );
        assert_eq!(with_dropped(Some(json!(3)), x), "={{ $json.x }}");
    }
}
