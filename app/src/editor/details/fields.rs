//! A parameter's field of any kind, labelled, and the list of a node's (or a row's) fields
//! shown for the values beside them. Composite kinds draw their fields through `field`.

use super::form::{Form, field_id};
use super::inputs::input;
use super::path::Path;
use super::rows;
use agente_workflow_model::params::{Kind, Param};
use leptos::prelude::*;

/// The fields of `params` shown for the values at `base` (their siblings decide).
#[component]
pub fn ParamList(form: Form, params: &'static [Param], base: Path) -> impl IntoView {
    rows::param_list(form, params, base, field)
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
        Kind::Collection { fields } => {
            rows::collection(form, p.label, fields, at, field).into_any()
        }
        Kind::FixedCollection { groups, multiple } => {
            rows::fixed_collection(form, p.label, groups, *multiple, at, field).into_any()
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
