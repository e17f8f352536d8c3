//! The canvas's node commands: add, remove, move, rename, disable, change, pin.

use crate::connections;
use crate::edit::Edit;
use crate::editor::{Editor, EditorError, MAX_NAME_CHARS, Point, position, position_of};
use crate::names::{rename_references, unique_name};
use crate::outputs;
use agente_workflow_model::{Field, Node};
use serde_json::Value;

impl Editor {
    /// Adds `node` (from the node creator) at `at`, under its name made unique, with a
    /// fresh id; answers the name it got.
    pub fn add_node(&mut self, mut node: Node, at: Point) -> String {
        node.name = unique_name(&node.name, |n| self.name_taken(n));
        node.id = Field::Value(self.fresh_id());
        node.position = position_of(at);
        let name = node.name.clone();
        let end = self.workflow().nodes().len();
        self.commit(vec![Edit::InsertNode {
            at: end,
            node: Box::new(node),
        }]);
        name
    }

    /// Removes nodes with their connections and pinned data.
    pub fn remove_nodes(&mut self, names: &[&str]) -> Result<(), EditorError> {
        let mut at = names
            .iter()
            .map(|n| self.index_of(n))
            .collect::<Result<Vec<_>, _>>()?;
        let mut edits = connections::without_nodes(self.workflow(), names);
        edits.extend(names.iter().filter_map(|n| self.unpin_edit(n)));
        // From the end, so that each position still points at its node.
        at.sort_unstable();
        at.dedup();
        edits.extend(at.into_iter().rev().map(|at| Edit::RemoveNode { at }));
        self.commit(edits);
        Ok(())
    }

    /// Moves nodes by an offset. A drag moves them once, when dropped (the canvas draws the
    /// offset while dragging), so that history keeps one small step per drag.
    pub fn move_nodes(&mut self, names: &[&str], dx: f64, dy: f64) -> Result<(), EditorError> {
        let mut edits = Vec::with_capacity(names.len());
        for name in names {
            let at = self.index_of(name)?;
            let p = position(&self.workflow().nodes()[at]);
            edits.push(Edit::SetPosition {
                at,
                position: position_of(Point {
                    x: p.x + dx,
                    y: p.y + dy,
                }),
            });
        }
        self.commit(edits);
        Ok(())
    }

    /// Renames a node, and every connection and expression that names it.
    pub fn rename_node(&mut self, old: &str, new: &str) -> Result<(), EditorError> {
        let new = new.trim();
        let at = self.index_of(old)?;
        if new == old {
            return Ok(());
        }
        if new.is_empty() {
            return Err(EditorError::EmptyName);
        }
        if new.chars().count() > MAX_NAME_CHARS {
            return Err(EditorError::NameTooLong);
        }
        if self.name_taken(new) {
            return Err(EditorError::NameTaken(new.to_string()));
        }
        let mut edits = Vec::new();
        for (i, node) in self.workflow().nodes().iter().enumerate() {
            let mut params = Value::Object(node.parameters().clone());
            let referenced = rename_references(&mut params, old, new);
            if i != at && !referenced {
                continue;
            }
            let mut changed = node.clone();
            if i == at {
                changed.name = new.to_string();
            }
            if let (true, Value::Object(map)) = (referenced, params) {
                changed.parameters = Field::Value(map);
            }
            edits.push(Edit::ReplaceNode {
                at: i,
                node: Box::new(changed),
            });
        }
        edits.extend(connections::renamed(self.workflow(), old, new));
        edits.extend(self.renamed_pin_edits(old, new));
        self.commit(edits);
        Ok(())
    }

    /// n8n's D key: disables the nodes, or enables them all when all are disabled.
    pub fn toggle_disabled(&mut self, names: &[&str]) -> Result<(), EditorError> {
        let at = names
            .iter()
            .map(|n| self.index_of(n))
            .collect::<Result<Vec<_>, _>>()?;
        let nodes = self.workflow().nodes();
        let disable = at.iter().any(|&i| !nodes[i].is_disabled());
        let edits = at
            .into_iter()
            .map(|i| {
                let mut node = nodes[i].clone();
                node.disabled = if disable {
                    Field::Value(true)
                } else {
                    Field::Absent
                };
                Edit::ReplaceNode {
                    at: i,
                    node: Box::new(node),
                }
            })
            .collect();
        self.commit(edits);
        Ok(())
    }

    /// Changes a node's parameters or settings (the node details view); its name stays
    /// (renaming is [`Editor::rename_node`]).
    pub fn update_node(
        &mut self,
        name: &str,
        change: impl FnOnce(&mut Node),
    ) -> Result<(), EditorError> {
        let at = self.index_of(name)?;
        let old = &self.workflow().nodes()[at];
        let mut node = old.clone();
        change(&mut node);
        node.name = name.to_string();
        if node == *old {
            return Ok(());
        }
        // Outputs that come or go (a Switch rule, the error output): connections follow
        // their outputs in the same undo step (`outputs.rs`).
        let rewire = outputs::rewire(self.workflow(), name, old, &node);
        let mut edits = vec![Edit::ReplaceNode {
            at,
            node: Box::new(node),
        }];
        edits.extend(rewire);
        self.commit(edits);
        Ok(())
    }

    /// Pins items on a node (`None` unpins): runs use them instead of running the node.
    pub fn set_pin_data(&mut self, name: &str, items: Option<Value>) -> Result<(), EditorError> {
        self.index_of(name)?;
        let at = self.workflow().pin_data.get().map_or(0, |p| p.len());
        self.commit(vec![Edit::SetPinData {
            node: name.to_string(),
            items,
            at,
        }]);
        Ok(())
    }

    /// Renames the workflow.
    pub fn set_name(&mut self, name: &str) {
        if self.workflow().name() != name {
            self.commit(vec![Edit::SetName(Field::Value(name.to_string()))]);
        }
    }

    fn unpin_edit(&self, name: &str) -> Option<Edit> {
        self.workflow()
            .pin_data
            .get()?
            .contains_key(name)
            .then(|| Edit::SetPinData {
                node: name.to_string(),
                items: None,
                at: 0,
            })
    }

    fn renamed_pin_edits(&self, old: &str, new: &str) -> Vec<Edit> {
        let Some(pins) = self.workflow().pin_data.get() else {
            return Vec::new();
        };
        let Some(at) = pins.keys().position(|k| k == old) else {
            return Vec::new();
        };
        vec![
            Edit::SetPinData {
                node: old.to_string(),
                items: None,
                at,
            },
            Edit::SetPinData {
                node: new.to_string(),
                items: pins.get(old).cloned(),
                at,
            },
        ]
    }
}
