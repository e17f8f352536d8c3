//! "Debug in editor", from an execution's page: the editor opens with that run drawn on the
//! canvas and in the node details, and the items its trigger gave pinned, as n8n does — so
//! the next run (or "Execute step", which reuses the run shown) starts from the same data.

use super::commands;
use super::live::RunView;
use super::run_items::RunItems;
use super::state::{EditorState, Notice};
use crate::api::get_execution;
use leptos::prelude::*;

/// Shows execution `id` and pins its trigger's items (once the editor is in the browser).
pub fn debug(
    st: EditorState,
    id: String,
    run: RwSignal<RunView>,
    items: RwSignal<Option<RunItems>>,
) {
    Effect::new(move |_| {
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let view = match get_execution(id.clone()).await {
                Ok(view) => view,
                Err(e) => {
                    st.say(Notice::Error(format!(
                        "The execution to debug cannot be opened: {e}"
                    )));
                    return;
                }
            };
            run.set(RunView::of_execution(&view));
            let outputs = view
                .nodes
                .iter()
                .map(|n| (n.node.as_str(), n.outputs.as_slice()));
            items.set(Some(RunItems::from_outputs(&id, outputs)));
            // The nodes it started from: ran, and nothing leads into them.
            let starts: Vec<String> = st.peek(|e| {
                let edges = e.edges();
                view.nodes
                    .iter()
                    .map(|n| n.node.clone())
                    .filter(|name| e.node(name).is_some())
                    .filter(|name| {
                        !edges
                            .iter()
                            .any(|edge| edge.to == *name && edge.from.kind == "main")
                    })
                    .collect()
            });
            let pinned: Vec<String> = starts
                .into_iter()
                .filter(|name| commands::pin_from_run(st, items, name).is_some())
                .collect();
            st.say(Notice::Info(match pinned.as_slice() {
                [] => "Debugging: the execution's run is shown".to_string(),
                names => format!(
                    "Debugging: the execution's run is shown and {}'s items are pinned",
                    names.join(", ")
                ),
            }));
        });
    });
}
