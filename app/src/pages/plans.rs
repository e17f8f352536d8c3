//! Billing → Plans, for operators: every plan (archived ones too) as a form, and a form for
//! a new one. Tenants on a plan get its new limits within seconds of a save.

use crate::api::{PlanForm, SavePlan, get_plan_forms};
use crate::components::ActionError;
use leptos::prelude::*;

#[component]
pub fn PlansPage() -> impl IntoView {
    let save = ServerAction::<SavePlan>::new();
    let plans = Resource::new(move || save.version().get(), |_| get_plan_forms());
    view! {
        <h1>"Plans"</h1>
        <p class="muted">
            "What each plan includes and costs. Blank limits are unlimited; a blank overage price "
            "means use past the included amount is refused instead of charged. "
            <a href="/billing">"Back to billing"</a>
        </p>
        <ActionError value=save.value() />
        {move || {
            save.value().get().and_then(Result::ok).map(|()| view! {
                <p class="alert" role="status" data-testid="plan-saved">"Plan saved."</p>
            })
        }}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match plans.await {
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                    Ok(None) => view! {
                        <p class="alert alert-error">"Only an operator of this installation edits plans."</p>
                    }.into_any(),
                    Ok(Some(plans)) => view! {
                        <div class="plan-editor" data-testid="plan-editor">
                            {plans.into_iter().map(|plan| {
                                let title = if plan.available {
                                    plan.name.clone()
                                } else {
                                    format!("{} (archived)", plan.name)
                                };
                                let id = plan.id.clone();
                                view! {
                                    <details class="card" data-plan=id>
                                        <summary>{title}</summary>
                                        <PlanFields save plan is_new=false />
                                    </details>
                                }
                            }).collect_view()}
                            <details class="card" data-plan="new">
                                <summary>"New plan"</summary>
                                <PlanFields save plan=new_plan() is_new=true />
                            </details>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A new plan's starting values.
fn new_plan() -> PlanForm {
    PlanForm {
        position: "100".into(),
        monthly_price: "0.00".into(),
        currency: "usd".into(),
        retention_days: "30".into(),
        trial_days: "0".into(),
        available: true,
        ..PlanForm::default()
    }
}

/// One plan's fields. Names are `plan[field]`: the form posts one `PlanForm`.
#[component]
fn PlanFields(save: ServerAction<SavePlan>, plan: PlanForm, is_new: bool) -> impl IntoView {
    let field = |label: &'static str, name: &'static str, value: String, hint: &'static str| {
        view! {
            <label>
                {label}
                <input name=format!("plan[{name}]") value=value placeholder=hint />
            </label>
        }
    };
    view! {
        <ActionForm action=save attr:class="form form-columns">
            {if is_new {
                field("Id", "id", plan.id.clone(), "e.g. team").into_any()
            } else {
                view! { <input type="hidden" name="plan[id]" value=plan.id.clone() /> }.into_any()
            }}
            {field("Name", "name", plan.name, "")}
            {field("Position", "position", plan.position, "order on the pricing page")}
            {field("Price per month", "monthly_price", plan.monthly_price, "24.00")}
            {field("Currency", "currency", plan.currency, "usd")}
            {field("Included executions", "included_executions", plan.included_executions, "unlimited")}
            {field("Included AI tokens", "included_ai_tokens", plan.included_ai_tokens, "unlimited")}
            {field("Active workflows", "max_active_workflows", plan.max_active_workflows, "unlimited")}
            {field("Members", "max_members", plan.max_members, "unlimited")}
            {field("Concurrent runs", "max_concurrent_runs", plan.max_concurrent_runs, "server's limit")}
            {field("Retention days", "retention_days", plan.retention_days, "30")}
            {field("Price per 1,000 extra executions", "overage_per_1000_executions", plan.overage_per_1000_executions, "refused past the limit")}
            {field("Price per 1,000 extra AI tokens", "overage_per_1000_ai_tokens", plan.overage_per_1000_ai_tokens, "refused past the limit")}
            {field("Trial days", "trial_days", plan.trial_days, "0")}
            {field("Stripe price", "stripe_price", plan.stripe_price, "price_…")}
            <label class="check">
                <input type="checkbox" name="plan[available]" value="true" checked=plan.available />
                "Offered to tenants"
            </label>
            <button type="submit" class="btn btn-primary">{if is_new { "Create plan" } else { "Save plan" }}</button>
        </ActionForm>
    }
}
