//! "Tidy up": lays the workflow out left to right in layers, as n8n's editor does.
//!
//! Each node goes one layer right of its furthest predecessor (loops back are ignored), the
//! nodes of a layer are ordered by where their predecessors are (a few barycentre sweeps, so
//! that edges cross less), separate parts of the workflow are stacked, and AI sub-nodes sit
//! in a row under the node they serve. Sticky notes stay where they are.

use crate::connections::Edge;
use crate::edit::Edit;
use crate::editor::{Editor, Point, position, position_of};
use agente_workflow_model::Node;
use std::collections::HashMap;

const STICKY: &str = "n8n-nodes-base.stickyNote";
/// Distance between layers, and between nodes of a layer (n8n's grid is 20).
const X_STEP: f64 = 220.0;
const Y_STEP: f64 = 200.0;
/// Where AI sub-nodes go, under their parent, and apart from each other.
const SUB_ROW: f64 = 180.0;
const SUB_STEP: f64 = 160.0;
const SWEEPS: usize = 4;

impl Editor {
    /// Lays the nodes out again, as one undo step.
    pub fn tidy_up(&mut self) {
        let nodes = self.workflow().nodes();
        let edges = self.edges();
        let placed = layout(nodes, &edges);
        let edits = nodes
            .iter()
            .enumerate()
            .filter_map(|(at, n)| {
                let p = *placed.get(n.name.as_str())?;
                (p != position(n)).then(|| Edit::SetPosition {
                    at,
                    position: position_of(p),
                })
            })
            .collect();
        self.commit(edits);
    }
}

/// New positions by node name (sticky notes have none).
fn layout<'a>(nodes: &'a [Node], edges: &[Edge]) -> HashMap<&'a str, Point> {
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind != STICKY)
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    // Sub-nodes: sources of `ai_*` edges; they hang under their parent.
    let mut parent_of: HashMap<usize, usize> = HashMap::new();
    let mut main: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for e in edges {
        let (Some(&from), Some(&to)) = (index.get(e.from.node.as_str()), index.get(e.to.as_str()))
        else {
            continue;
        };
        if e.from.kind == "main" {
            main[from].push(to);
        } else {
            parent_of.entry(from).or_insert(to);
        }
    }
    let mut order: Vec<usize> = index.values().copied().collect();
    order.sort_unstable();
    let members: Vec<usize> = order
        .into_iter()
        .filter(|i| !parent_of.contains_key(i))
        .collect();
    let forward = without_back_edges(&members, &main);

    let origin = members
        .iter()
        .map(|&i| position(&nodes[i]))
        .reduce(|a, b| Point {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
        })
        .unwrap_or_default();
    let has_subs = !parent_of.is_empty();
    let y_step = if has_subs { Y_STEP + SUB_ROW } else { Y_STEP };

    let mut placed: HashMap<&str, Point> = HashMap::new();
    let mut top = origin.y;
    for part in components(&members, &forward) {
        let layers = layers(&part, &forward);
        let tallest = layers.iter().map(Vec::len).max().unwrap_or(1);
        let middle = top + (tallest as f64 - 1.0) * y_step / 2.0;
        for (depth, layer) in layers.iter().enumerate() {
            for (row, &i) in layer.iter().enumerate() {
                let y = middle + (row as f64 - (layer.len() as f64 - 1.0) / 2.0) * y_step;
                placed.insert(
                    nodes[i].name.as_str(),
                    snap(Point {
                        x: origin.x + depth as f64 * X_STEP,
                        y,
                    }),
                );
            }
        }
        top += tallest as f64 * y_step;
    }
    place_sub_nodes(nodes, &parent_of, &mut placed);
    placed
}

/// The main edges that do not close a loop (found by depth-first search from each node in
/// document order): what layering can follow.
fn without_back_edges(members: &[usize], main: &[Vec<usize>]) -> Vec<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Seen {
        No,
        OnPath,
        Done,
    }
    let mut seen = vec![Seen::No; main.len()];
    let mut forward = vec![Vec::new(); main.len()];
    let is_member: Vec<bool> = (0..main.len()).map(|i| members.contains(&i)).collect();
    for &start in members {
        if seen[start] != Seen::No {
            continue;
        }
        // An explicit stack: a long chain of nodes must not exhaust the call stack.
        let mut stack = vec![(start, 0usize)];
        seen[start] = Seen::OnPath;
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            if let Some(&to) = main[node].get(*next) {
                *next += 1;
                if !is_member[to] || seen[to] == Seen::OnPath {
                    continue;
                }
                forward[node].push(to);
                if seen[to] == Seen::No {
                    seen[to] = Seen::OnPath;
                    stack.push((to, 0));
                }
            } else {
                seen[node] = Seen::Done;
                stack.pop();
            }
        }
    }
    forward
}

