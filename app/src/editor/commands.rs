//! The editor's commands by keyboard, toolbar and clipboard. Every canvas action has a key
//! here, so the canvas is usable without a pointer.

use super::browser;
use super::creator::Place;
use super::geometry::Viewport;
use super::run_items::RunItems;
use super::state::{EditorState, Notice};
use agente_editor::{Edge, Point};
use leptos::prelude::*;

/// How far the arrow keys move the selection (one grid step; five with Shift).
const NUDGE: f64 = 20.0;

/// The selection as the editor's commands take it.
fn names(st: &EditorState) -> Vec<String> {
    st.selected()
}

fn refs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

pub fn delete_selection(st: EditorState, edge: RwSignal<Option<Edge>>) {
    if let Some(e) = edge.get_untracked() {
        st.change(|ed| ed.disconnect(&e));
        edge.set(None);
        st.say(Notice::Info("Connection removed".into()));
        return;
    }
    let n = names(&st);
    if n.is_empty() {
        return;
    }
    st.attempt(|ed| ed.remove_nodes(&refs(&n)));
    st.say(Notice::Info(format!("{} deleted", count(n.len()))));
}

pub fn duplicate(st: EditorState) {
    let n = names(&st);
    if n.is_empty() {
        return;
    }
    match st.change(|ed| ed.duplicate(&refs(&n))) {
        Ok(new) => {
            st.say(Notice::Info(format!("{} duplicated", count(new.len()))));
            st.select_only(new);
        }
        Err(e) => st.say(Notice::Error(e.to_string())),
    }
}

pub fn toggle_disabled(st: EditorState) {
    let n = names(&st);
    if !n.is_empty() {
        st.attempt(|ed| ed.toggle_disabled(&refs(&n)));
    }
}

pub fn undo(st: EditorState) {
    if !st.change(|ed| ed.undo()) {
        st.say(Notice::Info("Nothing to undo".into()));
    }
}

pub fn redo(st: EditorState) {
    if !st.change(|ed| ed.redo()) {
        st.say(Notice::Info("Nothing to redo".into()));
    }
}

pub fn tidy_up(st: EditorState) {
    st.change(|ed| ed.tidy_up());
    st.fit();
}

pub fn select_all(st: EditorState) {
    let all = st.peek(|ed| {
        ed.workflow()
            .nodes()
            .iter()
            .map(|n| n.name.clone())
            .collect()
    });
    st.select_only(all);
}

/// Adds a sticky note in the middle of the screen, as n8n's Shift+S does.
pub fn add_sticky(st: EditorState) {
    let (w, h) = st.screen.get_untracked();
    let at = agente_editor::snap(st.view.get_untracked().to_world(Point {
        x: w / 2.0 - 120.0,
        y: h / 2.0 - 80.0,
    }));
    let note = serde_json::json!({
        "name": "Sticky Note",
        "type": "n8n-nodes-base.stickyNote",
        "typeVersion": 1,
        "parameters": {"content": "## Note\nWrite here what this part does.", "height": 160, "width": 240, "color": 1},
    });
    match serde_json::from_value(note) {
        Ok(node) => {
            let name = st.change(|ed| ed.add_node(node, at));
            st.say(Notice::Info(format!("{name} added")));
            st.select_only(vec![name]);
        }
        Err(e) => st.say(Notice::Error(e.to_string())),
    }
}

pub fn zoom(st: EditorState, factor: f64) {
    let (w, h) = st.screen.get_untracked();
    st.view.update(|v| {
        *v = v.zoomed(
            factor,
            Point {
                x: w / 2.0,
                y: h / 2.0,
            },
        )
    });
}

pub fn reset_zoom(st: EditorState) {
    st.view.update(|v| *v = Viewport { zoom: 1.0, ..*v });
}

fn nudge(st: EditorState, dx: f64, dy: f64) {
    let n = names(&st);
    if !n.is_empty() {
        st.attempt(|ed| ed.move_nodes(&refs(&n), dx, dy));
    }
}

/// Copies the selection in n8n's clipboard format; none when nothing is selected.
pub fn copy(st: EditorState) -> Option<String> {
    let n = names(&st);
    if n.is_empty() {
        return None;
    }
    match st.peek(|ed| ed.copy(&refs(&n))) {
        Ok(text) => {
            st.say(Notice::Info(format!("{} copied", count(n.len()))));
            Some(text)
        }
        Err(e) => {
            st.say(Notice::Error(e.to_string()));
            None
        }
    }
}

