//! A workflow drawn as the editor draws it — the same node boxes, handle places and curves
//! (`geometry`) — but still: for a kept version, a generated workflow, and an execution,
//! with what each node did (status, items) and the items that went along each edge.

use super::geometry::{NodeBox, Rect, ai_path, fit_label, main_path};
use super::live::{NodeStatus, RunView};
use agente_workflow_model::{Workflow, graph};
use leptos::prelude::*;

/// Room around the drawing, for the badges above the nodes.
const MARGIN: f64 = 40.0;

#[component]
pub fn StillCanvas(workflow: Workflow, #[prop(optional)] run: Option<RunView>) -> impl IntoView {
    let run = run.unwrap_or_default();
    let boxes: Vec<NodeBox> = workflow
        .nodes()
        .iter()
        .map(NodeBox::of)
        .filter(|b| b.sticky.is_none())
        .collect();
    let find = |name: &str| boxes.iter().find(|b| b.name == name);
    let edges: Vec<AnyView> = graph::links(&workflow)
        .filter_map(|l| {
            let (from, to) = (find(l.source)?, find(&l.target.node)?);
            if l.kind != "main" {
                let d = ai_path(from.ai_output_at(), to.ai_input_at(l.kind));
                return Some(view! { <path class="edge edge-ai" d=d data-kind=l.kind.to_string() /> }.into_any());
            }
            let (a, b) = (from.output_at(l.output), to.input_at(l.target.index as usize));
            let count = run.items_on(l.source, l.output).map(|n| {
                let mid = format!("translate({},{})", (a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
                view! {
                    <text class="edge-items" transform=mid y="-8" text-anchor="middle" data-testid="edge-items">
                        {if n == 1 { "1 item".to_string() } else { format!("{n} items") }}
                    </text>
                }
            });
            Some(view! { <path class="edge" d=main_path(a, b) data-kind="main" /> {count} }.into_any())
        })
        .collect();
    let area = Rect::around(&boxes)
        .map(|r| r.grow(MARGIN))
        .unwrap_or(Rect {
            x: 0.0,
            y: 0.0,
            w: 400.0,
            h: 200.0,
        });
    let nodes: Vec<AnyView> = boxes.into_iter().map(|b| node(b, &run)).collect();
    view! {
        <svg class="canvas" data-testid="canvas" viewBox=format!("{} {} {} {}", area.x, area.y, area.w, area.h)
            role="img" aria-label="Workflow canvas">
            {edges}
            {nodes}
        </svg>
    }
}

fn node(b: NodeBox, run: &RunView) -> AnyView {
    let shown = run.nodes.get(&b.name).cloned();
    let mut class = String::from("node");
    if b.disabled {
        class.push_str(" disabled");
    }
    if b.ai_output.is_some() {
        class.push_str(" sub-node");
    }
    match shown.as_ref().map(|r| r.status) {
        Some(NodeStatus::Running) => class.push_str(" run-running"),
        Some(NodeStatus::Success) => class.push_str(" run-success"),
        Some(NodeStatus::Error) => class.push_str(" run-error"),
        None => {}
    }
    let rx = if b.ai_output.is_some() {
        b.h / 2.0
    } else {
        10.0
    };
    view! {
        <g class=class transform=format!("translate({},{})", b.x, b.y) data-node=b.name.clone()>
            <title>{b.name.clone()}</title>
            <rect class="node-body" width=b.w height=b.h rx=rx />
            <text x="12" y="26" class="node-name">{fit_label(&b.name, 18)}</text>
            <text x="12" y="46" class="node-kind">{fit_label(&b.label, 20)}</text>
            {shown.map(|r| view! {
                <text class="run-badge" x=b.w y="-8" text-anchor="end" data-testid="run-badge">
                    {r.summary()}
                    {r.error.map(error_tip)}
                </text>
            })}
        </g>
    }
    .into_any()
}

/// A run badge's tooltip: SVG's `<title>`. Built as SVG explicitly — alone in a `view!`,
/// `<title>` is taken for HTML's, which the server renders and hydration then cannot match.
pub(super) fn error_tip(error: String) -> impl leptos::IntoView {
    use leptos::prelude::ElementChild;
    leptos::svg::title().child(error)
}
