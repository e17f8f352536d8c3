//! The editor's frame around the canvas: name, save state and buttons, the conflict and
//! draft banners, the rename dialog, the status line screen readers hear, and the key and
//! clipboard handlers.

use super::browser;
use super::canvas::{EditorCanvas, Minimap};
use super::commands::{self, EditorUi, KeyCommand, command_for, run_key};
use super::creator::{NodeCreator, Place};
use super::debugging;
use super::details::NodeDetails;
use super::draft::{self, Draft};
use super::following::{self, Elsewhere, Saving};
use super::live::RunView;
use super::run_items::RunItems;
use super::state::{EditorState, Notice};
use crate::api::{
    ListenForTest, MeView, RunInEditor, SaveOutcome, save_workflow, workflow_document,
};
use crate::components::{ActionError, ScheduleHistory};
use agente_editor::Edge;
use agente_workflow_model::Workflow;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn EditorShell(active: bool) -> impl IntoView {
    let st = expect_context::<EditorState>();
    let selected_edge = RwSignal::new(None::<Edge>);
    let renaming = RwSignal::new(None::<String>);
    let creator = RwSignal::new(None::<Place>);
    let details = RwSignal::new(None::<String>);
    let conflict = RwSignal::new(None::<i64>);
    let user = use_context::<MeView>()
        .map(|me| me.user_id)
        .unwrap_or_default();
    let draft_key = Memo::new(move |_| draft::key(&user, st.id.get().as_deref()));
    let elsewhere = Elsewhere {
        saving: Saving::default(),
        conflict,
        reload: Callback::new(move |()| {
            reload(st, conflict, draft_key, "Saved elsewhere: loaded version")
        }),
        active: RwSignal::new(active),
    };
    let save = save_action(st, draft_key, elsewhere);
    let run_view = RwSignal::new(RunView::default());
    let run_items = RwSignal::new(None::<RunItems>);
    provide_context(run_view);
    provide_context(run_items);
    let live = following::follow(st, run_view, run_items, elsewhere);
    if let Some(execution) = use_query_map().read_untracked().get("debug") {
        debugging::debug(st, execution, run_view, run_items);
    }
    let run = ServerAction::<RunInEditor>::new();
    // The document as it is, saved or not; a step reuses the run shown.
    let start = move |destination: Option<String>| match st.id.get_untracked() {
        Some(id) => {
            browser::commit_field();
            let previous = destination.as_ref().and_then(|_| {
                run_items.with_untracked(|r| r.as_ref().map(|r| r.execution.clone()))
            });
            run.dispatch(RunInEditor {
                id,
                json: st.json(),
                destination,
                previous,
            });
        }
        None => st.say(Notice::Error(
            "Save the workflow first (Ctrl+S): a run belongs to a stored workflow".into(),
        )),
    };
    let listen = ServerAction::<ListenForTest>::new();
    let ui = EditorUi {
        save: Callback::new(move |()| {
            // A field being typed in (the name) gives its value first.
            browser::commit_field();
            save.dispatch(Based::Opened);
        }),
        run: Callback::new(move |()| start(None)),
        step: Callback::new(move |node: String| start(Some(node))),
        renaming,
        selected_edge,
        creator,
        details,
        run_items,
    };
    provide_context(ui);
    let offered = keep_drafts(st, draft_key);
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    // Keys and the clipboard work wherever the focus is on the page, as in n8n (a field
    // keeps its own keys): listened for on the window while the editor is open.
    let handles = [
        window_event_listener(leptos::ev::keydown, move |ev| on_key(st, ui, &ev)),
        window_event_listener(leptos::ev::copy, move |ev| on_copy(st, &ev, false)),
        window_event_listener(leptos::ev::cut, move |ev| on_copy(st, &ev, true)),
        window_event_listener(leptos::ev::paste, move |ev| on_paste(st, &ev)),
    ];
    on_cleanup(move || handles.into_iter().for_each(WindowListenerHandle::remove));
    view! {
        <div class="editor" data-testid="editor">
            <EditorBar active=elsewhere.active ui save listen live />
            {move || conflict.get().map(|current| view! {
                <div class="alert alert-error" role="alert" data-testid="conflict">
                    <p>{format!("Someone saved this workflow since you opened it (it is at version {current} now). Nothing of yours was lost.")}</p>
                    <button class="btn" on:click=move |_| reload(st, conflict, draft_key, "Loaded version")>"Load their version"</button>
                    <button class="btn btn-danger" on:click=move |_| { save.dispatch(Based::Seen(current)); }>"Overwrite with mine"</button>
                </div>
            })}
            <DraftOffer offered draft_key />
            <RunFeedback run listen />
            <Stage selected_edge />
            <NodeCreator open=creator details />
            <NodeDetails open=details creator renaming />
            <StatusLine />
            <RenameDialog renaming />
        </div>
        // Drawn once the page is live, not hydrated: its own data loads then (hydrating it
        // beside the editor's resource mismatched the server's HTML now and then).
        {move || mounted.get().then(|| st.id.get()).flatten().map(|id| view! { <ScheduleHistory id /> })}
    }
    .into_any()
}

