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
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route, path};

/// A page whose code is split off the first download (`cargo leptos build --split`) and
/// fetched when the page is first opened: the editor and every page that draws a workflow on
/// a canvas — most of the app's WASM, needed by none of the other pages. Few on purpose:
/// code shared by several lazy pages is cut into a chunk per combination of them, and every
/// chunk is one more module for the browser to fetch and instantiate (with the billing and
/// settings pages lazy too the editor needed 76 chunks and opened 300 ms slower).
macro_rules! lazy_page {
    ($route:ident => $page:ident) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(NewWorkflowRoute => NewWorkflowPage);
lazy_page!(WorkflowEditorRoute => WorkflowEditorPage);
lazy_page!(WorkflowHistoryRoute => WorkflowHistoryPage);
lazy_page!(WorkflowVersionRoute => WorkflowVersionPage);
lazy_page!(ExecutionDetailRoute => ExecutionDetailPage);

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
    // A page whose code is split off loads it before the address changes: say so meanwhile.
    let (routing, set_routing) = signal(false);
    view! {
        <Title text="Agente" />
        <Meta name="description" content="Build, run and monitor automation workflows." />
        <Link rel="preload" href="/icons/icon-192.png" as_="image" />
        <Router set_is_routing=set_routing>
            {move || routing.get().then(|| view! {
                <div class="route-progress" role="progressbar" aria-label="Opening the page" data-testid="routing"></div>
            })}
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/signup") view=SignupPage />
                <Route path=path!("/invite/:token") view=AcceptInvitePage />
                <ParentRoute path=path!("") view=AppShell ssr=SsrMode::Async>
                    <Route path=path!("") view=DashboardPage />
                    <Route path=path!("/workflows") view=WorkflowsPage />
                    <Route path=path!("/workflows/new") view={Lazy::<NewWorkflowRoute>::new()} />
                    <Route path=path!("/workflows/:id") view={Lazy::<WorkflowEditorRoute>::new()} />
                    <Route path=path!("/workflows/:id/history") view={Lazy::<WorkflowHistoryRoute>::new()} />
                    <Route path=path!("/workflows/:id/versions/:version") view={Lazy::<WorkflowVersionRoute>::new()} />
                    <Route path=path!("/executions") view=ExecutionsPage />
                    <Route path=path!("/executions/:id") view={Lazy::<ExecutionDetailRoute>::new()} />
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
