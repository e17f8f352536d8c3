//! The workflow canvas: nodes at their n8n positions, connections as curves.

use crate::api::{CanvasEdge, CanvasNode};
use leptos::prelude::*;

const NODE_W: f64 = 160.0;
const NODE_H: f64 = 56.0;

/// The read-only canvas: nodes at their n8n positions, connections as curves.
#[component]
pub fn Canvas(nodes: Vec<CanvasNode>, edges: Vec<CanvasEdge>) -> impl IntoView {
    let min_x = nodes
        .iter()
        .map(|n| n.x)
        .fold(f64::INFINITY, f64::min)
        .min(0.0)
        - 40.0;
    let min_y = nodes
        .iter()
        .map(|n| n.y)
        .fold(f64::INFINITY, f64::min)
        .min(0.0)
        - 40.0;
    let max_x = nodes
        .iter()
        .map(|n| n.x)
        .fold(f64::NEG_INFINITY, f64::max)
        .max(0.0)
        + NODE_W
        + 40.0;
    let max_y = nodes
        .iter()
        .map(|n| n.y)
        .fold(f64::NEG_INFINITY, f64::max)
        .max(0.0)
        + NODE_H
        + 40.0;
    let find = |name: &str| nodes.iter().find(|n| n.name == name).map(|n| (n.x, n.y));
    let paths: Vec<_> = edges
        .iter()
        .filter_map(|e| {
            let (fx, fy) = find(&e.from)?;
            let (tx, ty) = find(&e.to)?;
            if e.kind != "main" {
                // An AI sub-node hangs below its root node, as n8n draws it: from its top
                // to the root's bottom, dashed.
                let (x1, y1) = (fx + NODE_W / 2.0, fy);
                let (x2, y2) = (tx + NODE_W / 2.0, ty + NODE_H);
                let dy = ((y1 - y2).abs() / 2.0).max(30.0);
                let d = format!("M{x1},{y1} C{x1},{} {x2},{} {x2},{y2}", y1 - dy, y2 + dy);
                return Some(("edge edge-ai", d, e.kind.clone()));
            }
            let (x1, y1) = (
                fx + NODE_W,
                fy + NODE_H / 2.0 + e.output as f64 * 12.0 - 6.0 * (e.output.min(1) as f64),
            );
            let (x2, y2) = (tx, ty + NODE_H / 2.0);
            let dx = ((x2 - x1).abs() / 2.0).max(40.0);
            let d = format!("M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}", x1 + dx, x2 - dx);
            Some(("edge", d, e.kind.clone()))
        })
        .collect();
    view! {
        <svg class="canvas" data-testid="canvas" viewBox=format!("{min_x} {min_y} {} {}", max_x - min_x, max_y - min_y) role="img" aria-label="Workflow canvas">
            {paths.into_iter().map(|(class, d, kind)| view! { <path class=class d=d data-kind=kind /> }).collect_view()}
            {nodes.into_iter().map(|n| {
                let class = if n.disabled { "node disabled" } else { "node" };
                view! {
                    <g class=class transform=format!("translate({},{})", n.x, n.y)>
                        <rect width=NODE_W height=NODE_H rx="10" />
                        <text x="12" y="24" class="node-name">{n.name}</text>
                        <text x="12" y="42" class="node-kind">{n.kind}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}
