//! The assistant panel on the Workflows page: describe a workflow, watch the model write it,
//! see it drawn, open it in the editor or import it.

use crate::api::{GeneratedWorkflow, ImportWorkflows, MeView};
use crate::editor::StillCanvas;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

/// What the panel shows while and after a generation runs.
#[derive(Clone, Debug, Default, PartialEq)]
struct Progress {
    /// "Asking openai…", "The offline planner is writing it…"
    status: String,
    /// The model's answer so far.
    text: String,
    result: Option<GeneratedWorkflow>,
    error: Option<String>,
    busy: bool,
}

#[component]
pub fn Assistant(import: ServerAction<ImportWorkflows>) -> impl IntoView {
    let progress = RwSignal::new(Progress::default());
    let user = use_context::<MeView>()
        .map(|me| me.user_id)
        .unwrap_or_default();
    let navigate = use_navigate();
    let description = NodeRef::<leptos::html::Textarea>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(text) = description.get().map(|t| t.value()) else {
            return;
        };
        start(progress, text);
    };
    view! {
        <section class="card" data-testid="assistant">
            <h2>"Describe a workflow"</h2>
            <form class="form" on:submit=submit>
                <label>"What should it do?"
                    <textarea node_ref=description name="description" rows="3" required maxlength="2000"
                        placeholder="Every Monday at 9, fetch https://… and post the result to #sales"></textarea>
                </label>
                <button type="submit" class="btn btn-primary" disabled=move || progress.with(|p| p.busy)>
                    {move || if progress.with(|p| p.busy) { "Writing…" } else { "Generate" }}
                </button>
            </form>
            {move || progress.with(|p| p.error.clone()).map(|e| view! { <p class="alert alert-error">{e}</p> })}
            {move || progress.with(|p| p.busy).then(|| view! {
                <div class="writing" data-testid="writing">
                    <p class="muted small">{move || progress.with(|p| p.status.clone())}</p>
                    <pre class="json live" data-testid="model-answer">{move || progress.with(|p| p.text.clone())}</pre>
                </div>
            })}
            {move || progress.with(|p| p.result.clone()).map(|g| {
                let json = g.json.clone();
                // What cannot be read cannot be drawn or opened; the import says why.
                let parsed = agente_workflow_model::Workflow::from_json(&g.json).ok();
                let openable = parsed.is_some();
                let by = if g.provider == "offline" {
                    "Written by the offline planner".to_string()
                } else {
                    format!("Written by {} ({} tokens)", g.provider, g.tokens)
                };
                view! {
                    <div class="preview" data-testid="generated">
                        <h3>{g.name.clone()}</h3>
                        <p class="muted small">{by}</p>
                        {g.notices.into_iter().map(|n| view! { <p class="alert">{n}</p> }).collect_view()}
                        {parsed.map(|workflow| view! { <StillCanvas workflow /> })}
                        <div class="row">
                            {openable.then(|| {
                                let (json, user, navigate) = (json.clone(), user.clone(), navigate.clone());
                                view! {
                                    <button class="btn btn-primary" on:click=move |_| open_in_editor(progress, &user, json.clone(), &navigate)>
                                        "Open in editor"
                                    </button>
                                }
                            })}
                            <button class="btn" on:click=move |_| {
                                import.dispatch(ImportWorkflows { json: json.clone() });
                            }>"Import as is"</button>
                        </div>
                    </div>
                }
            })}
        </section>
    }
}

/// Opens the generated workflow in a new editor, unsaved (kept as the member's draft of a
/// new workflow until saved).
fn open_in_editor(
    progress: RwSignal<Progress>,
    user: &str,
    json: String,
    navigate: &impl Fn(&str, NavigateOptions),
) {
    match crate::editor::open_as_new_draft(user, json) {
        Some(to) => navigate(&to, NavigateOptions::default()),
        None => progress.update(|p| {
            p.error = Some("The browser refused to keep the workflow: import it instead".into());
        }),
    }
}

/// Runs the generation in the browser, streaming (hydrated builds).
#[cfg(feature = "hydrate")]
fn start(progress: RwSignal<Progress>, description: String) {
    use crate::generation_stream::{Step, generate};
    progress.set(Progress {
        busy: true,
        status: "Starting…".into(),
        ..Progress::default()
    });
    leptos::task::spawn_local(async move {
        let outcome = generate(&description, |step| match step {
            Step::Attempt { provider, repair } => progress.update(|p| {
                p.text.clear();
                p.status = match (provider.as_str(), repair) {
                    ("offline", _) => "The offline planner is writing it…".into(),
                    (provider, 0) => format!("Asking {provider}…"),
                    (provider, n) => format!("{provider} is correcting its answer ({n})…"),
                };
            }),
            Step::Delta(text) => progress.update(|p| p.text.push_str(&text)),
            Step::Result(body) => {
                let result = GeneratedWorkflow::try_from(body);
                progress.update(|p| match result {
                    Ok(g) => p.result = Some(g),
                    Err(e) => p.error = Some(e),
                });
            }
        })
        .await;
        progress.update(|p| {
            p.busy = false;
            if let Err(e) = outcome {
                p.error = Some(e);
            }
        });
    });
}

/// Before hydration nothing runs: the form needs the browser.
#[cfg(not(feature = "hydrate"))]
fn start(_: RwSignal<Progress>, _: String) {}
