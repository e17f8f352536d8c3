//! Settings → AI: where the workspace's AI tasks go (the server's providers, offline only,
//! or the workspace's own key) and the latest model calls with their cost.

use crate::api::{AiSettingsView, ChoiceView, KeyCredential, SaveAiSettings, get_ai_settings};
use crate::components::{ActionError, format_ms};
use leptos::prelude::*;

#[component]
pub fn AiSettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveAiSettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| get_ai_settings());
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                    Ok(s) => view! { <Choices s=s.clone() save=save /> <Calls s=s /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Choices(s: AiSettingsView, save: ServerAction<SaveAiSettings>) -> impl IntoView {
    let servers = s.server_providers.join(", then ");
    let (can_change, no_keys) = (s.can_change, s.credentials.is_empty());
    let (generation, analysis, credentials) = (s.generation, s.analysis, s.credentials);
    view! {
        <section class="card" data-testid="ai-settings">
            <h2>"AI providers"</h2>
            <p class="muted">"This server asks: " {servers} ". Your own key is used with its model only (the offline provider answers if it fails); tokens count on your plan either way."</p>
            <ActionForm action=save attr:class="form">
                <fieldset disabled=!can_change>
                    <Choice task="generation" label="Writing workflows" choice=generation credentials=credentials.clone() />
                    <Choice task="analysis" label="Explaining errors and advice" choice=analysis credentials=credentials />
                    {can_change.then(|| view! { <button type="submit" class="btn btn-primary">"Save AI settings"</button> })}
                </fieldset>
            </ActionForm>
            {(!can_change).then(|| view! { <p class="muted">"Only admins change these."</p> })}
            {no_keys.then(|| view! {
                <p class="muted">"To use your own key, add an " <code>"openAiApi"</code> " or " <code>"anthropicApi"</code> " credential first."</p>
            })}
            <ActionError value=save.value() />
            {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <p class="alert alert-ok" data-testid="ai-saved">"Saved."</p> })}
        </section>
    }
}

#[component]
fn Choice(
    task: &'static str,
    label: &'static str,
    choice: ChoiceView,
    credentials: Vec<KeyCredential>,
) -> impl IntoView {
    let option = |value: &'static str, text: &'static str| {
        view! { <option value=value selected=choice.used == value>{text}</option> }
    };
    let chosen = choice.credential_id.clone();
    view! {
        <div class="form-row" data-testid=format!("ai-{task}")>
            <label>{label}
                <select name=format!("{task}_use")>
                    {option("server", "This server's providers")}
                    {option("offline", "Offline only (nothing leaves the server)")}
                    {option("own", "Our own key")}
                </select>
            </label>
            <label>"Key"
                <select name=format!("{task}_credential")>
                    <option value="">"—"</option>
                    {credentials.into_iter().map(|c| {
                        let selected = c.id == chosen;
                        view! { <option value=c.id selected=selected>{c.label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Model" <input name=format!("{task}_model") value=choice.model placeholder="gpt-4.1-mini" /></label>
        </div>
    }
}

#[component]
fn Calls(s: AiSettingsView) -> impl IntoView {
    view! {
        <section class="card" data-testid="ai-calls">
            <h2>"Model calls"</h2>
            {match s.calls {
                None => view! { <p class="muted">"Members who see billing see what model calls cost."</p> }.into_any(),
                Some(calls) if calls.is_empty() => view! { <p class="muted">"No model calls yet."</p> }.into_any(),
                Some(calls) => view! {
                    <p>"Latest " {calls.len()} " calls: " <strong>{s.total_cost}</strong> " at list prices."</p>
                    <table class="table">
                        <thead><tr><th>"When"</th><th>"Task"</th><th>"Provider"</th><th>"Model"</th><th>"Tokens"</th><th>"Cost"</th></tr></thead>
                        <tbody>{calls.into_iter().map(|c| view! {
                            <tr>
                                <td>{format_ms(c.at)}</td>
                                <td>{c.task}</td>
                                <td>{c.provider} {c.own_key.then_some(" (your key)")}</td>
                                <td>{c.model}</td>
                                <td>{c.tokens}</td>
                                <td>{if c.cost.is_empty() { "—".to_string() } else { c.cost }}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}