/// The canvas with its zoom buttons and minimap.
#[component]
fn Stage(selected_edge: RwSignal<Option<Edge>>) -> impl IntoView {
    let st = expect_context::<EditorState>();
    view! {
        <div class="editor-stage">
            <EditorCanvas selected_edge />
            <div class="zoom-controls" role="group" aria-label="Zoom">
                <button class="btn" aria-label="Zoom in" on:click=move |_| commands::zoom(st, 1.25)>"+"</button>
                <button class="btn" aria-label="Zoom out" on:click=move |_| commands::zoom(st, 0.8)>"−"</button>
                <button class="btn" aria-label="Fit to view" on:click=move |_| st.fit()>"Fit"</button>
                <button class="btn" aria-label="Delete selection" on:click=move |_| commands::delete_selection(st, selected_edge)>"Delete"</button>
            </div>
            <Minimap />
        </div>
    }
    .into_any()
}

/// Which stored version a save replaces.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Based {
    /// The one the editor opened (or last saved): a newer one is a conflict.
    Opened,
    /// The newer one the conflict banner showed, overwritten knowingly: if someone saved
    /// yet again meanwhile, that is a conflict too.
    Seen(i64),
}

pub type SaveAction = Action<Based, Option<(u64, Result<SaveOutcome, ServerFnError>)>>;

/// Saving. One save at a time (a second Ctrl+S meanwhile is ignored); the answer says which
/// revision it stored, so edits made while it travelled stay unsaved and in the draft. A new
/// workflow's first save gives it an address; a conflict shows the banner.
fn save_action(st: EditorState, draft_key: Memo<String>, elsewhere: Elsewhere) -> SaveAction {
    let (busy, conflict) = (elsewhere.saving.busy, elsewhere.conflict);
    let save = Action::new(move |based: &Based| {
        let expected = match based {
            Based::Opened => st.version.get_untracked(),
            Based::Seen(v) => Some(*v),
        };
        let sent = st.revision_untracked();
        let (id, json) = (st.id.get_untracked(), st.json());
        let go = !busy.get_value();
        busy.set_value(true);
        async move {
            if !go {
                return None;
            }
            let outcome = save_workflow(id, json, expected).await;
            Some((sent, outcome))
        }
    });
    Effect::new(move |_| {
        let Some(done) = save.value().get() else {
            return;
        };
        let Some((sent, result)) = done else { return };
        busy.set_value(false);
        match result {
            Ok(SaveOutcome::Saved { id, version }) => {
                let was_new = st.id.get_untracked().is_none();
                draft::forget(&draft_key.get_untracked());
                st.id.set(Some(id.clone()));
                st.version.set(Some(version));
                st.saved_revision.set(sent);
                conflict.set(None);
                if was_new {
                    browser::show_url(&format!("/workflows/{id}"));
                }
                if st.dirty_untracked() {
                    // Changed while saving: the rest stays kept, now under the workflow's key.
                    draft::store(&draft_key.get_untracked(), Some(version), st.json());
                }
                st.say(Notice::Info(format!("Saved (version {version})")));
            }
            Ok(SaveOutcome::Conflict { current }) => conflict.set(Some(current)),
            Err(e) => st.say(Notice::Error(format!("Not saved: {e}"))),
        }
        // A version announced while this save travelled: someone else's, if newer.
        elsewhere.judge(st);
    });
    save
}

