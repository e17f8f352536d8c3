//! n8n's connection map, changed a source entry at a time: edges added and taken away,
//! nodes renamed or removed in every entry that names them.
//!
//! n8n keeps connections under the source node's name: type (`main`, `ai_tool`, …) → output
//! index → targets. An AI sub-node is the source of its `ai_*` connection, into its parent.

use crate::edit::{Edit, Outputs};
use agente_workflow_model::graph::links;
use agente_workflow_model::{Connection, Workflow};
use serde_json::Map;

/// An output of a node: its connection type (`main`, `ai_tool`, …) and index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Outlet {
    pub node: String,
    pub kind: String,
    pub index: usize,
}

/// One drawn edge: from an outlet into `to`'s input `input` of the outlet's type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edge {
    pub from: Outlet,
    pub to: String,
    pub input: usize,
}

/// Every edge of the workflow, in the document's order.
pub(crate) fn edges(wf: &Workflow) -> Vec<Edge> {
    links(wf)
        .map(|l| Edge {
            from: Outlet {
                node: l.source.to_string(),
                kind: l.kind.to_string(),
                index: l.output,
            },
            to: l.target.node.clone(),
            input: l.target.index as usize,
        })
        .collect()
}

/// The source's entry with `edge` added, or `None` if it is there already.
pub(crate) fn with_edge(wf: &Workflow, edge: &Edge) -> Option<Edit> {
    let (at, mut outputs) = outgoing(wf, &edge.from.node);
    let slots = outputs.entry(edge.from.kind.clone()).or_default();
    if slots.len() <= edge.from.index {
        slots.resize_with(edge.from.index + 1, || Some(Vec::new()));
    }
    let targets = slots[edge.from.index].get_or_insert_with(Vec::new);
    if targets.iter().any(|t| is_target(t, edge)) {
        return None;
    }
    targets.push(Connection {
        node: edge.to.clone(),
        kind: edge.from.kind.clone(),
        index: edge.input as u32,
        extra: Map::new(),
    });
    Some(set(&edge.from.node, Some(outputs), at))
}

/// The source's entry without `edge`, or `None` if it has no such edge. Emptied lists stay
/// (n8n writes `[]` for an output with nothing connected).
pub(crate) fn without_edge(wf: &Workflow, edge: &Edge) -> Option<Edit> {
    let (at, mut outputs) = outgoing(wf, &edge.from.node);
    let targets = outputs
        .get_mut(&edge.from.kind)?
        .get_mut(edge.from.index)?
        .as_mut()?;
    let before = targets.len();
    targets.retain(|t| !is_target(t, edge));
    (targets.len() != before).then(|| set(&edge.from.node, Some(outputs), at))
}

/// Edits that take every connection from and to `names` away.
pub(crate) fn without_nodes(wf: &Workflow, names: &[&str]) -> Vec<Edit> {
    let gone = |n: &str| names.contains(&n);
    let mut edits = Vec::new();
    for (at, (source, outputs)) in wf.connections().into_iter().flatten().enumerate() {
        if gone(source) {
            edits.push(set(source, None, at));
            continue;
        }
        let mut kept = outputs.clone();
        let mut changed = false;
        for targets in kept.values_mut().flatten().flatten() {
            let before = targets.len();
            targets.retain(|t| !gone(&t.node));
            changed |= targets.len() != before;
        }
        if changed {
            edits.push(set(source, Some(kept), at));
        }
    }
    edits
}

/// Edits that rename `old` to `new` in every connection, keeping the map's order.
pub(crate) fn renamed(wf: &Workflow, old: &str, new: &str) -> Vec<Edit> {
    let mut edits = Vec::new();
    for (at, (source, outputs)) in wf.connections().into_iter().flatten().enumerate() {
        let mut outputs = outputs.clone();
        let mut changed = false;
        for target in outputs.values_mut().flatten().flatten().flatten() {
            if target.node == old {
                target.node = new.to_string();
                changed = true;
            }
        }
        if source == old {
            edits.push(set(old, None, at));
            edits.push(set(new, Some(outputs), at));
        } else if changed {
            edits.push(set(source, Some(outputs), at));
        }
    }
    edits
}

/// The source's outputs (a copy to change) and where its entry is, or would go.
fn outgoing(wf: &Workflow, source: &str) -> (usize, Outputs) {
    let map = wf.connections();
    match map.and_then(|m| m.get_full(source)) {
        Some((at, _, outputs)) => (at, outputs.clone()),
        None => (map.map_or(0, |m| m.len()), Outputs::new()),
    }
}

fn is_target(t: &Connection, edge: &Edge) -> bool {
    t.node == edge.to && t.index as usize == edge.input && t.kind == edge.from.kind
}

fn set(source: &str, outputs: Option<Outputs>, at: usize) -> Edit {
    Edit::SetOutgoing {
        source: source.to_string(),
        outputs,
        at,
    }
}
