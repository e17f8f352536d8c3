//! The signed-in frame: header, navigation, and the pages that are not settings.

use crate::api::{Logout, MeView, get_me};
use crate::components::hard_navigate;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};

const NAV: [(&str, &str, &str); 6] = [
    ("/", "Dashboard", "▦"),
    ("/workflows", "Workflows", "⇄"),
    ("/executions", "Executions", "▶"),
    ("/templates", "Templates", "❖"),
    ("/billing", "Billing", "€"),
    ("/settings", "Settings", "⚙"),
];

/// Loads the member; sends anonymous visitors to the log-in page.
#[component]
pub fn AppShell() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Suspense fallback=|| view! { <div class="loading">"Loading…"</div> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! { <Frame me /> }.into_any(),
                    Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Frame(me: MeView) -> impl IntoView {
    provide_context(me.clone());
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            // What one person left unsaved is not for the next one on this browser.
            crate::editor::forget_all_drafts();
            hard_navigate("/login");
        }
    });
    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="/">
                    <span class="brand-mark">"A"</span>
                    <span class="brand-name">"Agente"</span>
                </a>
                <span class="tenant" title="Organisation">{me.tenant_name.clone()}</span>
                <span class="spacer"></span>
                <span class="who" data-testid="current-user">{me.email.clone()}</span>
                <ActionForm action=logout>
                    <button type="submit" class="btn btn-ghost" data-testid="logout">"Log out"</button>
                </ActionForm>
            </header>
            <nav class="sidenav" aria-label="Main">
                {NAV
                    .into_iter()
                    .map(|(href, label, icon)| {
                        view! {
                            <A href=href attr:class="navlink" exact=href == "/">
                                <span class="icon" aria-hidden="true">{icon}</span>
                                <span class="label">{label}</span>
                            </A>
                        }
                    })
                    .collect_view()}
            </nav>
            <main class="content">
                <Outlet />
            </main>
        </div>
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <h1>"Dashboard"</h1>
        <Suspense>
            {move || Suspend::new(async move {
                me.await.ok().flatten().map(|me| view! {
                    <p class="lead">"Welcome, " {me.email} "."</p>
                    <div class="cards">
                        <div class="card">
                            <h2>"Your workspace"</h2>
                            <p>{me.tenant_name}</p>
                            <p class="muted">"Your role: " {me.role}</p>
                        </div>
                        <div class="card">
                            <h2>"Security"</h2>
                            <p>{if me.mfa_enabled { "Two-factor authentication is on." } else { "Two-factor authentication is off." }}</p>
                            <a href="/settings/security">"Manage"</a>
                        </div>
                        <div class="card">
                            <h2>"Team"</h2>
                            <p>"Invite colleagues and manage roles."</p>
                            <a href="/settings/members">"Members"</a>
                        </div>
                    </div>
                })
            })}
        </Suspense>
    }
}

/// A section whose feature has not landed yet.
#[component]
pub fn ComingSoon(title: &'static str) -> impl IntoView {
    view! {
        <h1>{title}</h1>
        <div class="card empty">
            <p>{title} " are coming soon."</p>
        </div>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="auth-page">
            <div class="auth-card">
                <h1>"Page not found"</h1>
                <a href="/">"Go to the dashboard"</a>
            </div>
        </main>
    }
}
