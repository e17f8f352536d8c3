//! The workflow as a graph: who feeds whom, by node name.

use crate::{Connection, Workflow};
use std::collections::{HashMap, HashSet};

/// One connection as the canvas draws it: from `source`'s output `output` of type `kind`
/// (`main`, `ai_tool`, …) into `target`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link<'w> {
    pub source: &'w str,
    pub kind: &'w str,
    pub output: usize,
    pub target: &'w Connection,
}

/// Every connection of the workflow, of every type, in the document's order.
pub fn links(workflow: &Workflow) -> impl Iterator<Item = Link<'_>> {
    workflow
        .connections()
        .into_iter()
        .flatten()
        .flat_map(|(source, by_kind)| {
            by_kind.iter().flat_map(move |(kind, outputs)| {
                outputs
                    .iter()
                    .enumerate()
                    .flat_map(move |(output, targets)| {
                        targets.iter().flatten().map(move |target| Link {
                            source,
                            kind,
                            output,
                            target,
                        })
                    })
            })
        })
}

/// The nodes whose `main` output leads to `node`, directly or through others (`node`
/// itself only when it lies on a loop).
pub fn upstream<'w>(workflow: &'w Workflow, node: &str) -> HashSet<&'w str> {
    let mut parents: HashMap<&str, Vec<&'w str>> = HashMap::new();
    for link in links(workflow).filter(|l| l.kind == "main") {
        parents
            .entry(link.target.node.as_str())
            .or_default()
            .push(link.source);
    }
    let mut found: HashSet<&'w str> = HashSet::new();
    let mut queue = vec![node];
    while let Some(next) = queue.pop() {
        for parent in parents.get(next).into_iter().flatten() {
            if found.insert(parent) {
                queue.push(parent);
            }
        }
    }
    found
}

/// Incoming and outgoing `main` connections of every node.
#[derive(Debug, Default)]
pub struct Graph<'w> {
    /// node → output index → targets
    outgoing: HashMap<&'w str, Vec<Vec<&'w Connection>>>,
    /// node → how many `main` inputs have something connected (highest index + 1)
    inputs: HashMap<&'w str, usize>,
}

impl<'w> Graph<'w> {
    pub fn new(workflow: &'w Workflow) -> Self {
        let mut graph = Graph::default();
        for (source, by_type) in workflow.connections().into_iter().flatten() {
            let Some(outputs) = by_type.get("main") else {
                continue;
            };
            let slots = graph.outgoing.entry(source.as_str()).or_default();
            for (index, targets) in outputs.iter().enumerate() {
                if slots.len() <= index {
                    slots.resize_with(index + 1, Vec::new);
                }
                for target in targets.iter().flatten() {
                    slots[index].push(target);
                    let inputs = graph.inputs.entry(target.node.as_str()).or_default();
                    *inputs = (*inputs).max(target.index as usize + 1);
                }
            }
        }
        graph
    }

    /// The graph of a run that ends at `destination` (the editor's "execute step"): only
    /// the connections into `destination` and the nodes leading to it, so nothing past it
    /// runs.
    pub fn leading_to(workflow: &'w Workflow, destination: &str) -> Self {
        let mut wanted = upstream(workflow, destination);
        wanted.insert(destination);
        let mut graph = Graph::new(workflow);
        for (source, outputs) in graph.outgoing.iter_mut() {
            for targets in outputs.iter_mut() {
                // Nothing after the destination, even back into a loop that leads to it.
                targets.retain(|t| *source != destination && wanted.contains(t.node.as_str()));
            }
        }
        graph.inputs.retain(|node, _| wanted.contains(node));
        graph
    }

    /// The targets of `node`'s output `index`.
    pub fn children(&self, node: &str, index: usize) -> &[&'w Connection] {
        self.outgoing
            .get(node)
            .and_then(|o| o.get(index))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// How many `main` inputs of `node` have something connected.
    pub fn input_count(&self, node: &str) -> usize {
        self.inputs.get(node).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Node;

    #[test]
    fn a_graph_leading_to_a_node_keeps_only_what_feeds_it() {
        // A → B → C → D, and A → E: to C, only A → B → C is left.
        let wf = Workflow::from_json(
            r#"{"name":"w","nodes":[],"connections":{
                "A":{"main":[[{"node":"B","type":"main","index":0},{"node":"E","type":"main","index":0}]]},
                "B":{"main":[[{"node":"C","type":"main","index":0}]]},
                "C":{"main":[[{"node":"D","type":"main","index":0}]]}}}"#,
        )
        .unwrap();
        let g = Graph::leading_to(&wf, "C");
        let names = |node, i| {
            g.children(node, i)
                .iter()
                .map(|c| c.node.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(names("A", 0), ["B"]);
        assert_eq!(names("B", 0), ["C"]);
        assert!(names("C", 0).is_empty());
        assert_eq!(
            (g.input_count("C"), g.input_count("D"), g.input_count("E")),
            (1, 0, 0)
        );
        // In a loop (A → B → C → A) nothing runs after the destination either.
        let looped = Workflow::from_json(
            r#"{"name":"w","nodes":[],"connections":{
                "A":{"main":[[{"node":"B","type":"main","index":0}]]},
                "B":{"main":[[{"node":"C","type":"main","index":0}]]},
                "C":{"main":[[{"node":"A","type":"main","index":0}]]}}}"#,
        )
        .unwrap();
        let g = Graph::leading_to(&looped, "B");
        assert!(g.children("B", 0).is_empty());
        assert_eq!(g.children("A", 0).len(), 1);
        let mut up: Vec<&str> = upstream(&looped, "B").into_iter().collect();
        up.sort_unstable();
        assert_eq!(up, ["A", "B", "C"]);
    }

    #[test]
    fn links_lists_every_type_and_output_in_document_order() {
        let wf = Workflow::from_json(
            r#"{"name":"w","nodes":[],"connections":{
                "If":{"main":[[{"node":"A","type":"main","index":0}],null,[{"node":"B","type":"main","index":1}]]},
                "Model":{"ai_languageModel":[[{"node":"Agent","type":"ai_languageModel","index":0}]]}}}"#,
        )
        .unwrap();
        let got: Vec<_> = links(&wf)
            .map(|l| {
                (
                    l.source,
                    l.kind,
                    l.output,
                    l.target.node.as_str(),
                    l.target.index,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("If", "main", 0, "A", 0),
                ("If", "main", 2, "B", 1),
                ("Model", "ai_languageModel", 0, "Agent", 0)
            ]
        );
    }

    #[test]
    fn a_node_without_a_full_position_sits_at_zero_on_the_missing_axis() {
        let wf = Workflow::from_json(
            r#"{"name":"w","connections":{},"nodes":[
                {"name":"A","type":"t","position":[240.5,-60]},
                {"name":"B","type":"t","position":[10]},
                {"name":"C","type":"t"}]}"#,
        )
        .unwrap();
        let xy: Vec<_> = wf.nodes().iter().map(Node::xy).collect();
        assert_eq!(xy, [(240.5, -60.0), (10.0, 0.0), (0.0, 0.0)]);
    }
}
