use crate::editor::{NewWorkflowPage, WorkflowEditorPage};
use crate::pages::{
    AcceptInvitePage, AiSettingsPage, ApiKeysPage, AppShell, BillingPage, ComingSoon,
    DashboardPage, ExecutionDetailPage, ExecutionsPage, LoginPage, MembersPage, NotFound,
    NotificationsPage, PlansPage, SecurityPage, SettingsLayout, SignupPage, WorkflowHistoryPage,
    WorkflowVersionPage, WorkflowsPage,
};
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Link, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_security_headers();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#4f46e5" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" href="/icons/icon-192.png" type="image/png" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <script src="/pwa.js" defer></script>
                <script src="/push.js" defer></script>
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Routes and page chrome shared by server and browser.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Browser tests wait for this marker instead of sleeping: clicks before hydration are lost.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Title text="Agente" />
        <Meta name="description" content="Build, run and monitor automation workflows." />
        <Link rel="preload" href="/icons/icon-192.png" as_="image" />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/signup") view=SignupPage />
                <Route path=path!("/invite/:token") view=AcceptInvitePage />
                <ParentRoute path=path!("") view=AppShell ssr=SsrMode::Async>
                    <Route path=path!("") view=DashboardPage />
                    <Route path=path!("/workflows") view=WorkflowsPage />
                    <Route path=path!("/workflows/new") view=NewWorkflowPage />
                    <Route path=path!("/workflows/:id") view=WorkflowEditorPage />
                    <Route path=path!("/workflows/:id/history") view=WorkflowHistoryPage />
                    <Route path=path!("/workflows/:id/versions/:version") view=WorkflowVersionPage />
                    <Route path=path!("/executions") view=ExecutionsPage />
                    <Route path=path!("/executions/:id") view=ExecutionDetailPage />
                    <Route path=path!("/templates") view=|| view! { <ComingSoon title="Templates" /> } />
                    <Route path=path!("/billing") view=BillingPage />
                    <Route path=path!("/billing/plans") view=PlansPage />
                    <ParentRoute path=path!("/settings") view=SettingsLayout>
                        <Route path=path!("") view=|| view! { <Redirect path="/settings/members" /> } />
                        <Route path=path!("/members") view=MembersPage />
                        <Route path=path!("/api-keys") view=ApiKeysPage />
                        <Route path=path!("/security") view=SecurityPage />
                        <Route path=path!("/notifications") view=NotificationsPage />
                        <Route path=path!("/ai") view=AiSettingsPage />
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
