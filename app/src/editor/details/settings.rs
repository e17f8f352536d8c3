//! A node's settings (what n8n shows under "Settings") and its credentials.

use super::form::Form;
use super::form::marked;
use super::new_credential::NewCredential;
use crate::api::{CredentialChoice, node_credentials};
use crate::editor::state::Notice;
use agente_workflow_model::params::{Choice, CredentialSlot, credential_type, shown};
use agente_workflow_model::{Field, Node, NodeCredential};
use leptos::prelude::*;
use serde_json::Number;

impl Form {
    /// The node itself (redraws the caller on changes).
    fn node(&self) -> Option<Node> {
        let name = self.node.get_value();
        self.st.read(|e| e.node(&name).cloned())
    }

    /// Changes the node outside its parameters: one undo step.
    fn change_node(&self, f: impl FnOnce(&mut Node)) {
        let name = self.node.get_value();
        self.st.attempt(|e| e.update_node(&name, f));
    }
}

/// Retry, errors, always-output, execute-once, notes, disabled.
#[component]
pub fn NodeSettings(form: Form) -> impl IntoView {
    let node = move || form.node().unwrap_or_default();
    let retry = Memo::new(move |_| node().retry_on_fail.or(false));
    view! {
        <label class="field field-check">
            <input type="checkbox" prop:checked=move || node().always_output_data.or(false)
                on:change=move |ev| { let on = event_target_checked(&ev); form.change_node(|n| n.always_output_data = flag(on)); } />
            "Always output data"
            <span class="hint">"Outputs an empty item when the node would output none"</span>
        </label>
        <label class="field field-check">
            <input type="checkbox" prop:checked=move || node().execute_once.or(false)
                on:change=move |ev| { let on = event_target_checked(&ev); form.change_node(|n| n.execute_once = flag(on)); } />
            "Execute once"
            <span class="hint">"Runs only for the first item"</span>
        </label>
        <label class="field field-check">
            <input type="checkbox" prop:checked=move || retry.get()
                on:change=move |ev| { let on = event_target_checked(&ev); form.change_node(|n| n.retry_on_fail = flag(on)); } />
            "Retry on fail"
        </label>
        {move || retry.get().then(|| view! {
            <div class="field">
                <label for="setting-max-tries">"Max tries"</label>
                <input id="setting-max-tries" type="number" min="2" max="5"
                    prop:value=move || node().max_tries.get().map_or_else(|| "3".into(), Number::to_string)
                    on:change=move |ev| set_max_tries(form, &event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="setting-wait">"Wait between tries (ms)"</label>
                <input id="setting-wait" type="number" min="0" max="5000"
                    prop:value=move || node().wait_between_tries.get().map_or_else(|| "1000".into(), Number::to_string)
                    on:change=move |ev| set_wait(form, &event_target_value(&ev)) />
            </div>
        })}
        <div class="field">
            <label for="setting-on-error">"On error"</label>
            <select id="setting-on-error"
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    form.change_node(|n| {
                        n.continue_on_fail = Field::Absent;
                        n.on_error = if v == "stopWorkflow" { Field::Absent } else { Field::Value(v) };
                    });
                }>
                {marked(ON_ERROR, Signal::derive(move || on_error(&node())))}
            </select>
        </div>
        <label class="field field-check">
            <input type="checkbox" prop:checked=move || node().disabled.or(false)
                on:change=move |ev| { let on = event_target_checked(&ev); form.change_node(|n| n.disabled = flag(on)); } />
            "Disabled"
            <span class="hint">"Items pass through without running the node"</span>
        </label>
        <div class="field">
            <label for="setting-notes">"Notes"</label>
            <textarea id="setting-notes" rows="4" prop:value=move || node().notes.get().cloned().unwrap_or_default()
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    form.change_node(|n| n.notes = if v.is_empty() { Field::Absent } else { Field::Value(v) });
                } />
        </div>
    }
    .into_any()
}

/// n8n's limits: 2 to 5 tries, up to 5 s between them.
fn set_max_tries(form: Form, text: &str) {
    match text.trim().parse::<u64>() {
        Ok(n) if (2..=5).contains(&n) => {
            form.change_node(|node| node.max_tries = Field::Value(n.into()))
        }
        _ => form.st.say(Notice::Error(
            "Max tries is a whole number from 2 to 5".into(),
        )),
    }
}

fn set_wait(form: Form, text: &str) {
    match text.trim().parse::<u64>() {
        Ok(n) if n <= 5000 => {
            form.change_node(|node| node.wait_between_tries = Field::Value(n.into()))
        }
        _ => form
            .st
            .say(Notice::Error("The wait is 0 to 5000 milliseconds".into())),
    }
}

const ON_ERROR: &[Choice] = &[
    Choice {
        value: "stopWorkflow",
        label: "Stop workflow",
    },
    Choice {
        value: "continueRegularOutput",
        label: "Continue",
    },
    Choice {
        value: "continueErrorOutput",
        label: "Continue (using error output)",
    },
];

