//! Billing: the plan in force, use against its limits this period, the plans on offer with
//! upgrade and downgrade, and cancelling at the period's end.

use crate::api::{
    BillingView, CancelSubscription, ChangePlan, InvoiceRow, OpenPortal, PlanCard, RevenueView,
    StartCheckout, UsageBar, get_billing, get_revenue, money, thousands,
};
use crate::components::{ActionError, format_ms};
use leptos::prelude::*;

#[component]
pub fn BillingPage() -> impl IntoView {
    let change = ServerAction::<ChangePlan>::new();
    let cancel = ServerAction::<CancelSubscription>::new();
    let checkout = ServerAction::<StartCheckout>::new();
    let portal = ServerAction::<OpenPortal>::new();
    // Stripe's pages are elsewhere: the browser goes to the URL the server got for it.
    Effect::new(move |_| {
        let url = checkout.value().get().or_else(|| portal.value().get());
        if let Some(Ok(url)) = url {
            let _ = window().location().set_href(&url);
        }
    });
    let data = Resource::new(
        move || (change.version().get(), cancel.version().get()),
        |_| get_billing(),
    );
    let revenue = Resource::new(move || change.version().get(), |_| get_revenue());
    view! {
        <h1>"Billing"</h1>
        <ActionError value=change.value() />
        <ActionError value=cancel.value() />
        <ActionError value=checkout.value() />
        <ActionError value=portal.value() />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                    Ok(b) => {
                        let choice = PlanChoice {
                            current: b.plan.id.clone(),
                            current_price: b.plan.monthly_price,
                            can_change: b.can_change,
                            via_checkout: b.takes_payments && !b.subscribed,
                            change,
                            checkout,
                        };
                        let invoices = b.invoices.clone();
                        let plans = b.plans.clone();
                        view! {
                            <CurrentPlan billing=b.clone() cancel portal />
                            <section class="card">
                                <h2>"Usage this period"</h2>
                                {b.recommendation.clone().map(|(title, reason)| view! {
                                    <p class="alert" data-testid="recommendation"><strong>{title}</strong> " — " {reason}</p>
                                })}
                                <div class="meters" data-testid="usage">
                                    {b.usage.into_iter().map(|u| view! { <Meter bar=u /> }).collect_view()}
                                </div>
                            </section>
                            <section>
                                <h2>"Plans"</h2>
                                <div class="plans" data-testid="plans">
                                    {plans.into_iter().map(|p| view! { <PlanOffer plan=p choice=choice.clone() /> }).collect_view()}
                                </div>
                            </section>
                            {(!invoices.is_empty()).then(|| view! { <Invoices invoices /> })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                revenue.await.ok().flatten().map(|r| view! { <Revenue report=r /> })
            })}
        </Transition>
    }
}

/// The plan in force, its period and state, and the owner's buttons for it.
#[component]
fn CurrentPlan(
    billing: BillingView,
    cancel: ServerAction<CancelSubscription>,
    portal: ServerAction<OpenPortal>,
) -> impl IntoView {
    let b = billing;
    let on_paid_plan = b.plan.monthly_price > 0;
    view! {
        <section class="card" data-testid="current-plan">
            <h2>{format!("{} plan", b.plan.name)}</h2>
            <p>
                {money(b.plan.monthly_price, &b.plan.currency)} " / month · "
                <span class=format!("status status-{}", b.status.replace(' ', "_"))>{b.status.clone()}</span>
                {(b.provider == "local").then(|| view! { <span class="muted">" · no payment on this installation"</span> })}
            </p>
            <p class="muted">
                "This period: " {format_ms(b.period_start)} " – " {format_ms(b.period_end)}
            </p>
            {b.lapsed_from.clone().map(|plan| view! {
                <p class="alert alert-error">{format!("Your {plan} subscription is not active: Free limits apply.")}</p>
            })}
            {b.cancel_at_period_end.then(|| view! {
                <p class="alert" data-testid="cancel-notice">
                    {format!("Ends on {}; then the Free plan applies.", format_ms(b.period_end))}
                </p>
            })}
            {(b.can_change && b.subscribed).then(|| view! {
                <button class="btn" on:click=move |_| { portal.dispatch(OpenPortal {}); }>
                    "Manage payment method"
                </button>
            })}
            {(b.can_change && on_paid_plan).then(|| {
                let cancelling = b.cancel_at_period_end;
                view! {
                    <button class="btn btn-ghost" on:click=move |_| {
                        cancel.dispatch(CancelSubscription { cancel: !cancelling });
                    }>{if cancelling { "Keep my plan" } else { "Cancel at period end" }}</button>
                }
            })}
        </section>
    }
    .into_any()
}