/// The draft follows every change; one left from before is offered when the page opens.
fn keep_drafts(st: EditorState, draft_key: Memo<String>) -> RwSignal<Option<Draft>> {
    let offered = RwSignal::new(None::<Draft>);
    Effect::new(move |first: Option<()>| {
        let rev = st.revision();
        if first.is_none() {
            if let Some(d) = draft::load(&draft_key.get_untracked()).filter(|d| d.json != st.json())
            {
                let asked = use_query_map()
                    .read_untracked()
                    .get(draft::OPEN_QUERY)
                    .is_some();
                if asked && st.id.get_untracked().is_none() {
                    restore(st, &d);
                } else {
                    offered.set(Some(d));
                }
            }
            return;
        }
        if rev != st.saved_revision.get_untracked()
            && !draft::store(
                &draft_key.get_untracked(),
                st.version.get_untracked(),
                st.json(),
            )
        {
            st.say(Notice::Error(
                "The browser refused to keep a draft: save soon".into(),
            ));
        }
    });
    offered
}

fn on_key(st: EditorState, ui: EditorUi, ev: &leptos::ev::KeyboardEvent) {
    let save = (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("s");
    if !browser::keys_for_editor(ev) || ((browser::typing(ev) || browser::in_panel(ev)) && !save) {
        return;
    }
    if ui.renaming.get_untracked().is_some() {
        return;
    }
    let Some(cmd) = command_for(
        &ev.key(),
        ev.ctrl_key() || ev.meta_key(),
        ev.shift_key(),
        ev.alt_key(),
    ) else {
        return;
    };
    // Tab opens the creator only when no control has the focus; elsewhere it moves it.
    // Enter opens a node's details only on a node (a button keeps its Enter).
    let nothing = browser::nothing_focused(ev);
    if (cmd == KeyCommand::AddNode && !nothing)
        || (cmd == KeyCommand::Open && !nothing && !browser::on_node(ev))
    {
        return;
    }
    // With the details open and the focus lost (a removed row's button), keys must not
    // act on the node being edited: only Save and Escape do.
    if nothing
        && ui.details.get_untracked().is_some()
        && !matches!(cmd, KeyCommand::Save | KeyCommand::Deselect)
    {
        return;
    }
    if ui.creator.get_untracked().is_some() && cmd != KeyCommand::Save {
        return;
    }
    ev.prevent_default();
    run_key(st, cmd, ui);
}

fn on_copy(st: EditorState, ev: &leptos::ev::ClipboardEvent, cut: bool) {
    if browser::clipboard_in_field(ev) {
        return;
    }
    let text = if cut {
        commands::cut(st)
    } else {
        commands::copy(st)
    };
    if let Some(text) = text
        && browser::put_clipboard(ev, &text)
    {
        ev.prevent_default();
    }
}

fn on_paste(st: EditorState, ev: &leptos::ev::ClipboardEvent) {
    if browser::clipboard_in_field(ev) {
        return;
    }
    if let Some(text) = browser::clipboard_text(ev) {
        ev.prevent_default();
        commands::paste(st, &text);
    }
}

#[component]
fn EditorBar(
    active: RwSignal<bool>,
    ui: EditorUi,
    save: SaveAction,
    listen: ServerAction<ListenForTest>,
    live: RwSignal<bool>,
) -> impl IntoView {
    let st = expect_context::<EditorState>();
    let name = move || st.read(|e| e.workflow().name().to_string());
    view! {
        <div class="editor-bar">
            <h1 class="sr-only">{move || format!("Workflow editor: {}", name())}</h1>
            <input class="editor-name" aria-label="Workflow name" prop:value=name maxlength="128"
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if v.trim().is_empty() {
                        st.say(Notice::Error("A workflow needs a name".into()));
                    } else {
                        st.change(|e| e.set_name(v.trim()));
                    }
                } />
            <span class="muted small" data-testid="save-state">
                {move || match (st.dirty(), st.version.get()) {
                    (true, _) => "Unsaved changes".to_string(),
                    (false, Some(v)) => format!("Saved · version {v}"),
                    (false, None) => "Not saved yet".to_string(),
                }}
                {move || active.get().then_some(" · Active")}
            </span>
            {move || st.id.get().is_some().then(|| view! {
                <span class="muted small live-state" data-testid="live-state" data-live=move || live.get().to_string()
                    title="Runs and saves made elsewhere show here as they happen">
                    {move || if live.get() { "● Live" } else { "○ Connecting…" }}
                </span>
            })}
            <div class="toolbar">
                <button class="btn btn-primary" on:click=move |_| ui.save.run(()) disabled=move || save.pending().get()
                    aria-keyshortcuts="Control+S">"Save"</button>
                <button class="btn" on:click=move |_| commands::undo(st) disabled=move || !st.read(|e| e.can_undo()) aria-keyshortcuts="Control+Z">"Undo"</button>
                <button class="btn" on:click=move |_| commands::redo(st) disabled=move || !st.read(|e| e.can_redo()) aria-keyshortcuts="Control+Shift+Z">"Redo"</button>
                <button class="btn" on:click=move |_| ui.creator.set(Some(Place::Free)) aria-keyshortcuts="Tab" data-testid="add-node">"Add node"</button>
                <button class="btn" on:click=move |_| commands::tidy_up(st) aria-keyshortcuts="Shift+Alt+T">"Tidy up"</button>
                <button class="btn" on:click=move |_| ui.run.run(()) aria-keyshortcuts="Control+Enter">"Run now"</button>
                {move || st.id.get().map(|id| {
                    let lid = id.clone();
                    view! {
                        <button class="btn" data-testid="listen" on:click=move |_| { listen.dispatch(ListenForTest { id: lid.clone() }); }>"Listen for test call"</button>
                        <A href=format!("/executions?workflow={id}") attr:class="btn">"Executions"</A>
                        <A href=format!("/workflows/{id}/history") attr:class="btn">"History"</A>
                    }
                })}
            </div>
        </div>
    }
    .into_any()
}

