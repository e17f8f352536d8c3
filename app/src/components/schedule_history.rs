//! The latest firings of a workflow's schedule triggers (shown under the editor).

use super::format_ms;
use crate::api::schedule_history;
use leptos::prelude::*;

/// The latest firings of a workflow's schedule triggers.
#[component]
pub fn ScheduleHistory(id: String) -> impl IntoView {
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
