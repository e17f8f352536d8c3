//! The workflow editor: `/workflows/new` and `/workflows/{id}`. The document and its undo
//! history live in `agente-editor` (pure Rust, in the browser's WASM); this module draws it,
//! maps keys and pointer gestures to its commands, saves with a version check, and keeps a
//! draft in the browser so a closed tab or a lost connection loses nothing.

mod browser;
mod canvas;
mod commands;
mod creator;
mod debugging;
mod details;
mod draft;
mod following;
mod geometry;
mod live;
mod run_items;
mod state;
mod sticky;
mod still;
mod toolbar;

use crate::api::{EditorDocument, workflow_document};
use agente_workflow_model::Workflow;
pub use draft::{forget_all as forget_all_drafts, open_as_new as open_as_new_draft};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
pub use live::RunView;
pub use state::EditorState;
pub use still::StillCanvas;

/// What `/workflows/new` starts from.
const NEW_WORKFLOW: &str =
    r#"{"name":"My workflow","nodes":[],"connections":{},"settings":{"executionOrder":"v1"}}"#;

#[component]
pub fn NewWorkflowPage() -> impl IntoView {
    view! { <WorkflowEditor doc=None /> }
}

#[component]
pub fn WorkflowEditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let doc = Resource::new(id, workflow_document);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match doc.await {
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                    Ok(doc) => view! { <WorkflowEditor doc=Some(doc) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn WorkflowEditor(doc: Option<EditorDocument>) -> impl IntoView {
    let text = doc.as_ref().map_or(NEW_WORKFLOW, |d| d.json.as_str());
    let workflow = match Workflow::from_json(text) {
        Ok(w) => w,
        Err(e) => return view! { <p class="alert alert-error">{format!("This workflow cannot be opened: {e}")}</p> }.into_any(),
    };
    let st = EditorState::new(
        workflow,
        doc.as_ref().map(|d| d.id.clone()),
        doc.as_ref().map(|d| d.version),
    );
    provide_context(st);
    let active = doc.as_ref().is_some_and(|d| d.active);
    view! { <toolbar::EditorShell active /> }.into_any()
}
