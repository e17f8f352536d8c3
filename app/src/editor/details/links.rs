//! A node's connections as menus: what each output feeds, what feeds the node, and how to
//! connect or disconnect without a pointer (screen readers and keyboards connect here).

use super::form::Form;
use crate::editor::creator::Place;
use crate::editor::state::Notice;
use agente_editor::{Edge, Outlet};
use agente_workflow_model::ports;
use leptos::prelude::*;

/// One output of the node: its label and where it may go.
#[derive(Clone, Debug, PartialEq)]
struct OutputRow {
    outlet: Outlet,
    label: String,
    /// Nodes it can be connected to (not yet connected from it).
    targets: Vec<String>,
    connected: Vec<Edge>,
}

/// The node's outputs (main ones labelled, or its AI connection) and the nodes each can
/// reach: for `main`, nodes with a main input; for `ai_*`, roots accepting that kind.
fn outputs(form: Form) -> Vec<OutputRow> {
    let name = form.node.get_value();
    let edges = form.st.edges.get();
    form.st.read(|e| {
        let Some(node) = e.node(&name) else {
            return Vec::new();
        };
        let nodes = e.workflow().nodes();
        let rows: Vec<(Outlet, String)> = match ports::ai_output(node) {
            Some(kind) => vec![(
                Outlet {
                    node: name.clone(),
                    kind: kind.to_string(),
                    index: 0,
                },
                kind.trim_start_matches("ai_").to_string(),
            )],
            None => ports::output_labels(node)
                .into_iter()
                .enumerate()
                .map(|(i, label)| {
                    (
                        Outlet {
                            node: name.clone(),
                            kind: "main".into(),
                            index: i,
                        },
                        label,
                    )
                })
                .collect(),
        };
        rows.into_iter()
            .map(|(outlet, label)| {
                let connected: Vec<Edge> =
                    edges.iter().filter(|e| e.from == outlet).cloned().collect();
                let targets = nodes
                    .iter()
                    .filter(|n| n.name != name && !connected.iter().any(|e| e.to == n.name))
                    .filter(|n| {
                        if outlet.kind == "main" {
                            ports::main_inputs(n) > 0
                        } else {
                            ports::ai_inputs(n).contains(&outlet.kind.as_str())
                        }
                    })
                    .map(|n| n.name.clone())
                    .collect();
                OutputRow {
                    outlet,
                    label,
                    targets,
                    connected,
                }
            })
            .collect()
    })
}

#[component]
pub fn NodeLinks(form: Form, creator: RwSignal<Option<Place>>) -> impl IntoView {
    let st = form.st;
    let rows = Memo::new(move |_| outputs(form));
    let incoming = Memo::new(move |_| {
        let name = form.node.get_value();
        st.edges
            .get()
            .into_iter()
            .filter(|e| e.to == name)
            .collect::<Vec<_>>()
    });
    let disconnect = move |e: Edge| {
        st.change(|ed| ed.disconnect(&e));
        st.say(Notice::Info(format!(
            "Disconnected {} from {}",
            e.from.node, e.to
        )));
    };
    view! {
        <h3>"Outputs"</h3>
        {move || rows.with(Vec::is_empty).then(|| view! { <p class="muted">"This node has no outputs."</p> })}
        {move || rows.get().into_iter().map(|row| {
            let title = if row.label.is_empty() { "Output".to_string() } else { format!("Output “{}”", row.label) };
            let outlet = row.outlet.clone();
            let add_after = row.outlet.clone();
            let main = row.outlet.kind == "main";
            view! {
                <section class="link-group" aria-label=title.clone()>
                    <h4>{title.clone()}</h4>
                    <ul>
                        {row.connected.iter().map(|e| {
                            let e2 = e.clone();
                            view! {
                                <li>{format!("→ {}", e.to)}
                                    <button type="button" class="btn btn-small" aria-label=format!("Disconnect {} from {}", title, e.to)
                                        on:click=move |_| disconnect(e2.clone())>"Disconnect"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <select aria-label=format!("Connect {} to", title.to_lowercase()) prop:value=""
                        on:change=move |ev| {
                            let to = event_target_value(&ev);
                            if to.is_empty() { return; }
                            match st.change(|ed| ed.connect(&outlet, &to, 0)) {
                                Ok(_) => st.say(Notice::Info(format!("Connected to {to}"))),
                                Err(e) => st.say(Notice::Error(e.to_string())),
                            }
                        }>
                        <option value="">"Connect to…"</option>
                        {row.targets.iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                    </select>
                    {main.then(|| view! {
                        <button type="button" class="btn btn-small" on:click=move |_| creator.set(Some(Place::After(add_after.clone())))>"Add a node here…"</button>
                    })}
                </section>
            }
        }).collect_view()}
        <h3>"Inputs"</h3>
        {move || incoming.with(Vec::is_empty).then(|| view! { <p class="muted">"Nothing connects into this node."</p> })}
        <ul>
            {move || incoming.get().into_iter().map(|e| {
                let e2 = e.clone();
                let from = if e.from.kind == "main" { e.from.node.clone() } else { format!("{} ({})", e.from.node, e.from.kind.trim_start_matches("ai_")) };
                view! {
                    <li>{format!("← {from}")}
                        <button type="button" class="btn btn-small" aria-label=format!("Disconnect {from}")
                            on:click=move |_| disconnect(e2.clone())>"Disconnect"</button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
