//! The editor: one workflow, the commands the canvas gives, and their history.

use crate::edit::Edit;
use crate::history::{History, apply_all};
use crate::names::{rename_references, unique_name};
use crate::wiring;
use agente_workflow_model::{Field, Node, Workflow};
use serde_json::{Number, Value};

/// The longest node name accepted (n8n sets none; a name is a key in connections and
/// expressions, so keep it readable).
pub const MAX_NAME_CHARS: usize = 128;

/// A point on the canvas, in n8n's coordinates.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// An output of a node: its connection type (`main`, `ai_tool`, …) and index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Outlet {
    pub node: String,
    pub kind: String,
    pub index: usize,
}

/// Why a command was refused; the workflow is unchanged.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditorError {
    #[error("there is no node named \"{0}\"")]
    UnknownNode(String),
    #[error("a node named \"{0}\" already exists")]
    NameTaken(String),
    #[error("a node's name must not be empty")]
    EmptyName,
    #[error("a node's name must be at most {MAX_NAME_CHARS} characters")]
    NameTooLong,
    #[error("a node cannot be connected to itself")]
    SelfConnection,
}

/// A workflow being edited. Commands change it as one undoable step each; ids for new
/// nodes come from `new_id` (the browser's `crypto.randomUUID()`, a counter in tests).
pub struct Editor {
    workflow: Workflow,
    history: History,
    new_id: Box<dyn FnMut() -> String + Send + Sync>,
    revision: u64,
}

impl std::fmt::Debug for Editor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Editor")
            .field("nodes", &self.workflow.nodes().len())
            .field("revision", &self.revision)
            .finish_non_exhaustive()
    }
}

impl Editor {
    pub fn new(workflow: Workflow, new_id: impl FnMut() -> String + Send + Sync + 'static) -> Self {
        Self {
            workflow,
            history: History::default(),
            new_id: Box::new(new_id),
            revision: 0,
        }
    }

    pub fn workflow(&self) -> &Workflow {
        &self.workflow
    }

    /// Counts changes (commands, undo, redo): what the canvas redraws on and autosave keys.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn undo(&mut self) -> bool {
        let undone = self.history.undo(&mut self.workflow);
        self.changed(undone)
    }

    pub fn redo(&mut self) -> bool {
        let redone = self.history.redo(&mut self.workflow);
        self.changed(redone)
    }

    pub fn can_undo(&self) -> bool {
        self.history.can_undo()
    }

    pub fn can_redo(&self) -> bool {
        self.history.can_redo()
    }

    /// Collects every command until [`Editor::end_group`] into one undo step.
    pub fn begin_group(&mut self) {
        self.history.begin_group();
    }

    pub fn end_group(&mut self) {
        self.history.end_group();
    }

    /// Applies edits as one step of history.
    pub(crate) fn commit(&mut self, edits: Vec<Edit>) {
        if edits.is_empty() {
            return;
        }
        let reversal = apply_all(&mut self.workflow, edits);
        let changed = !reversal.is_empty();
        self.history.record(reversal);
        self.changed(changed);
    }

    fn changed(&mut self, changed: bool) -> bool {
        if changed {
            self.revision += 1;
        }
        changed
    }

    pub(crate) fn fresh_id(&mut self) -> String {
        (self.new_id)()
    }

    pub fn node(&self, name: &str) -> Option<&Node> {
        self.workflow.node(name)
    }

    pub(crate) fn index_of(&self, name: &str) -> Result<usize, EditorError> {
        self.workflow
            .nodes()
            .iter()
            .position(|n| n.name == name)
            .ok_or_else(|| EditorError::UnknownNode(name.to_string()))
    }

    pub(crate) fn name_taken(&self, name: &str) -> bool {
        self.workflow.node(name).is_some()
    }

    /// Adds `node` (from the node creator) at `at`, under its name made unique, with a
    /// fresh id; answers the name it got.
    pub fn add_node(&mut self, mut node: Node, at: Point) -> String {
        node.name = unique_name(&node.name, |n| self.name_taken(n));
        node.id = Field::Value(self.fresh_id());
        node.position = position_of(at);
        let name = node.name.clone();
        let end = self.workflow.nodes().len();
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
        let mut edits = wiring::without_nodes(&self.workflow, names);
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
            let p = position(&self.workflow.nodes()[at]);
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
        for (i, node) in self.workflow.nodes().iter().enumerate() {
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
        edits.extend(wiring::renamed(&self.workflow, old, new));
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
        let nodes = self.workflow.nodes();
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
        let mut node = self.workflow.nodes()[at].clone();
        change(&mut node);
        node.name = name.to_string();
        if node != self.workflow.nodes()[at] {
            self.commit(vec![Edit::ReplaceNode {
                at,
                node: Box::new(node),
            }]);
        }
        Ok(())
    }

    /// Pins items on a node (`None` unpins): runs use them instead of running the node.
    pub fn set_pin_data(&mut self, name: &str, items: Option<Value>) -> Result<(), EditorError> {
        self.index_of(name)?;
        let at = self.workflow.pin_data.get().map_or(0, |p| p.len());
        self.commit(vec![Edit::SetPinData {
            node: name.to_string(),
            items,
            at,
        }]);
        Ok(())
    }

    /// Renames the workflow.
    pub fn set_name(&mut self, name: &str) {
        if self.workflow.name() != name {
            self.commit(vec![Edit::SetName(Field::Value(name.to_string()))]);
        }
    }

    fn unpin_edit(&self, name: &str) -> Option<Edit> {
        self.workflow
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
        let Some(pins) = self.workflow.pin_data.get() else {
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

/// A node's position (the origin when it has none).
pub fn position(node: &Node) -> Point {
    let p = node.position.get();
    let at = |i: usize| {
        p.and_then(|p| p.get(i))
            .and_then(Number::as_f64)
            .unwrap_or(0.0)
    };
    Point { x: at(0), y: at(1) }
}

/// A position as n8n writes it: whole numbers without a fraction.
pub(crate) fn position_of(p: Point) -> Field<Vec<Number>> {
    Field::Value(vec![number(p.x), number(p.y)])
}

fn number(v: f64) -> Number {
    let v = if v.is_finite() { v } else { 0.0 };
    if v.fract() == 0.0 && v.abs() < 1e15 {
        Number::from(v as i64)
    } else {
        Number::from_f64(v).unwrap_or_else(|| Number::from(0))
    }
}
