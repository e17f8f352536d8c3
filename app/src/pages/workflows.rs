//! Workflows: the assistant (describe → preview → import), the list (search, activate,
//! import, export, duplicate, delete) and a read-only canvas of one workflow.

use super::assistant::Assistant;
use crate::api::{
    DeleteWorkflow, DuplicateWorkflow, ImportWorkflows, ListenForTest, RunWorkflow, SetActive,
    get_workflow, list_workflows, schedule_history,
};
use crate::components::{ActionError, Canvas, format_ms};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

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

/// The latest firings of a workflow's schedule triggers.
#[component]
fn ScheduleHistory(id: String) -> impl IntoView {
    let firings = Resource::new(move || id.clone(), schedule_history);
    view! {
        <section class="card" data-testid="schedule-history">
            <h2>"Schedule"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match firings.await {
                        Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No firings yet (only an active workflow fires)."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="table">
                                <thead><tr><th>"Due"</th><th>"Started"</th><th>"Finished"</th><th>"State"</th><th>"Tries"</th><th>"Error"</th></tr></thead>
                                <tbody>{list.into_iter().map(|f| view! {
                                    <tr>
                                        <td>{format_ms(f.enqueued_at)}</td>
                                        <td>{f.started_at.map(format_ms).unwrap_or_default()}</td>
                                        <td>{f.finished_at.map(format_ms).unwrap_or_default()}</td>
                                        <td><span class=format!("status status-{}", f.state)>{f.state.clone()}</span></td>
                                        <td>{f.attempts}</td>
                                        <td>{f.error.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn WorkflowDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let workflow = Resource::new(id, get_workflow);
    let run = ServerAction::<RunWorkflow>::new();
    let listen = ServerAction::<ListenForTest>::new();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match workflow.await {
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                    Ok(w) => {
                        let wid = w.id.clone();
                        let lid = w.id.clone();
                        let has_webhook = w.nodes.iter().any(|n| n.kind == "webhook" && !n.disabled);
                        let has_schedule = w.nodes.iter().any(|n| matches!(n.kind.as_str(), "scheduleTrigger" | "cron"));
                        let sid = w.id.clone();
                        view! {
                            <h1>{w.name.clone()}</h1>
                            <p class="muted">{if w.active { "Active" } else { "Inactive" }} " · " {w.nodes.len()} " nodes"</p>
                            <div class="toolbar">
                                <button class="btn btn-primary" on:click=move |_| { run.dispatch(RunWorkflow { id: wid.clone() }); }>"Run now"</button>
                                {has_webhook.then(|| view! {
                                    <button class="btn" data-testid="listen" on:click=move |_| { listen.dispatch(ListenForTest { id: lid.clone() }); }>"Listen for test call"</button>
                                })}
                                <a class="btn" href=format!("/executions?workflow={}", w.id)>"Executions"</a>
                            </div>
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
                            <section class="card canvas-card"><Canvas nodes=w.nodes edges=w.edges /></section>
                            {has_schedule.then(|| view! { <ScheduleHistory id=sid /> })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