pub fn cut(st: EditorState) -> Option<String> {
    let n = names(&st);
    if n.is_empty() {
        return None;
    }
    match st.change(|ed| ed.cut(&refs(&n))) {
        Ok(text) => Some(text),
        Err(e) => {
            st.say(Notice::Error(e.to_string()));
            None
        }
    }
}

/// Pastes n8n nodes at the centre of the screen; what is not nodes changes nothing.
pub fn paste(st: EditorState, text: &str) {
    let (w, h) = st.screen.get_untracked();
    // On the grid, as every position the editor writes (n8n keeps whole numbers).
    let at = agente_editor::snap(st.view.get_untracked().to_world(Point {
        x: w / 3.0,
        y: h / 3.0,
    }));
    match st.change(|ed| ed.paste(text, at)) {
        Ok(new) => {
            st.say(Notice::Info(format!("{} pasted", count(new.len()))));
            st.select_only(new);
        }
        Err(e) => st.say(Notice::Error(format!("Nothing pasted: {e}"))),
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 node".into()
    } else {
        format!("{n} nodes")
    }
}

/// What a key press asks of the editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyCommand {
    Save,
    Undo,
    Redo,
    SelectAll,
    Duplicate,
    Delete,
    Disable,
    Rename,
    TidyUp,
    Fit,
    ResetZoom,
    ZoomIn,
    ZoomOut,
    Nudge(i8, i8),
    Deselect,
    Run,
    AddSticky,
    /// Opens the node creator (Tab, when nothing on the page has the focus: Tab keeps moving
    /// the focus between nodes and controls).
    AddNode,
    /// Opens the selected node's details (Enter).
    Open,
    /// Pins the selected nodes' output from the run shown, or unpins it (P).
    Pin,
}

/// The key map (n8n's where n8n has one). `ctrl` is Ctrl or ⌘.
pub fn command_for(key: &str, ctrl: bool, shift: bool, alt: bool) -> Option<KeyCommand> {
    use KeyCommand::*;
    let step = if shift { 5 } else { 1 };
    Some(match (key, ctrl, alt) {
        ("s" | "S", true, _) => Save,
        ("z" | "Z", true, _) if shift => Redo,
        ("z", true, _) => Undo,
        ("y", true, _) => Redo,
        ("a", true, _) => SelectAll,
        ("d", true, _) => Duplicate,
        ("Enter", true, _) => Run,
        ("Enter", false, false) if !shift => Open,
        ("Tab", false, false) if !shift => AddNode,
        ("Delete" | "Backspace", false, _) => Delete,
        ("s" | "S", false, false) if shift => AddSticky,
        ("d" | "D", false, false) if !shift => Disable,
        ("p" | "P", false, false) if !shift => Pin,
        ("F2", false, _) => Rename,
        ("t" | "T" | "†", false, true) if shift => TidyUp,
        ("1", false, false) if shift => Fit,
        ("0", false, false) => ResetZoom,
        ("+" | "=", false, false) => ZoomIn,
        ("-" | "_", false, false) => ZoomOut,
        ("ArrowLeft", false, false) => Nudge(-step, 0),
        ("ArrowRight", false, false) => Nudge(step, 0),
        ("ArrowUp", false, false) => Nudge(0, -step),
        ("ArrowDown", false, false) => Nudge(0, step),
        ("Escape", false, _) => Deselect,
        _ => return None,
    })
}

/// Runs a key command; `true` when the key was the editor's (its default is then stopped).
pub fn run_key(st: EditorState, cmd: KeyCommand, ui: EditorUi) {
    use KeyCommand::*;
    match cmd {
        Save => ui.save.run(()),
        Undo => undo(st),
        Redo => redo(st),
        SelectAll => select_all(st),
        Duplicate => duplicate(st),
        Delete => delete_selection(st, ui.selected_edge),
        Disable => toggle_disabled(st),
        Rename => {
            if let Some(first) = st.selected().into_iter().next() {
                ui.renaming.set(Some(first));
            }
        }
        TidyUp => tidy_up(st),
        Fit => st.fit(),
        ResetZoom => reset_zoom(st),
        ZoomIn => zoom(st, 1.25),
        ZoomOut => zoom(st, 0.8),
        Nudge(x, y) => nudge(st, f64::from(x) * NUDGE, f64::from(y) * NUDGE),
        // Escape closes the node details first, then clears the selection.
        Deselect => match ui.details.get_untracked() {
            Some(name) => {
                ui.details.set(None);
                browser::focus_node(&name);
            }
            None => {
                st.select_only(Vec::new());
                ui.selected_edge.set(None);
            }
        },
        Run => ui.run.run(()),
        AddSticky => add_sticky(st),
        AddNode => ui.creator.set(Some(Place::Free)),
        Open => {
            if let Some(first) = st.selected().into_iter().next() {
                ui.details.set(Some(first));
            }
        }
        Pin => {
            for name in st.selected() {
                toggle_pin(st, ui.run_items, &name);
            }
        }
    }
    if let Some(first) = st
        .selected()
        .first()
        .filter(|_| matches!(cmd, Nudge(..) | Duplicate))
    {
        browser::focus_node(first);
    }
}