/// A flag as n8n stores it: present when on, absent when off.
fn flag(on: bool) -> Field<bool> {
    if on {
        Field::Value(true)
    } else {
        Field::Absent
    }
}

/// The node's error setting, reading the legacy `continueOnFail` too.
fn on_error(n: &Node) -> String {
    match (n.on_error.get(), n.continue_on_fail.or(false)) {
        (Some(v), _) => v.clone(),
        (None, true) => "continueRegularOutput".into(),
        (None, false) => "stopWorkflow".into(),
    }
}

/// A picker per credential the node can use (of those its parameters call for).
#[component]
pub fn Credentials(form: Form, slots: &'static [CredentialSlot]) -> impl IntoView {
    let available = Resource::new(|| (), |()| node_credentials());
    let needed = Memo::new(move |_| {
        let params = form.params();
        slots
            .iter()
            .enumerate()
            .filter(|(_, s)| shown(s.show, &params, form.params))
            .map(|(i, _)| i)
            .collect::<Vec<_>>()
    });
    view! {
        <For each=move || needed.get() key=|i| *i let:i>
            {
                let slot = &slots[i];
                let id = format!("credential-{}", slot.kind);
                let creating = RwSignal::new(false);
                let current = move || form.node().and_then(|n| n.credentials.get().and_then(|c| c.get(slot.kind).cloned()));
                let chosen_id = move || current().and_then(|c| c.id.get().cloned()).unwrap_or_default();
                view! {
                    <div class="field">
                        <label for=id.clone()>{slot.label}</label>
                        <Suspense fallback=|| view! { <span class="muted">"Loading credentials…"</span> }>
                            {move || available.get().map(|list| {
                                let problem = list.as_ref().err().map(|e| format!("Credentials could not be loaded: {e}"));
                                let list = list.unwrap_or_default();
                                let mine: Vec<_> = list.into_iter().filter(|c| c.kind == slot.kind).collect();
                                let names = mine.clone();
                                // A reference this workspace does not list (imported, or by name only)
                                // still shows, and choosing it again changes nothing.
                                let unlisted = current().filter(|c| {
                                    let id = c.id.get().cloned().unwrap_or_default();
                                    !mine.iter().any(|m| m.id == id)
                                });
                                view! {
                                    <select id=id.clone()
                                        on:change=move |ev| {
                                            let chosen = event_target_value(&ev);
                                            let picked = names.iter().find(|c| c.id == chosen).cloned();
                                            if picked.is_none() && !chosen.is_empty() {
                                                return;
                                            }
                                            form.change_node(|n| set_credential(n, slot.kind, picked.map(|c| (c.id, c.name))));
                                        }>
                                        <option value="" prop:selected=move || chosen_id().is_empty()>"— none —"</option>
                                        {mine.iter().map(|c| {
                                            let id = c.id.clone();
                                            view! { <option value=c.id.clone() prop:selected=move || chosen_id() == id>{c.name.clone()}</option> }
                                        }).collect_view()}
                                        {unlisted.map(|c| {
                                            let id = c.id.get().cloned().unwrap_or_else(|| "unlisted".into());
                                            let name = c.name.get().cloned().unwrap_or_else(|| id.clone());
                                            view! { <option value=id selected>{format!("{name} (not in this workspace)")}</option> }
                                        })}
                                    </select>
                                    {problem.map(|m| view! { <span class="hint status-error" role="alert">{m}</span> })}
                                }
                            })}
                        </Suspense>
                        {match credential_type(slot.kind) {
                            Some(kind) => view! {
                                <button type="button" class="btn btn-small" aria-expanded=move || creating.get().to_string()
                                    on:click=move |_| creating.update(|c| *c = !*c)>{format!("Create new {} credential", slot.label)}</button>
                                {move || creating.get().then(|| view! {
                                    <NewCredential form kind
                                        created=Callback::new(move |c: CredentialChoice| {
                                            creating.set(false);
                                            form.change_node(|n| set_credential(n, slot.kind, Some((c.id, c.name))));
                                            available.refetch();
                                        })
                                        cancel=Callback::new(move |()| creating.set(false)) />
                                })}
                            }.into_any(),
                            None => view! {
                                <span class="hint">"This credential is connected by an OAuth2 sign-in, which the editor does not offer yet: create it with the API (POST /api/v1/credentials)."</span>
                            }.into_any(),
                        }}
                    </div>
                }
            }
        </For>
    }
    .into_any()
}

/// Sets (or with `None` removes) the node's credential of `kind`, keeping the others.
fn set_credential(n: &mut Node, kind: &str, chosen: Option<(String, String)>) {
    let mut all = n.credentials.get().cloned().unwrap_or_default();
    match chosen {
        Some((id, name)) => {
            all.insert(
                kind.to_string(),
                NodeCredential {
                    id: Field::Value(id),
                    name: Field::Value(name),
                    ..NodeCredential::default()
                },
            );
        }
        None => {
            all.shift_remove(kind);
        }
    }
    n.credentials = if all.is_empty() {
        Field::Absent
    } else {
        Field::Value(all)
    };
}
