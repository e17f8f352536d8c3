//! The composite parameter forms: option collections, fixed collections (lists of rows),
//! Set's assignments and If/Filter's conditions. Their inner fields are drawn by the `Draw`
//! they are given (the form's `field`), so this module does not depend on the form's top.

use super::form::{Form, field_id, marked};
use super::path::{self, Path};
use agente_workflow_model::params::{Choice, FieldGroup, OPERATORS, Param, shown, unary};
use leptos::prelude::*;
use serde_json::{Map, Value, json};

/// Draws one field of any kind (`fields::field`).
pub type Draw = fn(Form, &'static Param, Path) -> AnyView;

/// The fields of `params` shown for the values at `base` (their siblings decide).
pub fn param_list(form: Form, params: &'static [Param], base: Path, draw: Draw) -> AnyView {
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
            {draw(form, &params[i], path::key(&base, params[i].name))}
        </For>
    }
    .into_any()
}

/// n8n's "options": optional fields, each added on demand and removable.
pub fn collection(
    form: Form,
    label: &'static str,
    fields: &'static [Param],
    at: Path,
    draw: Draw,
) -> impl IntoView {
    let a = at.clone();
    let present = Memo::new(move |_| {
        let here = form
            .get(&a)
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
        fields
            .iter()
            .enumerate()
            .filter(|(_, f)| here.contains_key(f.name) && shown(f.show, &here, fields))
            .map(|(i, _)| i)
            .collect::<Vec<_>>()
    });
    let (a1, a2) = (at.clone(), at.clone());
    view! {
        <fieldset class="collection">
            <legend>{label}</legend>
            <For each=move || present.get() key=|i| *i let:i>
                {
                    let f = &fields[i];
                    let at = path::key(&a1, f.name);
                    let gone = at.clone();
                    view! {
                        <div class="row">
                            {draw(form, f, at)}
                            <button type="button" class="btn btn-small" aria-label=format!("Remove {}", f.label)
                                on:click=move |_| form.set(&gone, None)>"×"</button>
                        </div>
                    }
                }
            </For>
            <select aria-label=format!("Add to {label}") prop:value=""
                on:change=move |ev| {
                    let name = event_target_value(&ev);
                    if let Some(f) = fields.iter().find(|f| f.name == name) {
                        form.set(&path::key(&a2, f.name), Some(f.kind.default_value()));
                    }
                }>
                <option value="">{format!("Add option to {label}…")}</option>
                {move || {
                    let here = form.get(&at).and_then(|v| v.as_object().cloned()).unwrap_or_default();
                    fields.iter().filter(|f| !here.contains_key(f.name))
                        .map(|f| view! { <option value=f.name>{f.label}</option> })
                        .collect_view()
                }}
            </select>
        </fieldset>
    }
    .into_any()
}

/// A new row of `fields`: each shown field with its default.
fn new_row(fields: &'static [Param]) -> Value {
    let empty = Map::new();
    Value::Object(
        fields
            .iter()
            .filter(|f| shown(f.show, &empty, fields))
            .map(|f| (f.name.to_string(), f.kind.default_value()))
            .collect(),
    )
}

/// n8n's fixed collection: per group, a list of rows (or one row).
pub fn fixed_collection(
    form: Form,
    label: &'static str,
    groups: &'static [FieldGroup],
    multiple: bool,
    at: Path,
    draw: Draw,
) -> impl IntoView {
    view! {
        <fieldset class="collection">
            <legend>{label}</legend>
            {groups.iter().map(|g| {
                let at = path::key(&at, g.name);
                if multiple { row_list(form, g, at, draw).into_any() } else { one_row(form, g, at, draw).into_any() }
            }).collect_view()}
        </fieldset>
    }
    .into_any()
}

fn row_list(form: Form, g: &'static FieldGroup, at: Path, draw: Draw) -> impl IntoView {
    let (a, a2) = (at.clone(), at.clone());
    let count = Memo::new(move |_| form.len(&a));
    view! {
        <For each=move || 0..count.get() key=|i| *i let:i>
            {
                let row = path::index(&at, i);
                let gone = row.clone();
                view! {
                    <div class="row" role="group" aria-label=format!("{} {}", g.label, i + 1)>
                        <div class="row-fields">{param_list(form, g.fields, row, draw)}</div>
                        <button type="button" class="btn btn-small" aria-label=format!("Remove {} {}", g.label, i + 1)
                            on:click=move |_| form.set(&gone, None)>"×"</button>
                    </div>
                }
            }
        </For>
        <button type="button" class="btn btn-small" on:click=move |_| form.push(&a2, new_row(g.fields))>
            {format!("Add {}", g.label)}
        </button>
    }
    .into_any()
}

