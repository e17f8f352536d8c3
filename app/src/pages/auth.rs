//! Pages for people who are not signed in: log in, sign up, accept an invitation.

use crate::api::{AcceptInvitation, Login, LoginOutcome, Signup, preview_invitation};
use crate::components::{ActionError, hard_navigate};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <main class="auth-page">
            <div class="auth-card">
                <div class="brand brand-large">
                    <span class="brand-mark">"A"</span>
                    "Agente"
                </div>
                <h1>{title}</h1>
                {children()}
            </div>
        </main>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let needs_code = move || matches!(login.value().get(), Some(Ok(LoginOutcome::MfaRequired)));
    Effect::new(move |_| {
        if let Some(Ok(LoginOutcome::LoggedIn)) = login.value().get() {
            hard_navigate("/");
        }
    });
    view! {
        <AuthCard title="Log in">
            <ActionForm action=login attr:class="form">
                <label>"E-mail" <input type="email" name="email" autocomplete="username" required /></label>
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                <Show when=needs_code>
                    <label>
                        "Authenticator code"
                        <input name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required />
                    </label>
                    <p class="hint">"Enter the 6-digit code from your authenticator app."</p>
                </Show>
                <ActionError value=login.value() />
                <button type="submit" class="btn btn-primary" disabled=move || login.pending().get()>
                    "Log in"
                </button>
            </ActionForm>
            <p class="muted">"New here? " <A href="/signup">"Create an account"</A></p>
        </AuthCard>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let signup = ServerAction::<Signup>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = signup.value().get() {
            hard_navigate("/");
        }
    });
    view! {
        <AuthCard title="Create your workspace">
            <ActionForm action=signup attr:class="form">
                <label>"Organisation" <input name="tenant_name" maxlength="100" required /></label>
                <label>"E-mail" <input type="email" name="email" autocomplete="username" required /></label>
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="new-password" minlength="10" required />
                </label>
                <p class="hint">"At least 10 characters."</p>
                <ActionError value=signup.value() />
                <button type="submit" class="btn btn-primary" disabled=move || signup.pending().get()>
                    "Sign up"
                </button>
            </ActionForm>
            <p class="muted">"Already have an account? " <A href="/login">"Log in"</A></p>
        </AuthCard>
    }
}

#[component]
pub fn AcceptInvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = Resource::new(token, preview_invitation);
    let accept = ServerAction::<AcceptInvitation>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = accept.value().get() {
            hard_navigate("/");
        }
    });
    view! {
        <AuthCard title="Join your team">
            <Suspense fallback=|| view! { <p>"Checking the invitation…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(p) => view! {
                            <p>
                                "You were invited to " <strong>{p.tenant_name}</strong> " as " {p.role} " ("
                                {p.email} ")."
                            </p>
                            <ActionForm action=accept attr:class="form">
                                <input type="hidden" name="token" value=token />
                                <label>
                                    "Choose a password"
                                    <input type="password" name="password" autocomplete="new-password" minlength="10" required />
                                </label>
                                <ActionError value=accept.value() />
                                <button type="submit" class="btn btn-primary">"Join"</button>
                            </ActionForm>
                        }
                        .into_any(),
                        Err(_) => view! {
                            <p class="alert alert-error">"This invitation is invalid, used or expired."</p>
                            <A href="/login">"Log in"</A>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}
