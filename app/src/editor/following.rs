//! The editor's side of live updates: while a stored workflow is open it listens to the
//! workflow's events, draws the latest manual run on the canvas (`live::RunView`), reads out
//! how runs end, and notices versions saved elsewhere — loaded when nothing here is
//! unsaved, else the conflict banner (both kept; the user chooses).

use super::live::{Heard, RunView};
use super::run_items::RunItems;
use super::state::{EditorState, Notice};
use crate::api::get_execution;
use leptos::prelude::*;

/// Saving as the live updates see it: whether a save of this editor travels, and the newest
/// version an event announced (judged once the save has answered).
#[derive(Clone, Copy)]
pub struct Saving {
    pub busy: StoredValue<bool>,
    pub heard: StoredValue<Option<i64>>,
}

impl Default for Saving {
    fn default() -> Self {
        Self {
            busy: StoredValue::new(false),
            heard: StoredValue::new(None),
        }
    }
}

/// What the editor does with a version saved elsewhere (given how to reload it), and
/// whether the workflow is active (switched on or off elsewhere, as it is heard).
#[derive(Clone, Copy)]
pub struct Elsewhere {
    pub saving: Saving,
    pub conflict: RwSignal<Option<i64>>,
    pub reload: Callback<()>,
    pub active: RwSignal<bool>,
}

impl Elsewhere {
    /// A version newer than this editor's, heard while no save of its own travels, was
    /// stored by someone else (or this user in another tab).
    pub fn judge(self, st: EditorState) {
        if self.saving.busy.get_value() {
            return;
        }
        let Some(heard) = self.saving.heard.get_value() else {
            return;
        };
        let mine = st.version.get_untracked();
        if mine.is_none_or(|m| heard <= m) || self.conflict.get_untracked() == Some(heard) {
            return;
        }
        if st.dirty_untracked() {
            self.conflict.set(Some(heard));
        } else {
            self.reload.run(());
        }
    }
}

/// Listens to the open workflow's live updates for as long as the editor is open; answers
/// whether the stream is connected now.
pub fn follow(
    st: EditorState,
    run: RwSignal<RunView>,
    items: RwSignal<Option<RunItems>>,
    elsewhere: Elsewhere,
) -> RwSignal<bool> {
    let connected = RwSignal::new(false);
    let on_heard = move |heard: Heard| match heard {
        Heard::Nothing => {}
        Heard::Activated(on) => {
            if elsewhere.active.get_untracked() != on {
                elsewhere.active.set(on);
                st.say(Notice::Info(
                    if on {
                        "The workflow was activated"
                    } else {
                        "The workflow was deactivated"
                    }
                    .into(),
                ));
            }
        }
        Heard::Say(m) => {
            items.set(None);
            st.say(Notice::Info(m));
        }
        Heard::Finished { message, failed } => {
            st.say(if failed {
                Notice::Error(message)
            } else {
                Notice::Info(message)
            });
            if let Some(execution) = run.with_untracked(|r| r.execution.clone()) {
                load_items(execution, items);
            }
        }
        Heard::Saved(version) => {
            elsewhere
                .saving
                .heard
                .update_value(|h| *h = Some(h.map_or(version, |h| h.max(version))));
            elsewhere.judge(st);
        }
        Heard::Resync => {
            if run.with_untracked(|r| r.status.as_deref() == Some("running")) {
                st.say(Notice::Info(
                    "Live updates were interrupted: the run's end may not show here; see Executions".into(),
                ));
            }
        }
    };
    listen(st, run, on_heard, connected);
    connected
}

/// The finished run's items, for the node details' Input and Output tabs.
fn load_items(execution: String, items: RwSignal<Option<RunItems>>) {
    leptos::task::spawn_local(async move {
        if let Ok(view) = get_execution(execution.clone()).await {
            let runs = view
                .nodes
                .iter()
                .map(|n| (n.node.as_str(), n.outputs.as_slice()));
            items.set(Some(RunItems::from_outputs(&execution, runs)));
        }
    });
}

#[cfg(feature = "hydrate")]
fn listen(
    st: EditorState,
    run: RwSignal<RunView>,
    on_heard: impl Fn(Heard) + Copy + 'static,
    connected: RwSignal<bool>,
) {
    use super::live;
    let open = StoredValue::new_local(None::<live::Listening>);
    Effect::new(move |_| {
        let id = st.id.get();
        // The previous stream (another workflow id) closes as it is dropped.
        open.set_value(None);
        connected.set(false);
        if let Some(id) = id {
            let on = move |name: &str, data: serde_json::Value| {
                let heard = run
                    .try_update(|r| r.hear(name, &data))
                    .unwrap_or(Heard::Nothing);
                on_heard(heard);
            };
            let up = move |up: bool| connected.set(up);
            open.set_value(live::listen(&id, on, up));
        }
    });
    on_cleanup(move || {
        let _ = open.try_set_value(None);
    });
}

#[cfg(not(feature = "hydrate"))]
fn listen(
    _: EditorState,
    _: RwSignal<RunView>,
    _: impl Fn(Heard) + Copy + 'static,
    _: RwSignal<bool>,
) {
}
