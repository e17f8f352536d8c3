//! A workflow's version history: `/workflows/{id}/history` lists every kept save (who, when,
//! how many nodes) and compares two; `/workflows/{id}/versions/{n}` shows one on the canvas
//! with what changed since, and restores it as a new version.

use crate::api::{
    Changes, RestoreVersion, VersionRow, compare_versions, workflow_version, workflow_versions,
};
use crate::components::{ActionError, format_ms};
use crate::editor::StillCanvas;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

fn param(name: &'static str) -> impl Fn() -> String + Copy {
    let params = use_params_map();
    move || params.read().get(name).unwrap_or_default()
}

#[component]
pub fn WorkflowHistoryPage() -> impl IntoView {
    let id = param("id");
    let versions = Resource::new(id, workflow_versions);
    view! {
        <h1>"Version history"</h1>
        <p><A href=move || format!("/workflows/{}", id())>"← Back to the editor"</A></p>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match versions.await {
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                    Ok(rows) => view! { <VersionTable id=id() rows /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn VersionTable(id: String, rows: Vec<VersionRow>) -> impl IntoView {
    let newest = rows.first().map_or(1, |r| r.version);
    let oldest = rows.last().map_or(1, |r| r.version);
    let choices: Vec<i64> = rows.iter().map(|r| r.version).collect();
    let table = rows
        .into_iter()
        .map(|r| {
            let href = format!("/workflows/{id}/versions/{}", r.version);
            view! {
                <tr>
                    <td><A href=href>{format!("Version {}", r.version)}</A>{(r.version == newest).then_some(" (current)")}</td>
                    <td>{r.name}</td>
                    <td>{r.saved_by}</td>
                    <td>{format_ms(r.saved_at)}</td>
                    <td>{r.node_count}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <div class="table-wrap">
                <table class="table" data-testid="versions">
                    <thead><tr><th>"Version"</th><th>"Name"</th><th>"Saved by"</th><th>"When (UTC)"</th><th>"Nodes"</th></tr></thead>
                    <tbody>{table}</tbody>
                </table>
            </div>
        </section>
        <Compare id from=newest.saturating_sub(1).max(oldest) to=newest choices />
    }
    .into_any()
}

/// Two versions picked from the list, and what changed from the first to the second.
#[component]
fn Compare(id: String, from: i64, to: i64, choices: Vec<i64>) -> impl IntoView {
    let (from, to) = (RwSignal::new(from), RwSignal::new(to));
    let options = move |chosen: RwSignal<i64>| {
        choices
            .iter()
            .map(|&v| view! { <option value=v.to_string() prop:selected=move || chosen.get() == v>{format!("Version {v}")}</option> })
            .collect_view()
    };
    view! {
        <section class="card">
            <h2>"Compare"</h2>
            <div class="input-row">
                <label>"From " <select aria-label="From version" on:change=move |ev| from.set(event_target_value(&ev).parse().unwrap_or(1))>{options(from)}</select></label>
                <label>"To " <select aria-label="To version" on:change=move |ev| to.set(event_target_value(&ev).parse().unwrap_or(1))>{options(to)}</select></label>
            </div>
            <ChangesBetween id from=from.into() to=to.into() />
        </section>
    }
    .into_any()
}

/// What changed from version `from` to version `to`, asked of the server as they change.
#[component]
fn ChangesBetween(id: String, from: Signal<i64>, to: Signal<i64>) -> impl IntoView {
    let changes = Resource::new(
        move || (id.clone(), from.get(), to.get()),
        |(id, from, to)| compare_versions(id, from, to),
    );
    view! {
        <Transition fallback=|| view! { <p>"Comparing…"</p> }>
            {move || Suspend::new(async move {
                match changes.await {
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                    Ok(c) => view! { <ChangeList changes=c /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ChangeList(changes: Changes) -> impl IntoView {
    if changes.is_empty() {
        return view! { <p data-testid="changes">"No changes."</p> }.into_any();
    }
    let line = |label: &'static str, names: Vec<String>| {
        (!names.is_empty())
            .then(|| view! { <li><strong>{label}</strong> " " {names.join(", ")}</li> })
    };
    let renamed = changes
        .renamed
        .iter()
        .map(|r| format!("{} → {}", r.from, r.to))
        .collect();
    view! {
        <ul data-testid="changes">
            {line("Added:", changes.added)}
            {line("Removed:", changes.removed)}
            {line("Renamed:", renamed)}
            {line("Changed:", changes.changed)}
            {line("Moved:", changes.moved)}
            {changes.connections_changed.then(|| view! { <li>"Connections changed"</li> })}
            {changes.settings_changed.then(|| view! { <li>"Settings changed"</li> })}
            {changes.name_changed.then(|| view! { <li>"Name changed"</li> })}
        </ul>
    }
    .into_any()
}

#[component]
pub fn WorkflowVersionPage() -> impl IntoView {
    let (id, version) = (param("id"), param("version"));
    let shown = Resource::new(
        move || (id(), version().parse::<i64>().unwrap_or(0)),
        |(id, v)| workflow_version(id, v),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match shown.await {
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                    Ok(v) => view! { <VersionDetail id=id() shown=v /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn VersionDetail(id: String, shown: crate::api::VersionView) -> impl IntoView {
    let row = shown.row.clone();
    let drawn = agente_workflow_model::Workflow::from_json(&shown.json).ok();
    let restore = ServerAction::<RestoreVersion>::new();
    let (rid, v, latest) = (id.clone(), row.version, shown.latest);
    let back = format!("/workflows/{rid}");
    let history = format!("/workflows/{rid}/history");
    view! {
        <h1>{format!("{} — version {}", row.name, row.version)}</h1>
        <p class="muted">{format!("Saved by {} on {} (UTC) · {} nodes", row.saved_by, format_ms(row.saved_at), row.node_count)}</p>
        <p><A href=history>"← All versions"</A> " · " <A href=back.clone()>"Open the editor"</A></p>
        <section class="card">
            {drawn.map(|workflow| view! { <StillCanvas workflow /> })}
        </section>
        <section class="card">
            <h2>{format!("Changed since, up to the current version ({latest})")}</h2>
            <ChangesBetween id from=Signal::stored(v) to=Signal::stored(latest) />
            {(v != latest).then(|| view! {
                <button class="btn btn-primary" disabled=move || restore.pending().get()
                    on:click=move |_| { restore.dispatch(RestoreVersion { id: rid.clone(), version: v, latest }); }>
                    "Restore this version"
                </button>
            })}
            <ActionError value=restore.value() />
            {move || restore.value().get().and_then(|r| r.ok()).map(|saved| view! {
                <p class="alert alert-ok" role="status" data-testid="restored">
                    {format!("Restored as version {saved}. ")} <A href=back.clone()>"Open it in the editor"</A>
                </p>
            })}
        </section>
    }
    .into_any()
}
