//! The canvas's wiring commands: connect, disconnect, drop a node onto an edge.

use crate::connections::{Edge, Outlet, edges, with_edge, without_edge};
use crate::editor::{Editor, EditorError};

impl Editor {
    /// Every edge, in the document's order.
    pub fn edges(&self) -> Vec<Edge> {
        edges(self.workflow())
    }

    /// Connects an outlet to a node's input; false when that edge was there already.
    pub fn connect(&mut self, from: &Outlet, to: &str, input: usize) -> Result<bool, EditorError> {
        self.index_of(&from.node)?;
        self.index_of(to)?;
        if from.node == to {
            return Err(EditorError::SelfConnection);
        }
        let edge = Edge {
            from: from.clone(),
            to: to.to_string(),
            input,
        };
        let Some(edit) = with_edge(self.workflow(), &edge) else {
            return Ok(false);
        };
        self.commit(vec![edit]);
        Ok(true)
    }

    /// Takes an edge away; false when there was no such edge.
    pub fn disconnect(&mut self, edge: &Edge) -> bool {
        let Some(edit) = without_edge(self.workflow(), edge) else {
            return false;
        };
        self.commit(vec![edit]);
        true
    }

    /// Drops `node` onto an edge: the edge now runs through the node's first input and
    /// first output of the edge's type. One undo step.
    pub fn insert_on_edge(&mut self, node: &str, edge: &Edge) -> Result<(), EditorError> {
        for name in [node, &edge.from.node, &edge.to] {
            self.index_of(name)?;
        }
        if edge.from.node == node || edge.to == node {
            return Err(EditorError::SelfConnection);
        }
        let out = Outlet {
            node: node.to_string(),
            kind: edge.from.kind.clone(),
            index: 0,
        };
        // Checked above: none of these can be refused.
        self.begin_group();
        self.disconnect(edge);
        let _ = self.connect(&edge.from, node, 0);
        let _ = self.connect(&out, &edge.to, edge.input);
        self.end_group();
        Ok(())
    }
}
