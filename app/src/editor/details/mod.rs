//! The node details view (Enter, double-click, or a new node): the node's parameters as
//! forms drawn from its definition, its credentials, the items it got and gave in the run
//! shown (`data.rs`), its settings, its connections made from menus (the keyboard's way to
//! connect), and its parameters as JSON. A side panel on wide
//! screens, a full-screen sheet on a phone.

mod data;
mod expression;
mod fields;
mod form;
mod inputs;
mod links;
mod new_credential;
mod path;
mod rows;
mod settings;

use super::browser;
use super::commands::EditorUi;
use super::creator::Place;
use super::state::{EditorState, Notice};
use agente_workflow_model::catalogue;
use agente_workflow_model::params;
use fields::ParamList;
use form::Form;
use leptos::prelude::*;
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Parameters,
    Input,
    Output,
    Settings,
    Connections,
    Json,
}

/// The tabs' keys (WAI-ARIA tabs, one tab stop for the row): arrows go to the next or the
/// previous tab, Home and End to the first and the last; the tab chosen takes the focus.
fn tab_key(tab: RwSignal<Tab>, ev: &leptos::ev::KeyboardEvent) {
    // Alt+← is the browser's Back; Ctrl/Meta+arrows belong to the system.
    if ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
        return;
    }
    let at = TABS
        .iter()
        .position(|(t, _)| *t == tab.get_untracked())
        .unwrap_or(0);
    let next = match ev.key().as_str() {
        "ArrowRight" => (at + 1) % TABS.len(),
        "ArrowLeft" => (at + TABS.len() - 1) % TABS.len(),
        "Home" => 0,
        "End" => TABS.len() - 1,
        _ => return,
    };
    ev.prevent_default();
    tab.set(TABS[next].0);
    browser::focus_first(&format!("#tab-{}", TABS[next].1));
}

const TABS: [(Tab, &str); 6] = [
    (Tab::Parameters, "Parameters"),
    (Tab::Input, "Input"),
    (Tab::Output, "Output"),
    (Tab::Settings, "Settings"),
    (Tab::Connections, "Connections"),
    (Tab::Json, "JSON"),
];

/// The panel: open while `open` names a node.
#[component]
pub fn NodeDetails(
    open: RwSignal<Option<String>>,
    creator: RwSignal<Option<Place>>,
    renaming: RwSignal<Option<String>>,
) -> impl IntoView {
    let st = expect_context::<EditorState>();
    let ui = expect_context::<EditorUi>();
    let tab = RwSignal::new(Tab::Parameters);
    // Another node's details start on its parameters.
    Effect::new(move |_| {
        open.track();
        tab.set(Tab::Parameters);
    });
    // The focus moves into the panel (its first control), as into any dialog; Escape gives
    // it back to the node.
    Effect::new(move |_| {
        if open.get().is_some() {
            leptos::task::spawn_local(async {
                browser::focus_first(
                    "[data-testid='node-details'] .panel-body :is(input, select, textarea, button)",
                );
            });
        }
    });
    // A node deleted (or undone away) while open closes its panel.
    Effect::new(move |_| {
        if let Some(name) = open.get()
            && st.read(|e| e.node(&name).is_none())
        {
            open.set(None);
        }
    });
    let close = move || {
        if let Some(name) = open.get_untracked() {
            browser::commit_field();
            open.set(None);
            browser::focus_node(&name);
        }
    };
    (move || {
        open.get().map(|name| {
            let kind = st.peek(|e| e.node(&name).map(|n| n.kind.clone())).unwrap_or_default();
            let form = Form {
                st,
                node: StoredValue::new(name.clone()),
                params: params::spec(&kind).map_or(&[], |s| s.params),
            };
            let type_label = catalogue::lookup(&kind).map_or(kind.clone(), |t| t.display_name.to_string());
            let rename_name = name.clone();
            let step_name = name.clone();
            view! {
                <aside class="details card editor-panel" role="dialog" aria-labelledby="details-title" data-testid="node-details"
                    on:keydown=move |ev| if ev.key() == "Escape" { ev.prevent_default(); ev.stop_propagation(); close(); }>
                    <div class="panel-head">
                        <div>
                            <h2 id="details-title">{name.clone()}</h2>
                            <span class="muted small">{type_label}</span>
                        </div>
                        <div class="toolbar">
                            <button type="button" class="btn btn-small" title="Run up to this node, reusing what the nodes before it gave in the run shown"
                                on:click=move |_| ui.step.run(step_name.clone())>"Execute step"</button>
                            <button type="button" class="btn btn-small" on:click=move |_| renaming.set(Some(rename_name.clone()))>"Rename"</button>
                            <button type="button" class="btn btn-small" aria-label="Close details" aria-keyshortcuts="Escape" on:click=move |_| close()>"Close"</button>
                        </div>
                    </div>
                    <div role="tablist" class="tabs" aria-label="Node details" on:keydown=move |ev| tab_key(tab, &ev)>
                        {TABS.iter().map(|(t, label)| {
                            let t = *t;
                            view! {
                                <button type="button" role="tab" id=format!("tab-{label}") aria-controls="details-panel" aria-selected=move || (tab.get() == t).to_string()
                                    tabindex=move || if tab.get() == t { "0" } else { "-1" }
                                    class:active=move || tab.get() == t on:click=move |_| tab.set(t)>{*label}</button>
                            }
                        }).collect_view()}
                    </div>
                    <div class="panel-body" role="tabpanel" id="details-panel" aria-labelledby=move || TABS.iter().find(|(t, _)| *t == tab.get()).map(|(_, l)| format!("tab-{l}"))>
                        {move || match tab.get() {
                            Tab::Parameters => view! { <data::InputFields form /> {parameters(form, &kind)} }.into_any(),
                            Tab::Input => view! { <data::NodeData form input=true /> }.into_any(),
                            Tab::Output => view! { <data::NodeData form input=false /> }.into_any(),
                            Tab::Settings => view! { <settings::NodeSettings form /> }.into_any(),
                            Tab::Connections => view! { <links::NodeLinks form creator /> }.into_any(),
                            Tab::Json => view! { <ParametersJson form /> }.into_any(),
                        }}
                    </div>
                </aside>
            }
            .into_any()
        })
    })
    .into_any()
}

