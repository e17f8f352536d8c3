//! Settings → Notifications: rules (which events go where), the delivery log, and push on
//! this device. Turning push on is browser work (permission, `pushManager.subscribe`) done
//! by `/push.js`, which the button below triggers.

use super::notification_settings::NotificationSettings;
use crate::api::{
    CreateNotificationRule, DeleteNotificationRule, DeliveryRow, PushDevice, RemovePushDevice,
    RetryNotification, RuleRow, SetNotificationRuleEnabled, TestNotificationRule,
    get_notifications,
};
use crate::components::{ActionError, format_ms};
use leptos::prelude::*;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let create = ServerAction::<CreateNotificationRule>::new();
    let actions = RuleActions {
        toggle: ServerAction::new(),
        delete: ServerAction::new(),
        test: ServerAction::new(),
    };
    let retry = ServerAction::<RetryNotification>::new();
    let remove_device = ServerAction::<RemovePushDevice>::new();
    let (refreshed, refresh) = signal(0u32);
    let data = Resource::new(
        move || {
            (
                create.version().get(),
                actions.toggle.version().get(),
                actions.delete.version().get(),
                actions.test.version().get(),
                retry.version().get(),
                remove_device.version().get(),
                refreshed.get(),
            )
        },
        |_| get_notifications(),
    );
    view! {
        <NewRule create />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                    Ok(view) => view! {
                        <Rules rules=view.rules actions />
                        <PushDevices key=view.vapid_public_key devices=view.devices remove=remove_device />
                        <section class="card">
                            <h2>"Delivery log"</h2>
                            <button class="btn btn-ghost" on:click=move |_| refresh.update(|n| *n += 1)>"Refresh"</button>
                            <ActionError value=retry.value() />
                            <Deliveries deliveries=view.deliveries retry />
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
        <NotificationSettings />
    }
}

/// The form that adds a rule, and the new rule's signing secret, shown once.
#[component]
fn NewRule(create: ServerAction<CreateNotificationRule>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"New rule"</h2>
            <p class="muted">
                "Tell people when something needs them. E-mail goes through your SMTP server "
                "(or this server's); webhooks are signed (" <code>"X-Agente-Signature"</code> ")."
            </p>
            <ActionForm action=create attr:class="form" attr:data-testid="new-rule">
                <label>"Name" <input name="name" maxlength="128" required placeholder="On-call e-mail" /></label>
                <label>"When"
                    <select name="events">
                        <option value="execution.failed">"A production execution failed"</option>
                        <option value="quota.warning,quota.exceeded">"A plan limit is 80% used or reached"</option>
                        <option value="payment.failed">"A payment failed"</option>
                        <option value="execution.failed,quota.warning,quota.exceeded,payment.failed">"Any of these"</option>
                    </select>
                </label>
                <label>"Send by"
                    <select name="channel">
                        <option value="email">"E-mail"</option>
                        <option value="slack">"Slack (incoming webhook)"</option>
                        <option value="webhook">"Webhook"</option>
                        <option value="push">"Push to members' devices"</option>
                    </select>
                </label>
                <label>"To (addresses, comma separated; or the webhook URL; empty for push)"
                    <input name="target" maxlength="2048" />
                </label>
                <label>"At most one message per workflow every (minutes)"
                    <input type="number" name="throttle_minutes" min="0" max="10080" value="10" />
                </label>
                <button type="submit" class="btn btn-primary">"Add rule"</button>
            </ActionForm>
            <ActionError value=create.value() />
            {move || create.value().get().and_then(|r| r.ok()).map(|rule| view! {
                <div class="alert alert-ok" data-testid="rule-created">
                    <p>{format!("Rule “{}” added.", rule.name)}</p>
                    {rule.signing_secret.map(|secret| view! {
                        <p>"Its signing secret (shown once; verify " <code>"X-Agente-Signature"</code> " with it):"</p>
                        <code class="secret">{secret}</code>
                    })}
                </div>
            })}
        </section>
    }
    .into_any()
}

/// What a rule's buttons do.
#[derive(Clone, Copy)]
struct RuleActions {
    toggle: ServerAction<SetNotificationRuleEnabled>,
    delete: ServerAction<DeleteNotificationRule>,
    test: ServerAction<TestNotificationRule>,
}

