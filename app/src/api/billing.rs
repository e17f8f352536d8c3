//! The Billing page's calls: the plan in force and use, the plans on offer, plan changes.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::{context, require_principal, server_error};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanCard {
    pub id: String,
    pub name: String,
    /// Cents per month.
    pub monthly_price: i64,
    pub currency: String,
    /// Lines such as "10,000 executions / month".
    pub features: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsageBar {
    pub label: String,
    pub used: u64,
    /// None: unlimited.
    pub limit: Option<u64>,
    /// Past the limit is refused (rather than charged).
    pub hard: bool,
    /// Charged for use past the limit so far, in cents of `currency`.
    pub overage_cost: i64,
    pub currency: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BillingView {
    pub plan: PlanCard,
    /// The plan subscribed to, when it differs from the one in force (a lapsed subscription).
    pub lapsed_from: Option<String>,
    pub status: String,
    pub provider: String,
    pub period_start: i64,
    pub period_end: i64,
    pub cancel_at_period_end: bool,
    pub usage: Vec<UsageBar>,
    pub plans: Vec<PlanCard>,
    /// Owners change the plan; admins only look.
    pub can_change: bool,
    /// Plan changes go through Stripe (Checkout, the Customer Portal).
    pub takes_payments: bool,
    /// The tenant pays through a Stripe subscription (plan changes apply to it directly).
    pub subscribed: bool,
    pub invoices: Vec<InvoiceRow>,
    /// "Upgrade to Business: …" when another plan suits the use better.
    pub recommendation: Option<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvoiceRow {
    pub number: String,
    pub created: i64,
    pub total: String,
    pub status: String,
    pub pdf: Option<String>,
    pub page: Option<String>,
}

#[cfg(feature = "ssr")]
fn card(p: &agente_billing::Plan) -> PlanCard {
    let count = |n: Option<u64>, what: &str| match n {
        None => format!("Unlimited {what}"),
        Some(n) => format!("{} {what}", thousands(n)),
    };
    let mut features = vec![
        count(p.included_executions, "executions / month"),
        count(p.included_ai_tokens, "AI tokens / month"),
        count(p.max_active_workflows, "active workflows"),
        count(p.max_members, "members"),
        format!("Execution data kept {} days", p.retention_days),
    ];
    if let Some(n) = p.max_concurrent_runs {
        features.push(format!("{} runs at once", thousands(n)));
    }
    if let Some(price) = p.overage_per_1000_executions {
        features.push(format!(
            "{} per 1,000 extra executions",
            money(price, &p.currency)
        ));
    }
    if p.trial_days > 0 {
        features.push(format!("{}-day free trial", p.trial_days));
    }
    PlanCard {
        id: p.id.clone(),
        name: p.name.clone(),
        monthly_price: p.monthly_price,
        currency: p.currency.clone(),
        features,
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Cents as money: `2400, "usd"` → `$24.00`.
pub fn money(cents: i64, currency: &str) -> String {
    let amount = format!("{}.{:02}", cents / 100, (cents % 100).abs());
    match currency {
        "usd" => format!("${amount}"),
        "eur" => format!("€{amount}"),
        "gbp" => format!("£{amount}"),
        other => format!("{amount} {}", other.to_uppercase()),
    }
}

#[server(prefix = "/sfn", endpoint = "billing")]
pub async fn get_billing() -> Result<BillingView, ServerFnError> {
    let p = require_principal()?;
    let billing = context()?.billing;
    let o = billing.overview(&p).await.map_err(server_error)?;
    let plans = billing.plans(false).await.map_err(server_error)?;
    let mut usage: Vec<UsageBar> = o
        .meters
        .iter()
        .filter(|m| m.meter != agente_core::Meter::MarketplaceSales)
        .map(|m| UsageBar {
            label: match m.meter {
                agente_core::Meter::Executions => "Executions",
                _ => "AI tokens",
            }
            .into(),
            used: m.used,
            limit: m.included,
            hard: m.hard,
            overage_cost: m.overage_cost,
            currency: o.plan.currency.clone(),
        })
        .collect();
    usage.extend(o.limits.iter().map(|l| {
        UsageBar {
            label: match l.limit {
                agente_core::Limit::ActiveWorkflows => "Active workflows",
                agente_core::Limit::Members => "Members",
            }
            .into(),
            used: l.current,
            limit: l.max,
            hard: true,
            overage_cost: 0,
            currency: o.plan.currency.clone(),
        }
    }));
    let invoices = billing
        .invoices(&p)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "invoices could not be listed");
            Vec::new()
        })
        .into_iter()
        .map(|i| InvoiceRow {
            number: i.number.clone().unwrap_or_else(|| i.id.clone()),
            created: i.created,
            total: money(i.total, &i.currency),
            status: i.status,
            pdf: i.invoice_pdf,
            page: i.hosted_invoice_url,
        })
        .collect();
    Ok(BillingView {
        takes_payments: billing.takes_payments(),
        subscribed: o.provider == agente_billing::ProviderKind::Stripe
            && matches!(
                o.status,
                agente_billing::Status::Active
                    | agente_billing::Status::Trialing
                    | agente_billing::Status::PastDue
            ),
        invoices,
        recommendation: o.recommendation.as_ref().map(|r| {
            let verb = match r.direction {
                agente_billing::recommend::Direction::Upgrade => "Upgrade",
                agente_billing::recommend::Direction::Downgrade => "Switch",
            };
            (format!("{verb} to {}", r.plan_name), r.reason.clone())
        }),
        plan: card(&o.plan),
        lapsed_from: (o.subscribed_plan != o.plan.id).then(|| o.subscribed_plan.clone()),
        status: o.status.as_str().replace('_', " "),
        provider: o.provider.as_str().into(),
        period_start: o.period.start,
        period_end: o.period.end,
        cancel_at_period_end: o.cancel_at_period_end,
        usage,
        plans: plans.iter().map(card).collect(),
        can_change: p.role == agente_core::Role::Owner,
    })
}

/// This month's figures across tenants, for operators.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RevenueView {
    pub mrr: String,
    pub subscriptions: Vec<(String, u64)>,
    pub churned: u64,
    pub churn_percent: f64,
    pub usage_revenue: String,
}