/// The form of a node's parameters, or why there is none.
fn parameters(form: Form, kind: &str) -> AnyView {
    let name = form.node.get_value();
    let version = form
        .st
        .peek(|e| e.node(&name).map(|n| n.type_version()))
        .unwrap_or(1.0);
    match params::spec(kind) {
        Some(spec) if spec.has_form_for(version) => view! {
            <settings::Credentials form slots=spec.credentials />
            {spec.params.is_empty().then(|| view! { <p class="muted">"This node has no parameters."</p> })}
            <ParamList form params=spec.params base=Vec::new() />
        }
        .into_any(),
        Some(spec) => view! {
            <p class="alert">{format!(
                "This node is version {version}; the form describes version {} and later. Its parameters are edited as JSON (the node runs as it is).",
                spec.form_since
            )}</p>
            <ParametersJson form />
        }
        .into_any(),
        None => view! {
            <p class="alert">"This node type does not run here. Its parameters are kept as they are and exported unchanged."</p>
            <ParametersJson form />
        }
        .into_any(),
    }
}

/// The parameters as JSON: applied when the text is a JSON object, refused (nothing
/// changes, the text stays for fixing) otherwise.
#[component]
fn ParametersJson(form: Form) -> impl IntoView {
    let text = Memo::new(move |_| {
        serde_json::to_string_pretty(&Value::Object(form.params())).unwrap_or_default()
    });
    let problem = RwSignal::new(None::<String>);
    view! {
        <label class="field">"Parameters (JSON)"
            <textarea class="code" rows="16" spellcheck="false" data-testid="parameters-json" prop:value=move || text.get()
                on:change=move |ev| {
                    let raw = event_target_value(&ev);
                    match serde_json::from_str::<Map<String, Value>>(&raw) {
                        Ok(map) => {
                            problem.set(None);
                            let name = form.node.get_value();
                            form.st.attempt(|e| e.update_node(&name, |n| n.parameters = agente_workflow_model::Field::Value(map)));
                        }
                        Err(e) => {
                            let m = format!("Not applied: the parameters must be a JSON object ({e})");
                            form.st.say(Notice::Error(m.clone()));
                            problem.set(Some(m));
                        }
                    }
                } />
        </label>
        {move || problem.get().map(|m| view! { <p class="hint status-error" role="alert">{m}</p> })}
    }
}
