//! The operator's plan editor: every plan (archived ones too) as a form, saved whole.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::{context, require_principal, server_error};

/// A plan as its form shows it: money as decimals ("24.00"), counts with blank meaning
/// unlimited, overage prices with blank meaning "refused past the included amount".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanForm {
    pub id: String,
    pub name: String,
    pub position: String,
    pub monthly_price: String,
    pub currency: String,
    pub included_executions: String,
    pub included_ai_tokens: String,
    pub max_active_workflows: String,
    pub max_members: String,
    pub max_concurrent_runs: String,
    pub retention_days: String,
    pub overage_per_1000_executions: String,
    pub overage_per_1000_ai_tokens: String,
    pub trial_days: String,
    /// A checkbox: absent when unticked.
    #[serde(default)]
    pub available: bool,
    pub stripe_price: String,
}

/// Cents as a decimal without a currency sign: `2400` → `24.00`.
pub fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// A decimal amount as cents: `24`, `24.5`, `1,024.00`; at most two decimals, never negative.
pub fn parse_cents(field: &str, text: &str) -> Result<i64, String> {
    let bad = || format!("{field}: `{text}` is not an amount such as 24.00");
    let clean: String = text.trim().chars().filter(|c| *c != ',').collect();
    let (whole, fraction) = clean.split_once('.').unwrap_or((&clean, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 2 {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(fraction))
        .ok_or_else(bad)
}

/// An optional amount: blank is `None`.
pub fn parse_optional_cents(field: &str, text: &str) -> Result<Option<i64>, String> {
    match text.trim() {
        "" => Ok(None),
        t => parse_cents(field, t).map(Some),
    }
}

/// A whole number (`10,000` allowed); blank is `None` (unlimited).
pub fn parse_count(field: &str, text: &str) -> Result<Option<u64>, String> {
    let clean: String = text.trim().chars().filter(|c| *c != ',').collect();
    if clean.is_empty() {
        return Ok(None);
    }
    clean
        .parse()
        .map(Some)
        .map_err(|_| format!("{field}: `{text}` is not a whole number (blank: unlimited)"))
}

#[cfg(any(feature = "ssr", test))]
fn parse_required<T: std::str::FromStr>(field: &str, text: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{field}: `{text}` is not a whole number"))
}

#[cfg(any(feature = "ssr", test))]
fn count_text(n: Option<u64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

impl PlanForm {
    #[cfg(feature = "ssr")]
    fn from_plan(p: &agente_billing::Plan) -> Self {
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            position: p.position.to_string(),
            monthly_price: cents_text(p.monthly_price),
            currency: p.currency.clone(),
            included_executions: count_text(p.included_executions),
            included_ai_tokens: count_text(p.included_ai_tokens),
            max_active_workflows: count_text(p.max_active_workflows),
            max_members: count_text(p.max_members),
            max_concurrent_runs: count_text(p.max_concurrent_runs),
            retention_days: p.retention_days.to_string(),
            overage_per_1000_executions: p
                .overage_per_1000_executions
                .map(cents_text)
                .unwrap_or_default(),
            overage_per_1000_ai_tokens: p
                .overage_per_1000_ai_tokens
                .map(cents_text)
                .unwrap_or_default(),
            trial_days: p.trial_days.to_string(),
            available: p.available,
            stripe_price: p.stripe_price.clone().unwrap_or_default(),
        }
    }

    /// The plan this form describes, or what is wrong with it (the plan's own rules are
    /// checked when it is saved).
    #[cfg(feature = "ssr")]
    fn to_plan(&self) -> Result<agente_billing::Plan, String> {
        Ok(agente_billing::Plan {
            id: self.id.trim().to_string(),
            name: self.name.trim().to_string(),
            position: parse_required("Position", &self.position)?,
            monthly_price: parse_cents("Price per month", &self.monthly_price)?,
            currency: self.currency.trim().to_lowercase(),
            included_executions: parse_count("Included executions", &self.included_executions)?,
            included_ai_tokens: parse_count("Included AI tokens", &self.included_ai_tokens)?,
            max_active_workflows: parse_count("Active workflows", &self.max_active_workflows)?,
            max_members: parse_count("Members", &self.max_members)?,
            max_concurrent_runs: parse_count("Concurrent runs", &self.max_concurrent_runs)?,
            retention_days: parse_required("Retention days", &self.retention_days)?,
            overage_per_1000_executions: parse_optional_cents(
                "Price per 1,000 extra executions",
                &self.overage_per_1000_executions,
            )?,
            overage_per_1000_ai_tokens: parse_optional_cents(
                "Price per 1,000 extra AI tokens",
                &self.overage_per_1000_ai_tokens,
            )?,
            trial_days: parse_required("Trial days", &self.trial_days)?,
            available: self.available,
            stripe_price: Some(self.stripe_price.trim().to_string()).filter(|s| !s.is_empty()),
        })
    }
}

/// Every plan as a form; `None` unless the caller is an operator.
#[server(prefix = "/sfn", endpoint = "billing_plans_all")]
pub async fn get_plan_forms() -> Result<Option<Vec<PlanForm>>, ServerFnError> {
    let p = require_principal()?;
    match context()?.billing.all_plans(&p).await {
        Ok(plans) => Ok(Some(plans.iter().map(PlanForm::from_plan).collect())),
        Err(agente_billing::BillingError::Auth(_)) => Ok(None),
        Err(e) => Err(server_error(e)),
    }
}

/// Creates or replaces a plan (operators only).
#[server(prefix = "/sfn", endpoint = "billing_save_plan")]
pub async fn save_plan(plan: PlanForm) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    let plan = plan.to_plan().map_err(ServerFnError::new)?;
    context()?
        .billing
        .save_plan(&p, plan)
        .await
        .map(|_| ())
        .map_err(server_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_and_write_as_decimals() {
        assert_eq!(parse_cents("p", "24"), Ok(2_400));
        assert_eq!(parse_cents("p", " 24.5 "), Ok(2_450));
        assert_eq!(parse_cents("p", "1,024.05"), Ok(102_405));
        assert_eq!(parse_cents("p", "0.00"), Ok(0));
        for bad in [
            "",
            "-1",
            "24.505",
            "2e3",
            ".5",
            "abc",
            "99999999999999999999",
        ] {
            let err = parse_cents("Price", bad).unwrap_err();
            assert!(err.starts_with("Price: "), "{bad}: {err}");
        }
        assert_eq!(parse_optional_cents("p", "  "), Ok(None));
        assert_eq!(cents_text(2_400), "24.00");
        assert_eq!(cents_text(5), "0.05");
        for cents in [0, 5, 99, 100, 2_450, 123_456] {
            assert_eq!(parse_cents("p", &cents_text(cents)), Ok(cents));
        }
    }

    #[test]
    fn counts_are_whole_numbers_or_unlimited() {
        assert_eq!(parse_count("n", ""), Ok(None));
        assert_eq!(parse_count("n", "10,000"), Ok(Some(10_000)));
        assert!(
            parse_count("Members", "2.5")
                .unwrap_err()
                .contains("Members")
        );
        assert!(parse_count("Members", "-3").is_err());
        assert_eq!(count_text(None), "");
        assert_eq!(count_text(Some(5)), "5");
    }
}