/// What a plan card needs to offer a change: the plan in force and how a change goes.
#[derive(Clone)]
struct PlanChoice {
    current: String,
    current_price: i64,
    can_change: bool,
    /// A paid plan is bought through Stripe Checkout (no subscription yet).
    via_checkout: bool,
    change: ServerAction<ChangePlan>,
    checkout: ServerAction<StartCheckout>,
}

/// One plan on offer, with the button that moves to it.
#[component]
fn PlanOffer(plan: PlanCard, choice: PlanChoice) -> impl IntoView {
    let p = plan;
    let is_current = p.id == choice.current;
    let verb = if p.monthly_price > choice.current_price {
        "Upgrade"
    } else {
        "Downgrade"
    };
    let id = p.id.clone();
    let paid = p.monthly_price > 0;
    let (change, checkout, via_checkout) = (choice.change, choice.checkout, choice.via_checkout);
    view! {
        <article class="card plan" class:plan-current=is_current data-plan=p.id.clone()>
            <h3>{p.name.clone()}</h3>
            <p class="price">{money(p.monthly_price, &p.currency)} <span class="muted">" / month"</span></p>
            <ul>{p.features.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
            {if is_current {
                view! { <p class="muted">"Your plan"</p> }.into_any()
            } else if choice.can_change {
                view! {
                    <button class="btn btn-primary" on:click=move |_| {
                        if via_checkout && paid {
                            checkout.dispatch(StartCheckout { plan: id.clone() });
                        } else {
                            change.dispatch(ChangePlan { plan: id.clone() });
                        }
                    }>{format!("{verb} to {}", p.name)}</button>
                }.into_any()
            } else {
                view! { <p class="muted">"The owner can change plans."</p> }.into_any()
            }}
        </article>
    }
    .into_any()
}

#[component]
fn Invoices(invoices: Vec<InvoiceRow>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Invoices"</h2>
            <table class="table" data-testid="invoices">
                <thead><tr><th>"Date"</th><th>"Number"</th><th>"Total"</th><th>"Status"</th><th></th></tr></thead>
                <tbody>
                    {invoices.into_iter().map(|i| view! {
                        <tr>
                            <td>{format_ms(i.created)}</td>
                            <td>{i.number}</td>
                            <td>{i.total}</td>
                            <td>{i.status}</td>
                            <td class="actions">
                                {i.pdf.map(|u| view! { <a href=u rel="noopener" target="_blank">"PDF"</a> })}
                                " "
                                {i.page.map(|u| view! { <a href=u rel="noopener" target="_blank">"View"</a> })}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

/// The operator's view of the month across tenants.
#[component]
fn Revenue(report: RevenueView) -> impl IntoView {
    let r = report;
    view! {
        <section class="card" data-testid="revenue">
            <h2>"Revenue this month (all tenants)"</h2>
            <p>"MRR " <strong>{r.mrr}</strong> " · usage " {r.usage_revenue}
               " · churn " {format!("{} ({:.1} %)", r.churned, r.churn_percent)}</p>
            <ul>
                {r.subscriptions.into_iter().map(|(plan, n)| view! { <li>{format!("{plan}: {n}")}</li> }).collect_view()}
            </ul>
            <a class="btn" href="/billing/plans">"Edit plans"</a>
        </section>
    }
    .into_any()
}

/// One allowance as a bar: how much of the limit is used, red past 100 %, amber past 80 %.
#[component]
fn Meter(bar: UsageBar) -> impl IntoView {
    let (text, percent) = match bar.limit {
        None => (format!("{} · unlimited", thousands(bar.used)), 0),
        Some(0) => (format!("{} of 0", thousands(bar.used)), 100),
        Some(limit) => (
            format!("{} of {}", thousands(bar.used), thousands(limit)),
            (bar.used.saturating_mul(100) / limit).min(100),
        ),
    };
    let level = match percent {
        100.. => "full",
        80..=99 => "high",
        _ => "ok",
    };
    let note = match (bar.limit, bar.hard) {
        (Some(limit), true) if bar.used >= limit => {
            Some("Limit reached: upgrade to continue.".to_string())
        }
        (Some(limit), false) if bar.used > limit => Some(format!(
            "Past the included amount: {} so far.",
            money(bar.overage_cost, &bar.currency)
        )),
        _ => None,
    };
    let (name, heading, aria) = (bar.label.clone(), bar.label.clone(), bar.label);
    view! {
        <div class="meter" data-meter=name>
            <div class="meter-head"><span>{heading}</span><span>{text}</span></div>
            <div class=format!("meter-track meter-{level}") role="progressbar"
                aria-label=aria aria-valuemin="0" aria-valuemax="100" aria-valuenow=percent.to_string()>
                <div class="meter-fill" style=format!("width: {percent}%")></div>
            </div>
            {note.map(|n| view! { <p class="muted small">{n}</p> })}
        </div>
    }
}