/// Puts a kept draft in the editor.
fn restore(st: EditorState, d: &Draft) {
    match Workflow::from_json(&d.json) {
        Ok(w) => {
            st.replace(w);
            // Saved against the version it was made on: a newer one is a conflict.
            st.version.set(d.base.or(st.version.get_untracked()));
            st.say(Notice::Info("Draft restored: save to keep it".into()));
        }
        Err(e) => st.say(Notice::Error(format!("The draft cannot be read: {e}"))),
    }
}

#[component]
fn DraftOffer(offered: RwSignal<Option<Draft>>, draft_key: Memo<String>) -> impl IntoView {
    let st = expect_context::<EditorState>();
    move || {
        offered.get().map(|d| {
            view! {
                <div class="alert" role="alert" data-testid="draft">
                    <p>"Unsaved changes to this workflow were kept in this browser."</p>
                    <button class="btn btn-primary" on:click=move |_| {
                        restore(st, &d);
                        offered.set(None);
                    }>"Restore them"</button>
                    <button class="btn" on:click=move |_| { draft::forget(&draft_key.get_untracked()); offered.set(None); }>"Discard"</button>
                </div>
            }
        })
    }
}

#[component]
fn RunFeedback(
    run: ServerAction<RunInEditor>,
    listen: ServerAction<ListenForTest>,
) -> impl IntoView {
    view! {
        <ActionError value=run.value() />
        <ActionError value=listen.value() />
        {move || listen.value().get().and_then(|r| r.ok()).map(|routes| view! {
            <div class="alert alert-ok" data-testid="listening">
                <p>"Listening for one call for two minutes on:"</p>
                <ul>{routes.into_iter().map(|r| view! { <li><code>{r}</code></li> }).collect_view()}</ul>
                <p class="muted small">"Then open Executions to see what ran."</p>
            </div>
        })}
        {move || run.value().get().and_then(|r| r.ok()).map(|exec| view! {
            <p class="alert alert-ok">"Finished: " <A href=format!("/executions/{exec}")>"see the execution"</A></p>
        })}
    }
    .into_any()
}