fn one_row(form: Form, g: &'static FieldGroup, at: Path, draw: Draw) -> impl IntoView {
    let a = at.clone();
    let present = Memo::new(move |_| form.get(&a).is_some());
    move || {
        let at = at.clone();
        if present.get() {
            let gone = at.clone();
            view! {
                <div class="row" role="group" aria-label=g.label>
                    <div class="row-fields">{param_list(form, g.fields, at, draw)}</div>
                    <button type="button" class="btn btn-small" aria-label=format!("Remove {}", g.label)
                        on:click=move |_| form.set(&gone, None)>"×"</button>
                </div>
            }
            .into_any()
        } else {
            view! {
                <button type="button" class="btn btn-small" on:click=move |_| form.set(&at, Some(new_row(g.fields)))>
                    {format!("Add {}", g.label)}
                </button>
            }
            .into_any()
        }
    }
}

const COMBINATORS: &[Choice] = &[
    Choice {
        value: "and",
        label: "AND: all must match",
    },
    Choice {
        value: "or",
        label: "OR: any may match",
    },
];

const VALUE_TYPES: &[Choice] = &[
    Choice {
        value: "string",
        label: "String",
    },
    Choice {
        value: "number",
        label: "Number",
    },
    Choice {
        value: "boolean",
        label: "Boolean",
    },
    Choice {
        value: "array",
        label: "Array",
    },
    Choice {
        value: "object",
        label: "Object",
    },
];

/// A typed value from what was typed: numbers and booleans as JSON values when they parse
/// (expressions and anything else stay text, which the node converts when it runs).
pub fn typed(kind: &str, text: String) -> Value {
    if text.starts_with('=') {
        return Value::String(text);
    }
    match kind {
        "number" => match text.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => agente_workflow_model::params::number(n),
            _ => Value::String(text),
        },
        "boolean" => match text.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text),
        },
        _ => Value::String(text),
    }
}

/// Set's fields to set: name, type, value per row.
pub fn assignments(form: Form, label: &'static str, at: Path) -> impl IntoView {
    let list = path::key(&at, "assignments");
    let (l1, l2) = (list.clone(), list.clone());
    let count = Memo::new(move |_| form.len(&l1));
    view! {
        <fieldset class="collection">
            <legend>{label}</legend>
            <For each=move || 0..count.get() key=|i| *i let:i>
                {
                    let row = path::index(&list, i);
                    let (name, kind, value) = (path::key(&row, "name"), path::key(&row, "type"), path::key(&row, "value"));
                    let (n1, k1, k2, v1, v2, gone) = (name.clone(), kind.clone(), kind.clone(), value.clone(), value.clone(), row.clone());
                    view! {
                        <div class="row assignment" role="group" aria-label=format!("Field {}", i + 1)>
                            <input type="text" aria-label=format!("Field {} name", i + 1) placeholder="name" id=field_id(&name)
                                prop:value=move || path::as_text(form.get(&n1).as_ref())
                                on:change=move |ev| form.set(&name, Some(Value::String(event_target_value(&ev)))) />
                            <select aria-label=format!("Field {} type", i + 1)
                                on:change=move |ev| form.set(&k2, Some(Value::String(event_target_value(&ev))))>
                                {marked(VALUE_TYPES, Signal::derive(move || form.get(&k1).map_or_else(|| "string".into(), |v| path::as_text(Some(&v)))))}
                            </select>
                            <input type="text" aria-label=format!("Field {} value", i + 1) placeholder="value" id=field_id(&value)
                                prop:value=move || path::as_text(form.get(&v1).as_ref())
                                on:change=move |ev| {
                                    let kind = form.get_untracked(&kind).map_or_else(|| "string".into(), |v| path::as_text(Some(&v)));
                                    form.set(&v2, Some(typed(&kind, event_target_value(&ev))));
                                } />
                            <button type="button" class="btn btn-small" aria-label=format!("Remove field {}", i + 1)
                                on:click=move |_| form.set(&gone, None)>"×"</button>
                        </div>
                    }
                }
            </For>
            <button type="button" class="btn btn-small" on:click=move |_| form.push(&l2, json!({
                "id": crate::editor::state::new_node_id(), "name": "", "value": "", "type": "string"
            }))>"Add field"</button>
        </fieldset>
    }
    .into_any()
}

/// The operator object n8n writes for `type:operation`.
pub fn operator(choice: &str) -> Value {
    let (kind, operation) = choice.split_once(':').unwrap_or(("string", choice));
    let mut op = json!({"type": kind, "operation": operation});
    if unary(operation) {
        op["singleValue"] = Value::Bool(true);
    }
    op
}

