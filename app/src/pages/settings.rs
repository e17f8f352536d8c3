//! Settings → Members, API keys, Security (Notifications: `notifications.rs`).

use crate::api::{
    ChangeRole, CreateApiKey, InvitationView, InviteMember, MemberView, MfaConfirm, MfaDisable,
    MfaEnrol, RemoveMember, RevokeApiKey, RevokeInvitation, get_me, list_api_keys,
    list_invitations, list_members,
};
use crate::components::{ActionError, RoleOptions, format_ms};
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

#[component]
pub fn SettingsLayout() -> impl IntoView {
    view! {
        <h1>"Settings"</h1>
        <nav class="tabs" aria-label="Settings">
            <A href="/settings/members" attr:class="tab">"Members"</A>
            <A href="/settings/api-keys" attr:class="tab">"API keys"</A>
            <A href="/settings/security" attr:class="tab">"Security"</A>
            <A href="/settings/notifications" attr:class="tab">"Notifications"</A>
            <A href="/settings/ai" attr:class="tab">"AI"</A>
        </nav>
        <Outlet />
    }
}

#[component]
pub fn MembersPage() -> impl IntoView {
    let invite = ServerAction::<InviteMember>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let change = ServerAction::<ChangeRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let changed = move || {
        (
            invite.version().get(),
            revoke.version().get(),
            change.version().get(),
            remove.version().get(),
        )
    };
    let members = Resource::new(changed, |_| list_members());
    let invitations = Resource::new(changed, |_| list_invitations());
    let link = move || {
        invite.value().get().and_then(|r| r.ok()).map(|path| {
            let origin = window().location().origin().unwrap_or_default();
            format!("{origin}{path}")
        })
    };
    view! {
        <section class="card">
            <h2>"Invite a member"</h2>
            <ActionForm action=invite attr:class="form form-inline">
                <label>"E-mail" <input type="email" name="email" required /></label>
                <label>"Role" <select name="role"><RoleOptions selected="editor" /></select></label>
                <button type="submit" class="btn btn-primary">"Invite"</button>
            </ActionForm>
            <ActionError value=invite.value() />
            {move || link().map(|url| view! {
                <div class="alert alert-ok" data-testid="invite-link">
                    <p>"Share this link with them (valid for 7 days):"</p>
                    <code class="secret">{url}</code>
                </div>
            })}
        </section>
        <section class="card">
            <h2>"Members"</h2>
            <ActionError value=change.value() />
            <ActionError value=remove.value() />
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match members.await {
                        Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                        Ok(list) => view! { <MembersTable list change remove /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <section class="card">
            <h2>"Pending invitations"</h2>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let list = invitations.await.unwrap_or_default();
                    if list.is_empty() {
                        return view! { <p class="muted">"No pending invitations."</p> }.into_any();
                    }
                    view! { <InvitationsTable list revoke /> }.into_any()
                })}
            </Transition>
        </section>
    }
}

