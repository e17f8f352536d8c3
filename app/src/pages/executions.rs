//! Executions: the list, one execution drawn on its workflow's canvas with its node-by-node
//! data, and explaining a failure.

use crate::api::{
    ApplyFix, ExecutionView, ExplainExecution, StopExecution, get_execution, list_executions,
};

use crate::components::{ActionError, format_ms};
use crate::editor::{RunView, StillCanvas};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ExecutionsPage() -> impl IntoView {
    let query = use_query_map();
    let workflow = move || query.read().get("workflow").unwrap_or_default();
    let executions = Resource::new(workflow, list_executions);
    view! {
        <h1>"Executions"</h1>
        <section class="card">
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match executions.await {
                        Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No executions yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="table" data-testid="executions">
                                <thead><tr><th>"Started"</th><th>"Status"</th><th>"Mode"</th><th>"Duration"</th><th>"Workflow"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|e| view! {
                                        <tr>
                                            <td><A href=format!("/executions/{}", e.id)>{format_ms(e.started_at)}</A></td>
                                            <td><span class=format!("status status-{}", e.status)>{e.status.clone()}</span></td>
                                            <td>{e.mode}</td>
                                            <td>{e.duration_ms.map(|d| format!("{d} ms")).unwrap_or_default()}</td>
                                            <td><A href=format!("/workflows/{}", e.workflow_id)>"open"</A></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn ExecutionDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let stop = ServerAction::<StopExecution>::new();
    let execution = Resource::new(
        move || (id(), stop.version().get()),
        |(id, _)| get_execution(id),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match execution.await {
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                    Ok(x) => { let drawn = drawn(&x); view! {
                        <h1>"Execution"</h1>
                        <p>
                            <span class=format!("status status-{}", x.row.status)>{x.row.status.clone()}</span>
                            " · " {x.row.mode.clone()} " · " {format_ms(x.row.started_at)}
                            " · " {x.row.duration_ms.map(|d| format!("{d} ms")).unwrap_or_default()}
                        </p>
                        {(x.row.status == "waiting").then(|| view! {
                            <p class="muted" data-testid="waiting">{match x.row.wait_till {
                                Some(at) => format!("Waiting at a Wait node until {}", format_ms(at)),
                                None => "Waiting at a Wait node for a call to its webhook".to_string(),
                            }}</p>
                        })}
                        {(x.row.status == "running" || x.row.status == "waiting").then(|| { let sid = x.row.id.clone(); view! {
                            <button class="btn btn-danger" data-testid="stop" on:click=move |_| { stop.dispatch(StopExecution { id: sid.clone() }); }>"Stop"</button>
                        }})}
                        <ActionError value=stop.value() />
                        {x.row.error.clone().map(|e| view! { <p class="alert alert-error" data-testid="execution-error">{e}</p> })}
                        {drawn}
                        {(x.row.status == "error").then(|| view! { <Explain id=x.row.id.clone() /> }.into_any())}
                        <div data-testid="node-runs">
                            {x.nodes.into_iter().map(|n| { let failed = n.error.is_some(); view! {
                                <details class="card node-run" open=failed>
                                    <summary>
                                        <strong>{n.node}</strong>
                                        " · " {n.items} " item(s) · " {n.execution_time} " ms"
                                        {n.error.clone().map(|_| view! { <span class="status status-error">"error"</span> })}
                                    </summary>
                                    {n.error.map(|e| view! { <p class="alert alert-error">{e}</p> })}
                                    {(!n.logs.is_empty()).then(|| view! { <pre class="logs">{n.logs.join("\n")}</pre> })}
                                    {n.outputs.into_iter().enumerate().map(|(i, json)| view! {
                                        <p class="muted small">"Output " {i}</p>
                                        <pre class="json">{json}</pre>
                                    }).collect_view()}
                                </details>
                            }}).collect_view()}
                        </div>
                    }.into_any() }
                }
            })}
        </Transition>
    }
}

/// The run on the workflow's canvas, and "Debug in editor": the workflow opened with this
/// run shown and its trigger's items pinned, to run again from there.
fn drawn(x: &ExecutionView) -> Option<AnyView> {
    let workflow = agente_workflow_model::Workflow::from_json(x.workflow.as_deref()?).ok()?;
    let run = RunView::of_execution(x);
    let debug = format!("/workflows/{}?debug={}", x.row.workflow_id, x.row.id);
    Some(
        view! {
            <section class="card canvas-card" data-testid="execution-canvas">
                <StillCanvas workflow run />
                <p><a href=debug class="btn">"Debug in editor"</a></p>
            </section>
        }
        .into_any(),
    )
}

/// "Explain": why the execution failed, steps to fix it, and a fix to apply when there is one.
#[component]
fn Explain(id: String) -> impl IntoView {
    let explain = ServerAction::<ExplainExecution>::new();
    let apply = ServerAction::<ApplyFix>::new();
    // Type-erased: the page's view type is otherwise too deep for the compiler.
    view! {
        <section class="card" data-testid="explain">
            <button class="btn" disabled=move || explain.pending().get() on:click=move |_| {
                explain.dispatch(ExplainExecution { id: id.clone() });
            }>{move || if explain.pending().get() { "Thinking…" } else { "Explain this error" }}</button>
            <ActionError value=explain.value() />
            {move || explain.value().get().and_then(Result::ok).map(|e| {
                let by = if e.provider == "offline" { "offline rules".to_string() } else { e.provider.clone() };
                let fix = e.patch.clone().map(|patch| {
                    let (workflow_id, node, body) = (e.workflow_id.clone(), e.node.clone(), patch.clone());
                    view! {
                        <p class="muted small">{format!("Proposed change to “{}”:", e.node)}</p>
                        <pre class="json">{patch}</pre>
                        <button class="btn btn-primary" on:click=move |_| {
                            apply.dispatch(ApplyFix { workflow_id: workflow_id.clone(), node: node.clone(), patch: body.clone() });
                        }>"Apply this fix"</button>
                        <ActionError value=apply.value() />
                        {move || apply.value().get().and_then(Result::ok).map(|()| view! {
                            <p class="alert alert-ok" data-testid="fix-applied">"Applied: the workflow is updated."</p>
                        })}
                    }
                });
                view! {
                    <div data-testid="explanation">
                        <p><strong>{e.cause}</strong></p>
                        <ol>{e.steps.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ol>
                        {fix}
                        <p class="muted small">{format!("Explained by {by}.")}</p>
                    </div>
                }
            })}
        </section>
    }
    .into_any()
}