/// What happened last and what is selected, read out by screen readers.
#[component]
fn StatusLine() -> impl IntoView {
    let st = expect_context::<EditorState>();
    let selection = move || match st.selection.with(Vec::len) {
        0 => String::new(),
        1 => format!("{} selected", st.selection.with(|s| s[0].clone())),
        n => format!("{n} nodes selected"),
    };
    view! {
        <p class="editor-status" role="status" aria-live="polite" data-testid="editor-status">
            {move || match st.notice.get() {
                Some(Notice::Error(m)) => view! { <span class="status-error">{m}</span> }.into_any(),
                Some(Notice::Info(m)) => view! { <span>{m}</span> }.into_any(),
                None => ().into_any(),
            }}
            " "
            <span>{selection}</span>
        </p>
    }
    .into_any()
}

/// Drops this browser's version for the stored one (after a conflict).
fn reload(
    st: EditorState,
    conflict: RwSignal<Option<i64>>,
    draft_key: Memo<String>,
    told: &'static str,
) {
    let Some(id) = st.id.get_untracked() else {
        return;
    };
    // The user chose theirs: what this browser kept is not offered again.
    draft::forget(&draft_key.get_untracked());
    leptos::task::spawn_local(async move {
        match workflow_document(id).await {
            Ok(doc) => match Workflow::from_json(&doc.json) {
                Ok(w) => {
                    st.replace(w);
                    st.version.set(Some(doc.version));
                    st.mark_saved();
                    conflict.set(None);
                    st.say(Notice::Info(format!("{told} {}", doc.version)));
                }
                Err(e) => st.say(Notice::Error(e.to_string())),
            },
            Err(e) => st.say(Notice::Error(e.to_string())),
        }
    });
}

#[component]
fn RenameDialog(renaming: RwSignal<Option<String>>) -> impl IntoView {
    let st = expect_context::<EditorState>();
    let ui = expect_context::<EditorUi>();
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if renaming.get().is_some()
            && let Some(el) = input.get()
        {
            let _ = el.focus();
            el.select();
        }
    });
    move || {
        renaming.get().map(|old| {
            let value = RwSignal::new(old.clone());
            let close = move || {
                renaming.set(None);
                browser::focus_node(&value.get_untracked());
            };
            let o2 = old.clone();
            let label = format!("Rename {old}");
            view! {
                <div class="dialog-backdrop">
                    <form class="dialog card" role="dialog" aria-modal="true" aria-label=label
                        on:submit=move |ev| {
                            ev.prevent_default();
                            let new = value.get_untracked();
                            if new != o2 {
                                if let Err(e) = st.change(|ed| ed.rename_node(&o2, &new)) {
                                    st.say(Notice::Error(e.to_string()));
                                    return;
                                }
                                st.select_only(vec![new.clone()]);
                                // The details of the renamed node stay open under its new name.
                                if ui.details.get_untracked().as_deref() == Some(o2.as_str()) {
                                    ui.details.set(Some(new.clone()));
                                }
                            }
                            close();
                        }
                        on:keydown=move |ev| if ev.key() == "Escape" { ev.prevent_default(); value.set(old.clone()); close(); }>
                        <label>"Node name"
                            <input node_ref=input type="text" required maxlength="128" prop:value=move || value.get()
                                on:input=move |ev| value.set(event_target_value(&ev)) />
                        </label>
                        <div class="toolbar">
                            <button type="submit" class="btn btn-primary">"Rename"</button>
                            <button type="button" class="btn" on:click=move |_| close()>"Cancel"</button>
                        </div>
                    </form>
                </div>
            }
        })
    }
}
