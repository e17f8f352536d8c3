//! The editor: one workflow, the commands the canvas gives, and their history.

use crate::edit::Edit;
use crate::history::{History, apply_all};
use agente_workflow_model::{Field, Node, Workflow};
use serde_json::Number;

/// The longest node name accepted (n8n sets none; a name is a key in connections and
/// expressions, so keep it readable).
pub const MAX_NAME_CHARS: usize = 128;

/// A point on the canvas, in n8n's coordinates.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
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
}

/// A node's position (the origin when it has none).
pub fn position(node: &Node) -> Point {
    let (x, y) = node.xy();
    Point { x, y }
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
