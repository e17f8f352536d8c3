//! The editor page's state: the workflow being edited (`agente-editor` owns the document and
//! its undo history), what is selected, the viewport, and what the server last stored.

use super::geometry::{NodeBox, Rect, Viewport};
use agente_editor::{Edge, Editor};
use agente_workflow_model::Workflow;
use leptos::prelude::*;

/// A message for the status line (read out by screen readers).
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Info(String),
    Error(String),
}

/// Everything the editor's parts share; `Copy`, handed down as a context.
#[derive(Clone, Copy)]
pub struct EditorState {
    editor: StoredValue<Editor>,
    /// Counts changes to the document, across replacements of the whole editor: what
    /// everything drawn depends on. It is `base` + the editor's own revision.
    revision: RwSignal<u64>,
    base: StoredValue<u64>,
    /// Selected nodes by name, in the order they were picked.
    pub selection: RwSignal<Vec<String>>,
    pub view: RwSignal<Viewport>,
    /// The canvas's size on screen (for culling and fitting).
    pub screen: RwSignal<(f64, f64)>,
    /// The stored workflow's id (none until a new one is first saved) and version.
    pub id: RwSignal<Option<String>>,
    pub version: RwSignal<Option<i64>>,
    /// The revision the server has; anything else is unsaved.
    pub saved_revision: RwSignal<u64>,
    pub notice: RwSignal<Option<Notice>>,
    /// Every node's box, redrawn when the document changes.
    pub boxes: Memo<Vec<NodeBox>>,
    pub edges: Memo<Vec<Edge>>,
}

impl EditorState {
    pub fn new(workflow: Workflow, id: Option<String>, version: Option<i64>) -> Self {
        let editor = StoredValue::new(Editor::new(workflow, new_node_id));
        let revision = RwSignal::new(0);
        let boxes = Memo::new(move |_| {
            revision.track();
            editor.with_value(|e| e.workflow().nodes().iter().map(NodeBox::of).collect())
        });
        let edges = Memo::new(move |_| {
            revision.track();
            editor.with_value(Editor::edges)
        });
        EditorState {
            editor,
            revision,
            base: StoredValue::new(0),
            selection: RwSignal::new(Vec::new()),
            view: RwSignal::new(Viewport::default()),
            screen: RwSignal::new((1200.0, 640.0)),
            id: RwSignal::new(id),
            version: RwSignal::new(version),
            saved_revision: RwSignal::new(0),
            notice: RwSignal::new(None),
            boxes,
            edges,
        }
    }

    /// Reads the editor, redrawing the caller when the document changes.
    pub fn read<R>(&self, f: impl FnOnce(&Editor) -> R) -> R {
        self.revision.track();
        self.editor.with_value(f)
    }

    /// Reads the editor without subscribing (event handlers).
    pub fn peek<R>(&self, f: impl FnOnce(&Editor) -> R) -> R {
        self.editor.with_value(f)
    }

    /// Runs a command; everything drawn from the document follows. Selected names that no
    /// longer exist are dropped from the selection.
    pub fn change<R>(&self, f: impl FnOnce(&mut Editor) -> R) -> R {
        let out = self
            .editor
            .try_update_value(f)
            .expect("the editor lives as long as the page");
        let revision = self.base.get_value() + self.editor.with_value(Editor::revision);
        if revision != self.revision.get_untracked() {
            self.revision.set(revision);
            let gone: Vec<String> = self.peek(|e| {
                self.selection
                    .with_untracked(|s| s.iter().filter(|n| e.node(n).is_none()).cloned().collect())
            });
            if !gone.is_empty() {
                self.selection.update(|s| s.retain(|n| !gone.contains(n)));
            }
        }
        out
    }

    /// Replaces the whole document (a reload after a conflict, a restored draft): a fresh
    /// history, as a newly opened workflow has.
    pub fn replace(&self, workflow: Workflow) {
        self.editor.set_value(Editor::new(workflow, new_node_id));
        self.selection.set(Vec::new());
        let next = self.revision.get_untracked() + 1;
        self.base.set_value(next);
        self.revision.set(next);
    }

    pub fn revision(&self) -> u64 {
        self.revision.get()
    }

    pub fn revision_untracked(&self) -> u64 {
        self.revision.get_untracked()
    }

    pub fn dirty_untracked(&self) -> bool {
        self.revision.get_untracked() != self.saved_revision.get_untracked()
    }

    pub fn dirty(&self) -> bool {
        self.revision.get() != self.saved_revision.get()
    }

    pub fn mark_saved(&self) {
        self.saved_revision.set(self.revision.get_untracked());
    }

