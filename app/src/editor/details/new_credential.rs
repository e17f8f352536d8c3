//! "Create new" beside a credential picker: a form of the type's fields; the credential is
//! stored sealed by the server and picked for the node at once.

use super::form::Form;
use crate::api::{CredentialChoice, create_node_credential};
use crate::editor::state::Notice;
use agente_workflow_model::params::CredentialType;
use leptos::prelude::*;
use serde_json::{Map, Value};

/// The form; `created` gets the new credential.
#[component]
pub fn NewCredential(
    form: Form,
    kind: &'static CredentialType,
    created: Callback<CredentialChoice>,
    cancel: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(format!("{} account", kind.label));
    let values: Vec<RwSignal<String>> = kind
        .fields
        .iter()
        .map(|_| RwSignal::new(String::new()))
        .collect();
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let vals = values.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut data = Map::new();
        for (field, value) in kind.fields.iter().zip(&vals) {
            let v = value.get_untracked();
            if field.required && v.trim().is_empty() {
                problem.set(Some(format!("{} is required", field.label)));
                return;
            }
            if !v.is_empty() {
                data.insert(field.name.to_string(), Value::String(v));
            }
        }
        busy.set(true);
        let name = name.get_untracked();
        leptos::task::spawn_local(async move {
            match create_node_credential(name, kind.kind.to_string(), data).await {
                Ok(c) => {
                    form.st
                        .say(Notice::Info(format!("Credential “{}” created", c.name)));
                    created.run(c);
                }
                Err(e) => problem.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let prefix = format!("new-{}", kind.kind);
    view! {
        <form class="collection" aria-label=format!("New {} credential", kind.label) on:submit=submit>
            <div class="field">
                <label for=format!("{prefix}--credential-name")>"Credential name"</label>
                <input id=format!("{prefix}--credential-name") type="text" required maxlength="128" prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev)) />
            </div>
            {kind.fields.iter().zip(values).map(|(field, value)| {
                let id = format!("{prefix}-{}", field.name);
                view! {
                    <div class="field">
                        <label for=id.clone()>{if field.required { format!("{} *", field.label) } else { field.label.to_string() }}</label>
                        <input id=id type=if field.secret { "password" } else { "text" }
                            autocomplete=if field.secret { "new-password" } else { "off" }
                            placeholder=field.placeholder prop:value=move || value.get()
                            on:input=move |ev| value.set(event_target_value(&ev)) />
                    </div>
                }
            }).collect_view()}
            {move || problem.get().map(|m| view! { <p class="hint status-error" role="alert">{m}</p> })}
            <div class="toolbar">
                <button type="submit" class="btn btn-primary btn-small" disabled=move || busy.get()>"Create credential"</button>
                <button type="button" class="btn btn-small" on:click=move |_| cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
    .into_any()
}
