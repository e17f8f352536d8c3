//! Plans as data: what a tenant may use, what it costs, and what use past the included
//! amount costs. The four built-in plans are written to the database once; the operator
//! edits them there.

use agente_core::{Limit, Meter};
use serde::{Deserialize, Serialize};

/// The plan a tenant without a subscription has, and falls back to when one ends.
pub const FREE: &str = "free";

/// A plan. `None` in a limit means unlimited; `None` in an overage price means the included
/// amount is a hard limit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Plan {
    /// Stable key (`free`, `pro`, …): lower-case letters, digits and `-`.
    pub id: String,
    pub name: String,
    /// Order on the pricing page, cheapest first.
    pub position: i32,
    /// Price per month in the smallest unit of `currency` (cents).
    pub monthly_price: i64,
    /// ISO 4217, lower-case, as Stripe writes it.
    pub currency: String,
    /// Executions included per billing period.
    pub included_executions: Option<u64>,
    /// AI tokens included per billing period.
    pub included_ai_tokens: Option<u64>,
    pub max_active_workflows: Option<u64>,
    pub max_members: Option<u64>,
    /// Runs of one tenant the workers take at once (per queue); more wait their turn. None:
    /// the deployment's cap.
    #[serde(default)]
    pub max_concurrent_runs: Option<u64>,
    /// How long execution data is kept.
    pub retention_days: u32,
    /// Price of each 1,000 executions past the included ones; none: refused instead.
    pub overage_per_1000_executions: Option<i64>,
    /// Price of each 1,000 AI tokens past the included ones; none: refused instead.
    pub overage_per_1000_ai_tokens: Option<i64>,
    /// Days of free trial a new subscription to this plan starts with.
    #[serde(default)]
    pub trial_days: u32,
    /// Offered to tenants (an archived plan keeps its subscribers but takes no new ones).
    #[serde(default = "yes")]
    pub available: bool,
    /// Stripe's recurring price for the monthly fee, set by the operator.
    #[serde(default)]
    pub stripe_price: Option<String>,
}

fn yes() -> bool {
    true
}

/// How much of a meter a period includes and what happens past it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allowance {
    Unlimited,
    /// Included, then refused.
    Hard(u64),
    /// Included, then charged at the price per 1,000.
    Soft {
        included: u64,
        per_1000: i64,
    },
}

impl Allowance {
    pub fn included(self) -> Option<u64> {
        match self {
            Allowance::Unlimited => None,
            Allowance::Hard(n) | Allowance::Soft { included: n, .. } => Some(n),
        }
    }
}

impl Plan {
    pub fn allowance(&self, meter: Meter) -> Allowance {
        let (included, overage) = match meter {
            Meter::Executions => (self.included_executions, self.overage_per_1000_executions),
            Meter::AiTokens => (self.included_ai_tokens, self.overage_per_1000_ai_tokens),
            // Sales are the tenant's income, never capped.
            Meter::MarketplaceSales => (None, None),
        };
        match (included, overage) {
            (None, _) => Allowance::Unlimited,
            (Some(n), None) => Allowance::Hard(n),
            (Some(n), Some(per_1000)) => Allowance::Soft {
                included: n,
                per_1000,
            },
        }
    }

    pub fn limit(&self, limit: Limit) -> Option<u64> {
        match limit {
            Limit::ActiveWorkflows => self.max_active_workflows,
            Limit::Members => self.max_members,
        }
    }

    /// What the overage of `used` costs (cents), rounded up per started 1,000.
    pub fn overage_cost(&self, meter: Meter, used: u64) -> i64 {
        match self.allowance(meter) {
            Allowance::Soft { included, per_1000 } if used > included => {
                (used - included).div_ceil(1000) as i64 * per_1000
            }
            _ => 0,
        }
    }

    /// Checks an operator's edit; answers what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 40
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_ok {
            return Err("a plan id is 1–40 lower-case letters, digits or `-`".into());
        }
        if self.name.trim().is_empty() || self.name.len() > 60 {
            return Err("a plan name is 1–60 characters".into());
        }
        if self.monthly_price < 0
            || self.overage_per_1000_executions.is_some_and(|p| p < 0)
            || self.overage_per_1000_ai_tokens.is_some_and(|p| p < 0)
        {
            return Err("prices cannot be negative".into());
        }
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err("currency is a lower-case ISO 4217 code such as `usd`".into());
        }
        if self.retention_days == 0 || self.retention_days > 3650 {
            return Err("execution data is kept 1–3650 days".into());
        }
        if self.max_concurrent_runs == Some(0) {
            return Err("concurrent runs are at least 1 (blank: the server's limit)".into());
        }
        if self.trial_days > 365 {
            return Err("a trial lasts at most 365 days".into());
        }
        if self.id == FREE && self.monthly_price != 0 {
            return Err("the free plan costs nothing".into());
        }
        if let Some(price) = &self.stripe_price
            && !(price.starts_with("price_") || price.starts_with("plan_"))
        {
            return Err("a Stripe price id starts with `price_` (or `plan_`)".into());
        }
        Ok(())
    }
}

