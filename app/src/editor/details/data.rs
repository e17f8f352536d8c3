//! The node details' Input and Output tabs: the items of the run shown on the canvas as a
//! table, as JSON, or as a schema of their fields. A schema field can be dragged into a text
//! parameter, which then reads it by expression (`={{ $json.field }}`), as in n8n.

use super::form::Form;
use crate::editor::browser;
use crate::editor::commands;
use crate::editor::run_items::{self, RunItems};
use agente_workflow_model::ports;
use leptos::prelude::*;
use serde_json::Value;

/// The drag payload a parameter field accepts as an expression.
pub const EXPRESSION_DRAG: &str = "application/x-agente-expression";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Table,
    Json,
    Schema,
}

const SHAPES: [(Shape, &str); 3] = [
    (Shape::Table, "Table"),
    (Shape::Json, "JSON"),
    (Shape::Schema, "Schema"),
];

/// Where items come from: a node's output (and its label).
#[derive(Clone, Debug, PartialEq)]
struct Source {
    node: String,
    output: usize,
    label: String,
}

/// The items the open node got (`input`) or gave (`!input`) in the run shown.
#[component]
pub fn NodeData(form: Form, input: bool) -> impl IntoView {
    let run = expect_context::<RwSignal<Option<RunItems>>>();
    let name = form.node.get_value();
    let sources = sources(form, &name, input);
    let chosen = RwSignal::new(0usize);
    let shape = RwSignal::new(Shape::Table);
    if sources.is_empty() {
        let why = if input {
            "Nothing leads into this node: it starts the workflow."
        } else {
            "This node has no outputs."
        };
        return view! { <p class="muted">{why}</p> }.into_any();
    }
    let picker = (sources.len() > 1).then(|| {
        let options = sources
            .iter()
            .enumerate()
            .map(|(i, s)| view! { <option value=i.to_string() prop:selected=move || chosen.get() == i>{s.label.clone()}</option> })
            .collect_view();
        view! {
            <label class="field">{if input { "From" } else { "Output" }}
                <select on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(0))>{options}</select>
            </label>
        }
    });
    let st = form.st;
    let own = name.clone();
    // A node's pinned items are its first output, whatever the last run did.
    let pinned = Memo::new(move |_| {
        st.read(|e| {
            let pins = e.workflow().pin_data.get()?;
            let items = pins.get(&own)?.as_array()?;
            Some(
                items
                    .iter()
                    .map(|i| i.get("json").cloned().unwrap_or_else(|| i.clone()))
                    .collect::<Vec<_>>(),
            )
        })
    });
    let items = Memo::new(move |_| {
        let source = sources.get(chosen.get()).cloned()?;
        if !input
            && source.output == 0
            && let Some(items) = pinned.get()
        {
            return Some(items);
        }
        run.with(|r| {
            r.as_ref()
                .and_then(|r| r.output(&source.node, source.output))
                .map(<[Value]>::to_vec)
        })
    });
    let pin_name = name.clone();
    let pin = (!input).then(|| {
        view! {
            <button type="button" class="btn btn-small" aria-keyshortcuts="P"
                on:click=move |_| commands::toggle_pin(st, run, &pin_name)>
                {move || if pinned.with(Option::is_some) { "Unpin" } else { "Pin this output" }}
            </button>
            {move || pinned.with(Option::is_some).then(|| view! {
                <p class="hint" data-testid="pinned-note">"Pinned: runs use these items instead of running the node."</p>
            })}
        }
    });
    view! {
        <div class="data-panel" data-testid=if input { "input-data" } else { "output-data" }>
            {picker}
            {pin}
            <div class="toolbar" role="group" aria-label="Show the items as">
                {SHAPES.iter().map(|(s, label)| {
                    let s = *s;
                    view! { <button type="button" class="btn btn-small" aria-pressed=move || (shape.get() == s).to_string() on:click=move |_| shape.set(s)>{*label}</button> }
                }).collect_view()}
            </div>
            {move || match items.get() {
                None => view! { <p class="muted">"No items yet: run the workflow (Run now, Ctrl+Enter) to see them here."</p> }.into_any(),
                Some(items) => shown(&items, shape.get()),
            }}
        </div>
    }
    .into_any()
}

