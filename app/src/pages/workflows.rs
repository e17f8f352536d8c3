//! Workflows: the assistant (describe → preview → import), the list (search, activate,
//! import, export, duplicate, delete).

use super::assistant::Assistant;
use crate::api::{DeleteWorkflow, DuplicateWorkflow, ImportWorkflows, SetActive, list_workflows};
use crate::components::{ActionError, format_ms};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn WorkflowsPage() -> impl IntoView {
    let (search, set_search) = signal(String::new());
    let import = ServerAction::<ImportWorkflows>::new();
    let toggle = ServerAction::<SetActive>::new();
    let duplicate = ServerAction::<DuplicateWorkflow>::new();
    let delete = ServerAction::<DeleteWorkflow>::new();
    let workflows = Resource::new(
        move || {
            (
                search.get(),
                import.version().get(),
                toggle.version().get(),
                duplicate.version().get(),
                delete.version().get(),
            )
        },
        |(s, ..)| list_workflows(s),
    );
    view! {
        <h1>"Workflows"</h1>
        <div class="toolbar"><A href="/workflows/new" attr:class="btn btn-primary">"New workflow"</A></div>
        <section class="card">
            <input
                type="search"
                placeholder="Search workflows"
                aria-label="Search workflows"
                on:input=move |ev| set_search.set(event_target_value(&ev))
            />
        </section>
        <Assistant import />
        <ActionError value=toggle.value() />
        <ActionError value=delete.value() />
        <section class="card">
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match workflows.await {
                        Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No workflows yet. Import one below."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="table" data-testid="workflows">
                                <thead><tr><th>"Name"</th><th>"Active"</th><th>"Nodes"</th><th>"Updated"</th><th></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|w| {
                                        let (id_t, id_d, id_x) = (w.id.clone(), w.id.clone(), w.id.clone());
                                        let active = w.active;
                                        view! {
                                            <tr>
                                                <td>
                                                    <A href=format!("/workflows/{}", w.id)>{w.name}</A>
                                                    {w.tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}
                                                </td>
                                                <td>
                                                    <label class="switch">
                                                        <input type="checkbox" aria-label="Active" prop:checked=active on:change=move |_| {
                                                            toggle.dispatch(SetActive { id: id_t.clone(), active: !active });
                                                        } />
                                                        <span>{if active { "on" } else { "off" }}</span>
                                                    </label>
                                                </td>
                                                <td>{w.nodes}</td>
                                                <td>{format_ms(w.updated_at)}</td>
                                                <td class="actions">
                                                    <a href=format!("/api/v1/workflows/{}", w.id) download=format!("{}.json", w.id)>"Export"</a>
                                                    <button class="btn btn-ghost" on:click=move |_| { duplicate.dispatch(DuplicateWorkflow { id: id_d.clone() }); }>"Duplicate"</button>
                                                    <button class="btn btn-ghost btn-danger" on:click=move |_| { delete.dispatch(DeleteWorkflow { id: id_x.clone() }); }>"Delete"</button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <section class="card">
            <h2>"Import from n8n"</h2>
            <ActionForm action=import attr:class="form">
                <label>"Workflow JSON (one workflow or an array)"
                    <textarea name="json" rows="6" required placeholder="{\"name\": …, \"nodes\": […], \"connections\": {…}}"></textarea>
                </label>
                <button type="submit" class="btn btn-primary">"Import"</button>
            </ActionForm>
            <ActionError value=import.value() />
            {move || import.value().get().and_then(|r| r.ok()).map(|n| view! { <p class="alert alert-ok" data-testid="imported">{format!("Imported {n} workflow(s).")}</p> })}
        </section>
    }
}