/// The plans a new installation starts with.
pub fn built_in() -> Vec<Plan> {
    let plan = |id: &str, name: &str, position, monthly_price| Plan {
        id: id.into(),
        name: name.into(),
        position,
        monthly_price,
        currency: "usd".into(),
        included_executions: None,
        included_ai_tokens: None,
        max_active_workflows: None,
        max_members: None,
        max_concurrent_runs: None,
        retention_days: 7,
        overage_per_1000_executions: None,
        overage_per_1000_ai_tokens: None,
        trial_days: 0,
        available: true,
        stripe_price: None,
    };
    vec![
        Plan {
            included_executions: Some(1_000),
            included_ai_tokens: Some(50_000),
            max_active_workflows: Some(5),
            max_members: Some(2),
            max_concurrent_runs: Some(2),
            retention_days: 7,
            ..plan(FREE, "Free", 0, 0)
        },
        Plan {
            included_executions: Some(10_000),
            included_ai_tokens: Some(1_000_000),
            max_active_workflows: Some(50),
            max_members: Some(5),
            max_concurrent_runs: Some(10),
            retention_days: 30,
            overage_per_1000_executions: Some(200),
            overage_per_1000_ai_tokens: Some(2),
            trial_days: 14,
            ..plan("pro", "Pro", 1, 2_400)
        },
        Plan {
            included_executions: Some(100_000),
            included_ai_tokens: Some(10_000_000),
            max_active_workflows: Some(500),
            max_members: Some(25),
            max_concurrent_runs: Some(50),
            retention_days: 90,
            overage_per_1000_executions: Some(100),
            overage_per_1000_ai_tokens: Some(1),
            trial_days: 14,
            ..plan("business", "Business", 2, 9_900)
        },
        Plan {
            retention_days: 365,
            ..plan("enterprise", "Enterprise", 3, 49_900)
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(id: &str) -> Plan {
        built_in().into_iter().find(|p| p.id == id).unwrap()
    }

    #[test]
    fn built_in_plans_are_valid_and_ordered() {
        let plans = built_in();
        for p in &plans {
            p.validate().unwrap();
        }
        assert!(plans.windows(2).all(|w| w[0].position < w[1].position));
        assert!(
            plans
                .windows(2)
                .all(|w| w[0].monthly_price < w[1].monthly_price)
        );
    }

    #[test]
    fn free_is_hard_pro_is_soft_enterprise_is_unlimited() {
        assert_eq!(
            get("free").allowance(Meter::Executions),
            Allowance::Hard(1_000)
        );
        assert_eq!(
            get("pro").allowance(Meter::Executions),
            Allowance::Soft {
                included: 10_000,
                per_1000: 200
            }
        );
        assert_eq!(
            get("enterprise").allowance(Meter::AiTokens),
            Allowance::Unlimited
        );
        assert_eq!(
            get("free").allowance(Meter::MarketplaceSales),
            Allowance::Unlimited
        );
    }

    #[test]
    fn overage_is_charged_per_started_thousand() {
        let pro = get("pro");
        assert_eq!(pro.overage_cost(Meter::Executions, 10_000), 0);
        assert_eq!(pro.overage_cost(Meter::Executions, 10_001), 200);
        assert_eq!(pro.overage_cost(Meter::Executions, 12_000), 400);
        assert_eq!(get("free").overage_cost(Meter::Executions, 5_000), 0);
    }

    #[test]
    fn bad_edits_are_refused() {
        let mut p = get("pro");
        p.id = "Pro Plan".into();
        assert!(p.validate().is_err());
        let mut p = get("pro");
        p.monthly_price = -1;
        assert!(p.validate().is_err());
        let mut p = get("free");
        p.monthly_price = 100;
        assert!(p.validate().is_err());
        let mut p = get("pro");
        p.stripe_price = Some("prod_123".into());
        assert!(p.validate().is_err());
        p.stripe_price = Some("price_123".into());
        p.validate().unwrap();
    }

    #[test]
    fn plans_refuse_unknown_fields() {
        let mut v = serde_json::to_value(get("pro")).unwrap();
        v["includedExecution"] = 5.into();
        assert!(serde_json::from_value::<Plan>(v).is_err());
    }
}