    /// The document as n8n JSON.
    pub fn json(&self) -> String {
        self.peek(|e| e.workflow().to_value().to_string())
    }

    pub fn selected(&self) -> Vec<String> {
        self.selection.get_untracked()
    }

    pub fn is_selected(&self, name: &str) -> bool {
        self.selection.with(|s| s.iter().any(|n| n == name))
    }

    pub fn select_only(&self, names: Vec<String>) {
        self.selection.set(names);
    }

    pub fn toggle_selected(&self, name: &str) {
        self.selection
            .update(|s| match s.iter().position(|n| n == name) {
                Some(i) => {
                    s.remove(i);
                }
                None => s.push(name.to_string()),
            });
    }

    pub fn say(&self, notice: Notice) {
        self.notice.set(Some(notice));
    }

    /// Runs a command that may be refused; a refusal is shown, never a panic.
    pub fn attempt<E: std::fmt::Display>(&self, f: impl FnOnce(&mut Editor) -> Result<(), E>) {
        if let Err(e) = self.change(f) {
            self.say(Notice::Error(e.to_string()));
        }
    }

    /// Pans so `name` is on screen (a node just added, or given the focus back).
    pub fn reveal(&self, name: &str) {
        let target = self.boxes.with_untracked(|b| {
            b.iter().find(|b| b.name == name).map(|b| Rect {
                x: b.x,
                y: b.y,
                w: b.w,
                h: b.h,
            })
        });
        if let Some(t) = target {
            let screen = self.screen.get_untracked();
            let next = self.view.get_untracked().revealing(t, screen);
            if next != self.view.get_untracked() {
                self.view.set(next);
            }
        }
    }

    /// Shows the whole workflow.
    pub fn fit(&self) {
        let content = self.boxes.with_untracked(|b| Rect::around(b.iter()));
        self.view
            .set(Viewport::fit(content, self.screen.get_untracked()));
    }
}

/// A fresh node id as n8n makes them (a random UUID).
pub fn new_node_id() -> String {
    #[cfg(feature = "hydrate")]
    if let Some(id) = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
    {
        return id;
    }
    // On the server nothing adds nodes; a unique enough id keeps the editor total.
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "00000000-0000-4000-8000-{:012x}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use agente_editor::Point;

    fn state() -> EditorState {
        let wf = Workflow::from_json(
            r#"{"name":"w","nodes":[{"name":"A","type":"n8n-nodes-base.set","position":[0,0]},
                {"name":"B","type":"n8n-nodes-base.set","position":[220,0]}],"connections":{}}"#,
        )
        .unwrap();
        EditorState::new(wf, Some("id".into()), Some(1))
    }

    #[test]
    fn changes_redraw_mark_dirty_and_drop_deleted_names_from_the_selection() {
        let owner = Owner::new();
        owner.set();
        let st = state();
        assert!(!st.dirty_untracked());
        assert_eq!(st.boxes.get_untracked().len(), 2);
        st.select_only(vec!["A".into(), "B".into()]);
        st.attempt(|e| e.remove_nodes(&["A"]));
        assert_eq!(st.boxes.get_untracked().len(), 1);
        assert_eq!(st.selected(), ["B"]);
        assert!(st.dirty_untracked());
        st.mark_saved();
        assert!(!st.dirty_untracked());
        // An undo is a change too: the document differs from what was saved.
        st.change(|e| e.undo());
        assert!(st.dirty_untracked());
    }

    #[test]
    fn a_refused_command_is_said_and_changes_nothing() {
        let owner = Owner::new();
        owner.set();
        let st = state();
        st.attempt(|e| e.rename_node("A", "B"));
        assert!(
            matches!(st.notice.get_untracked(), Some(Notice::Error(m)) if m.contains("already exists"))
        );
        assert!(!st.dirty_untracked());
    }

    #[test]
    fn replacing_the_document_starts_a_new_history_and_counts_as_a_change() {
        let owner = Owner::new();
        owner.set();
        let st = state();
        let node = serde_json::from_str(r#"{"name":"C","type":"n8n-nodes-base.noOp"}"#).unwrap();
        st.change(|e| e.add_node(node, Point { x: 0.0, y: 0.0 }));
        st.mark_saved();
        let before = st.revision_untracked();
        st.replace(Workflow::from_json(r#"{"name":"other","nodes":[],"connections":{}}"#).unwrap());
        assert!(st.revision_untracked() > before);
        assert!(st.dirty_untracked());
        assert!(!st.peek(|e| e.can_undo()));
        assert!(st.boxes.get_untracked().is_empty());
    }
}