/// The weakly connected parts, each in document order, ordered by their first node.
fn components(members: &[usize], forward: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut group: Vec<usize> = (0..forward.len()).collect();
    fn root(group: &mut [usize], mut i: usize) -> usize {
        while group[i] != i {
            group[i] = group[group[i]];
            i = group[i];
        }
        i
    }
    for &from in members {
        for &to in &forward[from] {
            let (a, b) = (root(&mut group, from), root(&mut group, to));
            group[a.max(b)] = a.min(b);
        }
    }
    let mut parts: Vec<(usize, Vec<usize>)> = Vec::new();
    for &i in members {
        let r = root(&mut group, i);
        match parts.iter_mut().find(|(pr, _)| *pr == r) {
            Some((_, part)) => part.push(i),
            None => parts.push((r, vec![i])),
        }
    }
    parts.into_iter().map(|(_, part)| part).collect()
}

/// The part's nodes by layer (longest path from a start), each layer ordered so that edges
/// cross less.
fn layers(part: &[usize], forward: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut depth: HashMap<usize, usize> = part.iter().map(|&i| (i, 0)).collect();
    let mut incoming: HashMap<usize, usize> = part.iter().map(|&i| (i, 0)).collect();
    for &i in part {
        for to in &forward[i] {
            *incoming.entry(*to).or_default() += 1;
        }
    }
    // Kahn's order over the loop-free edges.
    let mut ready: Vec<usize> = part.iter().copied().filter(|i| incoming[i] == 0).collect();
    ready.reverse();
    while let Some(i) = ready.pop() {
        for &to in &forward[i] {
            let d = depth[&i] + 1;
            let entry = depth.entry(to).or_default();
            *entry = (*entry).max(d);
            let left = incoming.entry(to).or_default();
            *left -= 1;
            if *left == 0 {
                ready.push(to);
            }
        }
    }
    let deepest = depth.values().copied().max().unwrap_or(0);
    let mut layers = vec![Vec::new(); deepest + 1];
    for &i in part {
        layers[depth[&i]].push(i);
    }
    order_layers(&mut layers, forward);
    layers
}

/// Barycentre sweeps: each node moves towards the average row of its predecessors.
fn order_layers(layers: &mut [Vec<usize>], forward: &[Vec<usize>]) {
    let mut preds: HashMap<usize, Vec<usize>> = HashMap::new();
    for (from, tos) in forward.iter().enumerate() {
        for &to in tos {
            preds.entry(to).or_default().push(from);
        }
    }
    for _ in 0..SWEEPS {
        for d in 1..layers.len() {
            let row: HashMap<usize, f64> = layers[d - 1]
                .iter()
                .enumerate()
                .map(|(r, &i)| (i, r as f64))
                .collect();
            let mut keyed: Vec<(f64, usize, usize)> = layers[d]
                .iter()
                .enumerate()
                .map(|(r, &i)| {
                    let rows: Vec<f64> = preds
                        .get(&i)
                        .into_iter()
                        .flatten()
                        .filter_map(|p| row.get(p).copied())
                        .collect();
                    let key = if rows.is_empty() {
                        r as f64
                    } else {
                        rows.iter().sum::<f64>() / rows.len() as f64
                    };
                    (key, r, i)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            layers[d] = keyed.into_iter().map(|(_, _, i)| i).collect();
        }
    }
}

/// AI sub-nodes in a row under their parent, in document order.
fn place_sub_nodes<'a>(
    nodes: &'a [Node],
    parent_of: &HashMap<usize, usize>,
    placed: &mut HashMap<&'a str, Point>,
) {
    let mut children: Vec<(usize, usize)> = parent_of.iter().map(|(&c, &p)| (p, c)).collect();
    children.sort_unstable();
    let mut by_parent: HashMap<usize, Vec<usize>> = HashMap::new();
    for (p, c) in children {
        by_parent.entry(p).or_default().push(c);
    }
    for (parent, subs) in by_parent {
        let Some(&at) = placed.get(nodes[parent].name.as_str()) else {
            continue;
        };
        for (k, &c) in subs.iter().enumerate() {
            let x = at.x + (k as f64 - (subs.len() as f64 - 1.0) / 2.0) * SUB_STEP;
            placed.insert(
                nodes[c].name.as_str(),
                snap(Point {
                    x,
                    y: at.y + SUB_ROW,
                }),
            );
        }
    }
}

/// To n8n's 20-pixel grid.
pub fn snap(p: Point) -> Point {
    let to = |v: f64| (v / 20.0).round() * 20.0;
    Point {
        x: to(p.x),
        y: to(p.y),
    }
}