/// Callbacks and signals the key map reaches beyond the document.
#[derive(Clone, Copy)]
pub struct EditorUi {
    pub save: Callback<()>,
    pub run: Callback<()>,
    /// Runs up to a node, reusing the run shown for the nodes before it.
    pub step: Callback<String>,
    pub renaming: RwSignal<Option<String>>,
    pub selected_edge: RwSignal<Option<Edge>>,
    /// Where the node creator adds a node, while it is open.
    pub creator: RwSignal<Option<Place>>,
    /// The node whose details are open.
    pub details: RwSignal<Option<String>>,
    /// The items of the run shown (what P pins).
    pub run_items: RwSignal<Option<RunItems>>,
}

/// Whether `name` has pinned data (runs use it instead of running the node).
pub fn is_pinned(st: EditorState, name: &str) -> bool {
    st.read(|e| {
        e.workflow()
            .pin_data
            .get()
            .is_some_and(|p| p.contains_key(name))
    })
}

/// Unpins `name`, or pins its first output from the run shown (n8n's `pinData`: the items
/// as `{json}`), so that runs use those items instead of running it.
pub fn toggle_pin(st: EditorState, run_items: RwSignal<Option<RunItems>>, name: &str) {
    if st.peek(|e| {
        e.workflow()
            .pin_data
            .get()
            .is_some_and(|p| p.contains_key(name))
    }) {
        st.attempt(|e| e.set_pin_data(name, None));
        st.say(Notice::Info(format!("{name} unpinned: runs run it again")));
        return;
    }
    match pin_from_run(st, run_items, name) {
        Some(n) => st.say(Notice::Info(format!(
            "{name} pinned with {n} item{}: runs use them instead of running it",
            if n == 1 { "" } else { "s" }
        ))),
        None => st.say(Notice::Error(format!(
            "{name} has no output to pin yet: run the workflow first"
        ))),
    }
}

/// Pins what `name` gave on its first output in the run shown (as `{json}` items);
/// answers how many, or none when it did not run there.
pub fn pin_from_run(
    st: EditorState,
    run_items: RwSignal<Option<RunItems>>,
    name: &str,
) -> Option<usize> {
    let items = run_items.with_untracked(|r| {
        r.as_ref().and_then(|r| r.output(name, 0)).map(|items| {
            items
                .iter()
                .map(|json| serde_json::json!({ "json": json }))
                .collect::<Vec<_>>()
        })
    })?;
    let n = items.len();
    st.attempt(|e| e.set_pin_data(name, Some(serde_json::Value::Array(items))));
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::KeyCommand::*;
    use super::command_for;

    #[test]
    fn keys_map_as_n8n_users_expect() {
        assert_eq!(command_for("s", true, false, false), Some(Save));
        assert_eq!(command_for("z", true, false, false), Some(Undo));
        assert_eq!(command_for("Z", true, true, false), Some(Redo));
        assert_eq!(command_for("d", false, false, false), Some(Disable));
        assert_eq!(command_for("d", true, false, false), Some(Duplicate));
        assert_eq!(
            command_for("ArrowLeft", false, true, false),
            Some(Nudge(-5, 0))
        );
        assert_eq!(command_for("T", false, true, true), Some(TidyUp));
        assert_eq!(command_for("S", false, true, false), Some(AddSticky));
        assert_eq!(command_for("x", false, false, false), None);
        assert_eq!(command_for("p", false, false, false), Some(Pin));
        assert_eq!(command_for("p", true, false, false), None, "Ctrl+P prints");
        assert_eq!(command_for("Tab", false, false, false), Some(AddNode));
        assert_eq!(
            command_for("Tab", false, true, false),
            None,
            "Shift+Tab moves the focus back"
        );
        assert_eq!(command_for("Enter", false, false, false), Some(Open));
        assert_eq!(
            command_for("c", true, false, false),
            None,
            "copy goes through the clipboard event"
        );
    }
}
