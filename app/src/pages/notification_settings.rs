//! Settings → Notifications, second half: the workspace's own e-mail server and the wording
//! of its messages.

use crate::api::{
    ClearSmtp, ResetNotificationTemplate, SaveNotificationTemplate, SaveSmtp,
    get_notification_settings,
};
use crate::components::ActionError;
use leptos::prelude::*;

#[component]
pub fn NotificationSettings() -> impl IntoView {
    let save_smtp = ServerAction::<SaveSmtp>::new();
    let clear_smtp = ServerAction::<ClearSmtp>::new();
    let save_template = ServerAction::<SaveNotificationTemplate>::new();
    let reset_template = ServerAction::<ResetNotificationTemplate>::new();
    let settings = Resource::new(
        move || {
            (
                save_smtp.version().get(),
                clear_smtp.version().get(),
                save_template.version().get(),
                reset_template.version().get(),
            )
        },
        |_| get_notification_settings(),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                    Ok(s) => {
                        let smtp = s.smtp.clone();
                        let value = move |f: fn(&crate::api::SmtpView) -> String| smtp.as_ref().map(f).unwrap_or_default();
                        let security = s.smtp.as_ref().map(|c| c.security.clone()).unwrap_or_else(|| "startTls".into());
                        let port = s.smtp.as_ref().map(|c| c.port.to_string()).unwrap_or_else(|| "587".into());
                        let has_smtp = s.smtp.is_some();
                        let has_password = s.smtp.as_ref().is_some_and(|c| c.has_password);
                        let intro = match (has_smtp, s.server_fallback) {
                            (true, _) => "E-mail notifications go through this server.",
                            (false, true) => "E-mail notifications go through this Agente server's relay; set your own to send from your domain.",
                            (false, false) => "No e-mail server yet: e-mail rules fail until you set one.",
                        };
                        let option = move |v: &'static str, label: &'static str| {
                            let chosen = security == v;
                            view! { <option value=v selected=chosen>{label}</option> }
                        };
                        view! {
                            <section class="card" data-testid="smtp-settings">
                                <h2>"E-mail server"</h2>
                                <p class="muted">{intro}</p>
                                <ActionForm action=save_smtp attr:class="form">
                                    <label>"Host" <input name="host" required value=value(|c| c.host.clone()) placeholder="smtp.example.com" /></label>
                                    <label>"Port" <input type="number" name="port" min="1" max="65535" required
                                        value=port /></label>
                                    <label>"Security"
                                        <select name="security">
                                            {option("startTls", "STARTTLS (required)")}
                                            {option("tls", "TLS from the start (SMTPS)")}
                                            {option("opportunistic", "STARTTLS when offered")}
                                            {option("none", "None (a relay on your network)")}
                                        </select>
                                    </label>
                                    <label>"Username" <input name="username" autocomplete="off" value=value(|c| c.username.clone().unwrap_or_default()) /></label>
                                    <label>{if has_password { "Password (stored; leave empty to keep it)" } else { "Password" }}
                                        <input type="password" name="password" autocomplete="new-password"
                                            prop:value=move || { save_smtp.version().get(); String::new() } />
                                    </label>
                                    <label>"From" <input name="from" required value=value(|c| c.from.clone()) placeholder="Acme Alerts <alerts@acme.example>" /></label>
                                    <button type="submit" class="btn btn-primary">"Save e-mail server"</button>
                                </ActionForm>
                                <ActionError value=save_smtp.value() />
                                {has_smtp.then(|| view! {
                                    <ActionForm action=clear_smtp>
                                        <button type="submit" class="btn btn-ghost btn-danger">"Remove this server"</button>
                                    </ActionForm>
                                })}
                            </section>
                            <section class="card" data-testid="templates">
                                <h2>"Message templates"</h2>
                                <p class="muted">"Jinja syntax: " <code>"{{ workflow.name }}"</code> ", " <code>"{% if node %}…{% endif %}"</code> ". Checked before saving."</p>
                                <ActionError value=save_template.value() />
                                <div class="template-grid">
                                    {s.templates.into_iter().map(|t| {
                                        let event = t.event.clone();
                                        view! {
                                            <details>
                                                <summary>{t.label} {t.custom.then_some(" (yours)")}</summary>
                                                <ActionForm action=save_template attr:class="form">
                                                    <input type="hidden" name="event" value=t.event.clone() />
                                                    <label>"Subject" <input name="subject" required value=t.subject /></label>
                                                    <label>"Body" <textarea name="body" rows="6">{t.body}</textarea></label>
                                                    <button type="submit" class="btn btn-primary">"Save template"</button>
                                                </ActionForm>
                                                {t.custom.then(|| view! {
                                                    <button class="btn btn-ghost" on:click=move |_| {
                                                        reset_template.dispatch(ResetNotificationTemplate { event: event.clone() });
                                                    }>"Back to the built-in wording"</button>
                                                })}
                                            </details>
                                        }
                                    }).collect_view()}
                                </div>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
