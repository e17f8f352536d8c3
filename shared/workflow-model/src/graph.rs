//! The workflow as a graph: who feeds whom, by node name.

use crate::{Connection, Workflow};
use std::collections::HashMap;

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