/// If/Filter conditions: left value, operator, right value per row; AND/OR; ignore case.
pub fn conditions(form: Form, label: &'static str, at: Path) -> impl IntoView {
    let list = path::key(&at, "conditions");
    let (l1, l2) = (list.clone(), list.clone());
    let count = Memo::new(move |_| form.len(&l1));
    let combinator = path::key(&at, "combinator");
    let (c1, c2) = (combinator.clone(), combinator);
    let case = path::key(&path::key(&at, "options"), "caseSensitive");
    let (s1, s2) = (case.clone(), case);
    view! {
        <fieldset class="collection">
            <legend>{label}</legend>
            <For each=move || 0..count.get() key=|i| *i let:i>
                {condition_row(form, path::index(&list, i), i)}
            </For>
            <button type="button" class="btn btn-small" on:click=move |_| form.push(&l2, json!({
                "id": crate::editor::state::new_node_id(), "leftValue": "", "rightValue": "",
                "operator": {"type": "string", "operation": "equals"}
            }))>"Add condition"</button>
            {move || (count.get() > 1).then(|| {
                let (c1, c2) = (c1.clone(), c2.clone());
                view! {
                    <label class="field">"Combine"
                        <select on:change=move |ev| form.set(&c2, Some(Value::String(event_target_value(&ev))))>
                            {marked(COMBINATORS, Signal::derive(move || form.get(&c1).map_or_else(|| "and".into(), |v| path::as_text(Some(&v)))))}
                        </select>
                    </label>
                }
            })}
            <label class="field field-check">
                <input type="checkbox" prop:checked=move || form.get(&s1).and_then(|v| v.as_bool()) == Some(false)
                    on:change=move |ev| form.set(&s2, Some(Value::Bool(!event_target_checked(&ev)))) />
                "Ignore case"
            </label>
        </fieldset>
    }
    .into_any()
}

fn condition_row(form: Form, row: Path, i: usize) -> impl IntoView {
    let (left, right, op) = (
        path::key(&row, "leftValue"),
        path::key(&row, "rightValue"),
        path::key(&row, "operator"),
    );
    let (l1, r1, o1, o2, r2, gone) = (
        left.clone(),
        right.clone(),
        op.clone(),
        op.clone(),
        right.clone(),
        row,
    );
    let choice = Memo::new(move |_| {
        let op = form.get(&o1).unwrap_or(Value::Null);
        let get = |k: &str| {
            op.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (kind, operation) = (get("type"), get("operation"));
        format!(
            "{}:{}",
            if kind.is_empty() { "string" } else { &kind },
            if operation.is_empty() {
                "equals"
            } else {
                &operation
            }
        )
    });
    let n = i + 1;
    view! {
        <div class="row condition" role="group" aria-label=format!("Condition {n}")>
            <input type="text" aria-label=format!("Condition {n} value 1") placeholder="value 1" id=field_id(&left)
                prop:value=move || path::as_text(form.get(&l1).as_ref())
                on:change=move |ev| form.set(&left, Some(Value::String(event_target_value(&ev)))) />
            <select aria-label=format!("Condition {n} operation")
                on:change=move |ev| form.set(&o2, Some(operator(&event_target_value(&ev))))>
                {["string", "number", "dateTime", "boolean", "array"].into_iter().map(|kind| view! {
                    <optgroup label=kind>
                        {OPERATORS.iter().filter(|(k, _, _)| *k == kind).map(|(k, o, label)| view! {
                            <option value=format!("{k}:{o}") prop:selected=move || choice.with(|c| c == &format!("{k}:{o}"))>{format!("{kind}: {label}")}</option>
                        }).collect_view()}
                    </optgroup>
                }).collect_view()}
            </select>
            {move || {
                let c = choice.get();
                let operation = c.split_once(':').map_or("", |(_, o)| o).to_string();
                (!unary(&operation)).then(|| {
                    let (r1, r2) = (r1.clone(), r2.clone());
                    let kind = c.split_once(':').map_or("string", |(k, _)| k).to_string();
                    view! {
                        <input type="text" aria-label=format!("Condition {n} value 2") placeholder="value 2" id=field_id(&right)
                            prop:value=move || path::as_text(form.get(&r1).as_ref())
                            on:change=move |ev| form.set(&r2, Some(typed(&kind, event_target_value(&ev)))) />
                    }
                })
            }}
            <button type="button" class="btn btn-small" aria-label=format!("Remove condition {n}")
                on:click=move |_| form.set(&gone, None)>"×"</button>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_parse_numbers_and_booleans_and_keep_the_rest() {
        assert_eq!(typed("number", "5".into()), json!(5));
        assert_eq!(typed("number", "2.5".into()), json!(2.5));
        assert_eq!(
            typed("number", "={{ $json.n }}".into()),
            json!("={{ $json.n }}")
        );
        assert_eq!(typed("number", "five".into()), json!("five"));
        assert_eq!(typed("boolean", "true".into()), json!(true));
        assert_eq!(
            typed("number", "1e999".into()),
            json!("1e999"),
            "not a finite number: kept as typed"
        );
        assert_eq!(typed("string", "5".into()), json!("5"));
    }

    #[test]
    fn operators_are_written_as_n8n_writes_them() {
        assert_eq!(
            operator("number:gt"),
            json!({"type": "number", "operation": "gt"})
        );
        assert_eq!(
            operator("string:empty"),
            json!({"type": "string", "operation": "empty", "singleValue": true})
        );
    }
}