/// The operator's revenue report; `None` for everyone else.
#[server(prefix = "/sfn", endpoint = "billing_revenue")]
pub async fn get_revenue() -> Result<Option<RevenueView>, ServerFnError> {
    let p = require_principal()?;
    match context()?.billing.revenue(&p).await {
        Ok(r) => Ok(Some(RevenueView {
            mrr: money(r.mrr, "usd"),
            subscriptions: r.subscriptions.into_iter().collect(),
            churned: r.churned,
            churn_percent: r.churn_percent,
            usage_revenue: money(r.usage_revenue, "usd"),
        })),
        Err(agente_billing::BillingError::Auth(_)) => Ok(None),
        Err(e) => Err(server_error(e)),
    }
}

#[server(prefix = "/sfn", endpoint = "billing_change_plan")]
pub async fn change_plan(plan: String) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    context()?
        .billing
        .change_plan(&p, &plan)
        .await
        .map_err(server_error)
}

/// A Stripe Checkout page for `plan`; the browser goes there.
#[server(prefix = "/sfn", endpoint = "billing_checkout")]
pub async fn start_checkout(plan: String) -> Result<String, ServerFnError> {
    let p = require_principal()?;
    let ctx = context()?;
    let email = ctx
        .auth
        .me(&p)
        .await
        .map_err(server_error)?
        .email
        .unwrap_or_default();
    ctx.billing
        .checkout(&p, &plan, &email)
        .await
        .map_err(server_error)
}

/// A Stripe Customer Portal page (payment methods, invoices); the browser goes there.
#[server(prefix = "/sfn", endpoint = "billing_portal")]
pub async fn open_portal() -> Result<String, ServerFnError> {
    let p = require_principal()?;
    context()?.billing.portal(&p).await.map_err(server_error)
}

#[server(prefix = "/sfn", endpoint = "billing_cancel")]
pub async fn cancel_subscription(cancel: bool) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    let billing = context()?.billing;
    let done = if cancel {
        billing.cancel_at_period_end(&p).await
    } else {
        billing.resume(&p).await
    };
    done.map_err(server_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_prices() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(10_000_000), "10,000,000");
        assert_eq!(money(2_400, "usd"), "$24.00");
        assert_eq!(money(5, "eur"), "€0.05");
        assert_eq!(money(1_999, "sek"), "19.99 SEK");
    }
}