#[component]
fn MembersTable(
    list: Vec<MemberView>,
    change: ServerAction<ChangeRole>,
    remove: ServerAction<RemoveMember>,
) -> impl IntoView {
    view! {
        <table class="table" data-testid="members">
            <thead><tr><th>"E-mail"</th><th>"Role"</th><th>"2FA"</th><th></th></tr></thead>
            <tbody>
                {list.into_iter().map(|m| {
                    let (id_change, id_remove) = (m.id.clone(), m.id.clone());
                    view! {
                        <tr>
                            <td>{m.email}</td>
                            <td>
                                <select aria-label="Role" on:change=move |ev| {
                                    change.dispatch(ChangeRole { id: id_change.clone(), role: event_target_value(&ev) });
                                }>
                                    <RoleOptions include_owner=true selected=m.role />
                                </select>
                            </td>
                            <td>{if m.mfa_enabled { "on" } else { "off" }}</td>
                            <td>
                                <button class="btn btn-ghost btn-danger" on:click=move |_| {
                                    remove.dispatch(RemoveMember { id: id_remove.clone() });
                                }>"Remove"</button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn InvitationsTable(
    list: Vec<InvitationView>,
    revoke: ServerAction<RevokeInvitation>,
) -> impl IntoView {
    view! {
        <table class="table" data-testid="invitations">
            <thead><tr><th>"E-mail"</th><th>"Role"</th><th>"Expires"</th><th></th></tr></thead>
            <tbody>
                {list.into_iter().map(|i| {
                    let id = i.id.clone();
                    view! {
                        <tr>
                            <td>{i.email}</td>
                            <td>{i.role}</td>
                            <td>{format_ms(i.expires_at)}</td>
                            <td><button class="btn btn-ghost" on:click=move |_| {
                                revoke.dispatch(RevokeInvitation { id: id.clone() });
                            }>"Revoke"</button></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_api_keys(),
    );
    view! {
        <section class="card">
            <h2>"Create an API key"</h2>
            <p class="muted">
                "Use it as " <code>"Authorization: Bearer <key>"</code> " or " <code>"X-N8N-API-KEY"</code> "."
            </p>
            <ActionForm action=create attr:class="form form-inline">
                <label>"Name" <input name="name" maxlength="100" required /></label>
                <label>"Role" <select name="role"><RoleOptions selected="editor" /></select></label>
                <button type="submit" class="btn btn-primary">"Create key"</button>
            </ActionForm>
            <ActionError value=create.value() />
            {move || create.value().get().and_then(|r| r.ok()).map(|key| view! {
                <div class="alert alert-ok">
                    <p>"Copy the key now: it will not be shown again."</p>
                    <code class="secret" data-testid="new-api-key">{key}</code>
                </div>
            })}
        </section>
        <section class="card">
            <h2>"Keys"</h2>
            <ActionError value=revoke.value() />
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No API keys yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="table" data-testid="api-keys">
                                <thead><tr><th>"Name"</th><th>"Key"</th><th>"Role"</th><th>"Last used"</th><th></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|k| {
                                        let id = k.id.clone();
                                        view! {
                                            <tr class:revoked=k.revoked>
                                                <td>{k.name}</td>
                                                <td><code>{k.hint}</code></td>
                                                <td>{k.role}</td>
                                                <td>{k.last_used_at.map(format_ms).unwrap_or_else(|| "never".into())}</td>
                                                <td>{if k.revoked {
                                                    view! { <span class="muted">"revoked"</span> }.into_any()
                                                } else {
                                                    view! { <button class="btn btn-ghost btn-danger" on:click=move |_| {
                                                        revoke.dispatch(RevokeApiKey { id: id.clone() });
                                                    }>"Revoke"</button> }.into_any()
                                                }}</td>
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
    }
}

#[component]
pub fn SecurityPage() -> impl IntoView {
    let enrol = ServerAction::<MfaEnrol>::new();
    let confirm = ServerAction::<MfaConfirm>::new();
    let disable = ServerAction::<MfaDisable>::new();
    let me = Resource::new(
        move || (confirm.version().get(), disable.version().get()),
        |_| get_me(),
    );
    view! {
        <section class="card">
            <h2>"Two-factor authentication"</h2>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let enabled = me.await.ok().flatten().is_some_and(|m| m.mfa_enabled);
                    if enabled {
                        view! {
                            <p data-testid="mfa-status">"Two-factor authentication is on."</p>
                            <ActionForm action=disable attr:class="form form-inline">
                                <label>"Password" <input name="password" type="password" autocomplete="current-password" required /></label>
                                <label>"Current code" <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required /></label>
                                <button type="submit" class="btn btn-danger">"Turn off"</button>
                            </ActionForm>
                            <ActionError value=disable.value() />
                        }.into_any()
                    } else {
                        view! {
                            <p data-testid="mfa-status">"Two-factor authentication is off."</p>
                            <button class="btn btn-primary" on:click=move |_| { enrol.dispatch(MfaEnrol {}); }>
                                "Set up an authenticator app"
                            </button>
                            <ActionError value=enrol.value() />
                            {move || enrol.value().get().and_then(|r| r.ok()).map(|e| view! {
                                <div class="alert alert-ok">
                                    <p>"Add this secret to your authenticator app, then enter the code it shows."</p>
                                    <code class="secret" data-testid="mfa-secret">{e.secret}</code>
                                    <p class="muted small">{e.otpauth_url}</p>
                                    <ActionForm action=confirm attr:class="form form-inline">
                                        <label>"Password" <input name="password" type="password" autocomplete="current-password" required /></label>
                                        <label>"Code" <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required /></label>
                                        <button type="submit" class="btn btn-primary">"Turn on"</button>
                                    </ActionForm>
                                    <ActionError value=confirm.value() />
                                </div>
                            })}
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}