/// Above the parameters: the fields of the node's input in the run shown, to drag into a
/// parameter (n8n's mapping), when there is a run to take them from.
#[component]
pub fn InputFields(form: Form) -> impl IntoView {
    let run = expect_context::<RwSignal<Option<RunItems>>>();
    let name = form.node.get_value();
    let sources = sources(form, &name, true);
    let fields = Memo::new(move |_| {
        run.with(|r| {
            let r = r.as_ref()?;
            sources
                .iter()
                .find_map(|s| r.output(&s.node, s.output))
                .map(run_items::schema)
        })
    });
    move || {
        fields.get().filter(|f| !f.is_empty()).map(|fields| {
            view! {
                <details class="input-fields" data-testid="input-fields">
                    <summary>"Input fields — drag one into a parameter"</summary>
                    {schema_list(fields)}
                </details>
            }
        })
    }
}

/// The outputs of `name` (or, for its input, the outputs connected to it).
fn sources(form: Form, name: &str, input: bool) -> Vec<Source> {
    form.st.peek(|e| {
        if input {
            e.edges()
                .into_iter()
                .filter(|edge| edge.to == name && edge.from.kind == "main")
                .map(|edge| {
                    let labels = e
                        .node(&edge.from.node)
                        .map(ports::output_labels)
                        .unwrap_or_default();
                    let label = match labels.get(edge.from.index).filter(|l| !l.is_empty()) {
                        Some(l) => format!("{} ({l})", edge.from.node),
                        None => edge.from.node.clone(),
                    };
                    Source {
                        node: edge.from.node.clone(),
                        output: edge.from.index,
                        label,
                    }
                })
                .collect()
        } else {
            let labels = e.node(name).map(ports::output_labels).unwrap_or_default();
            labels
                .iter()
                .enumerate()
                .map(|(i, l)| Source {
                    node: name.to_string(),
                    output: i,
                    label: if l.is_empty() {
                        format!("Output {}", i + 1)
                    } else {
                        l.clone()
                    },
                })
                .collect()
        }
    })
}

fn shown(items: &[Value], shape: Shape) -> AnyView {
    let count = match items.len() {
        1 => "1 item".to_string(),
        n => format!("{n} items"),
    };
    let body = match shape {
        Shape::Json => {
            let text = serde_json::to_string_pretty(items).unwrap_or_default();
            view! { <pre class="code data-json" tabindex="0">{text}</pre> }.into_any()
        }
        Shape::Table => {
            let (columns, rows) = run_items::table(items);
            let more = (items.len() > run_items::TABLE_ROWS)
                .then(|| view! { <p class="muted small">{format!("The first {} shown; the JSON view has them all.", run_items::TABLE_ROWS)}</p> });
            view! {
                <div class="table-wrap" tabindex="0">
                    <table class="table data-table">
                        <thead><tr>{columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr></thead>
                        <tbody>{rows.into_iter().map(|r| view! { <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr> }).collect_view()}</tbody>
                    </table>
                </div>
                {more}
            }
            .into_any()
        }
        Shape::Schema => schema_list(run_items::schema(items)),
    };
    view! { <p class="muted small" role="status">{count}</p> {body} }.into_any()
}

/// Field paths with their types, each draggable into a parameter as an expression.
fn schema_list(fields: Vec<(String, &'static str)>) -> AnyView {
    view! {
        <ul class="data-schema">
            {fields.into_iter().map(|(path, kind)| {
                let expression = run_items::expression_for(&path);
                let dragged = expression.clone();
                let field = path.clone();
                view! {
                    <li draggable="true" title=format!("Drag into a parameter: {expression}") data-field=field
                        on:dragstart=move |ev| browser::start_drag(&ev, EXPRESSION_DRAG, &dragged)>
                        <code>{path}</code> " " <span class="muted small">{kind}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