#[component]
fn Rules(rules: Vec<RuleRow>, actions: RuleActions) -> impl IntoView {
    let RuleActions {
        toggle,
        delete,
        test,
    } = actions;
    view! {
        <section class="card">
            <h2>"Rules"</h2>
            <ActionError value=test.value() />
            <ActionError value=toggle.value() />
            {if rules.is_empty() {
                view! { <p class="muted">"No rules yet: nobody is told when something fails."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="rules">
                        <thead><tr><th>"Name"</th><th>"Events"</th><th>"Channel"</th><th>"To"</th><th></th></tr></thead>
                        <tbody>
                            {rules.into_iter().map(|r| {
                                let (id_test, id_toggle, id_delete) = (r.id.clone(), r.id.clone(), r.id.clone());
                                let enabled = r.enabled;
                                view! {
                                    <tr class:revoked=!enabled>
                                        <td>{r.name}</td>
                                        <td>{r.events.join(", ")}</td>
                                        <td>{r.channel}</td>
                                        <td class="wrap">{r.target}</td>
                                        <td class="actions">
                                            <button class="btn btn-ghost" on:click=move |_| {
                                                test.dispatch(TestNotificationRule { id: id_test.clone() });
                                            }>"Send test"</button>
                                            <button class="btn btn-ghost" on:click=move |_| {
                                                toggle.dispatch(SetNotificationRuleEnabled { id: id_toggle.clone(), enabled: !enabled });
                                            }>{if enabled { "Pause" } else { "Resume" }}</button>
                                            <button class="btn btn-ghost btn-danger" on:click=move |_| {
                                                delete.dispatch(DeleteNotificationRule { id: id_delete.clone() });
                                            }>"Delete"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// Turning push on for this device (done by `/push.js`), and the member's devices.
#[component]
fn PushDevices(
    key: Option<String>,
    devices: Vec<PushDevice>,
    remove: ServerAction<RemovePushDevice>,
) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Push on this device"</h2>
            {match key {
                None => view! { <p class="muted">"Push is not set up on this server."</p> }.into_any(),
                Some(key) => view! {
                    <p class="muted">"Get notifications on this phone or computer, even when Agente is closed."</p>
                    <button class="btn" data-push-enable=key data-testid="push-enable">"Turn on push here"</button>
                    <p class="muted" data-push-status aria-live="polite"></p>
                }.into_any(),
            }}
            <ActionError value=remove.value() />
            <ul class="list" data-testid="push-devices">
                {devices.into_iter().map(|d| {
                    let id = d.id.clone();
                    view! {
                        <li>
                            {d.label} " · since " {format_ms(d.created_at)}
                            {d.last_used_at.map(|t| format!(" · last push {}", format_ms(t)))}
                            " "
                            <button class="btn btn-ghost btn-danger" on:click=move |_| {
                                remove.dispatch(RemovePushDevice { id: id.clone() });
                            }>"Remove"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[component]
fn Deliveries(
    deliveries: Vec<DeliveryRow>,
    retry: ServerAction<RetryNotification>,
) -> impl IntoView {
    if deliveries.is_empty() {
        return view! { <p class="muted">"Nothing sent yet."</p> }.into_any();
    }
    view! {
        <table class="table" data-testid="deliveries">
            <thead><tr><th>"When"</th><th>"Event"</th><th>"To"</th><th>"Subject"</th><th>"Status"</th><th></th></tr></thead>
            <tbody>
                {deliveries.into_iter().map(|d| {
                    let id = d.id.clone();
                    let status = match (d.status.as_str(), d.suppressed) {
                        (s, 0) => s.to_string(),
                        (s, n) => format!("{s} (+{n} held back)"),
                    };
                    view! {
                        <tr>
                            <td>{format_ms(d.created_at)}</td>
                            <td>{d.event}</td>
                            <td class="wrap">{format!("{} · {}", d.channel, d.target)}</td>
                            <td class="wrap">{d.subject}</td>
                            <td>
                                <span class=format!("status status-{}", d.status)>{status}</span>
                                {d.error.map(|e| view! { <div class="muted small">{e}</div> })}
                            </td>
                            <td>{d.can_retry.then(|| view! {
                                <button class="btn btn-ghost" on:click=move |_| {
                                    retry.dispatch(RetryNotification { id: id.clone() });
                                }>"Send again"</button>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
