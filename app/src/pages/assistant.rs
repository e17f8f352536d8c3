//! The assistant panel on the Workflows page: describe a workflow, see it drawn, import it.

use super::workflows::Canvas;
use crate::api::{GenerateWorkflow, ImportWorkflows};
use crate::components::ActionError;
use leptos::prelude::*;

#[component]
pub fn Assistant(import: ServerAction<ImportWorkflows>) -> impl IntoView {
    let generate = ServerAction::<GenerateWorkflow>::new();
    view! {
        <section class="card" data-testid="assistant">
            <h2>"Describe a workflow"</h2>
            <ActionForm action=generate attr:class="form">
                <label>"What should it do?"
                    <textarea name="description" rows="3" required maxlength="2000"
                        placeholder="Every Monday at 9, fetch https://… and post the result to #sales"></textarea>
                </label>
                <button type="submit" class="btn btn-primary" disabled=move || generate.pending().get()>
                    {move || if generate.pending().get() { "Writing…" } else { "Generate" }}
                </button>
            </ActionForm>
            <ActionError value=generate.value() />
            {move || generate.value().get().and_then(Result::ok).map(|g| {
                let json = g.json.clone();
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
                        <Canvas nodes=g.nodes edges=g.edges />
                        <button class="btn btn-primary" on:click=move |_| {
                            import.dispatch(ImportWorkflows { json: json.clone() });
                        }>"Import this workflow"</button>
                    </div>
                }
            })}
        </section>
    }
}
