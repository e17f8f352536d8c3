//! Which plan suits a tenant, from its use so far this period: each offered plan's cost for
//! the use projected to the period's end (monthly price plus overage), among the plans that
//! would refuse none of it and fit its active workflows and members. A cheaper plan is
//! recommended only with room to spare (the projection at most 80 % of its allowances), so
//! a tenant is not sent back and forth around a limit.

use crate::Plan;
use crate::plan::Allowance;
use agente_core::{Limit, Meter};
use serde::Serialize;

/// Early in a period a few days' use says little: the projection counts at least this
/// share of the period as gone.
const MIN_ELAPSED: f64 = 0.25;
/// A cheaper plan must leave this much of its allowances unused.
const DOWNGRADE_HEADROOM: f64 = 0.8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Upgrade,
    Downgrade,
}

/// A plan to move to, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    pub direction: Direction,
    pub plan_id: String,
    pub plan_name: String,
    /// In words, with the figures.
    pub reason: String,
}

/// What the tenant uses: metered use so far and the share of the period gone, and counts.
pub struct Use<'a> {
    pub metered: &'a [(Meter, u64)],
    /// 0 at the period's start, 1 at its end.
    pub elapsed: f64,
    pub counts: &'a [(Limit, u64)],
}

impl Use<'_> {
    fn projected(&self, meter: Meter) -> u64 {
        let used = self
            .metered
            .iter()
            .find(|(m, _)| *m == meter)
            .map_or(0, |(_, n)| *n);
        (used as f64 / self.elapsed.clamp(MIN_ELAPSED, 1.0)).ceil() as u64
    }
}

/// The projected period's cost on `plan` in cents, or `None` when the plan would refuse
/// some of the use (a hard allowance passed, a count over its limit). With `headroom` below
/// 1, the projection must also stay within that share of every allowance (overage included).
fn cost(plan: &Plan, usage: &Use<'_>, headroom: f64) -> Option<i64> {
    let mut total = plan.monthly_price;
    for meter in [Meter::Executions, Meter::AiTokens] {
        let projected = usage.projected(meter) as f64;
        let allowance = plan.allowance(meter);
        let within = |n: u64, share: f64| projected <= n as f64 * share;
        match allowance {
            Allowance::Unlimited => {}
            // At a hard allowance the next use is refused already.
            Allowance::Hard(n) if !within(n, headroom) || projected >= n as f64 => return None,
            Allowance::Soft { included, .. } if headroom < 1.0 && !within(included, headroom) => {
                return None;
            }
            _ => {}
        }
        total += plan.overage_cost(meter, projected as u64);
    }
    let fits = usage
        .counts
        .iter()
        .all(|(limit, current)| plan.limit(*limit).is_none_or(|max| *current <= max));
    fits.then_some(total)
}

/// The plan to move to from `current`, if another of `plans` (the offered ones) serves the
/// projected use for less, or serves use `current` would refuse.
pub fn recommend(current: &Plan, plans: &[Plan], usage: &Use<'_>) -> Option<Recommendation> {
    let current_cost = cost(current, usage, 1.0);
    let (best, best_cost) = plans
        .iter()
        .filter(|p| p.available && p.id != current.id)
        .filter_map(|p| {
            // A cheaper plan must fit with room to spare.
            let headroom = if p.position < current.position {
                DOWNGRADE_HEADROOM
            } else {
                1.0
            };
            cost(p, usage, headroom).map(|c| (p, c))
        })
        .min_by_key(|(p, c)| (*c, p.position))?;
    let better = match current_cost {
        None => true,
        Some(now) => best_cost < now,
    };
    if !better {
        return None;
    }
    let direction = if best.position > current.position {
        Direction::Upgrade
    } else {
        Direction::Downgrade
    };
    let executions = usage.projected(Meter::Executions);
    let money = |cents: i64| {
        format!(
            "{:.2} {}",
            cents as f64 / 100.0,
            best.currency.to_uppercase()
        )
    };
    let reason = match current_cost {
        None => format!(
            "At this rate the {} plan will refuse work this period (about {executions} executions projected); {} allows it for {} a month.",
            current.name,
            best.name,
            money(best_cost)
        ),
        Some(now) => format!(
            "At this rate this period costs about {} on {} and {} on {} (about {executions} executions projected).",
            money(now),
            current.name,
            money(best_cost),
            best.name
        ),
    };
    Some(Recommendation {
        direction,
        plan_id: best.id.clone(),
        plan_name: best.name.clone(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::built_in;

    fn plan(plans: &[Plan], id: &str) -> Plan {
        plans.iter().find(|p| p.id == id).unwrap().clone()
    }

    fn usage<'a>(metered: &'a [(Meter, u64)], elapsed: f64, counts: &'a [(Limit, u64)]) -> Use<'a> {
        Use {
            metered,
            elapsed,
            counts,
        }
    }

    #[test]
    fn a_free_tenant_about_to_be_refused_is_told_to_upgrade() {
        let plans = built_in();
        // 600 of Free's 1,000 executions at a third of the period: ~1,800 projected.
        let u = usage(&[(Meter::Executions, 600)], 1.0 / 3.0, &[]);
        let r = recommend(&plan(&plans, "free"), &plans, &u).unwrap();
        assert_eq!(
            (r.direction, r.plan_id.as_str()),
            (Direction::Upgrade, "pro")
        );
        assert!(r.reason.contains("refuse"), "{}", r.reason);
    }

    #[test]
    fn overage_past_a_bigger_plans_price_recommends_it() {
        let plans = built_in();
        // Pro: $24 + 10k included, $2 per 1,000 past it. 60k projected costs $124 on Pro,
        // $99 on Business (100k included).
        let u = usage(&[(Meter::Executions, 30_000)], 0.5, &[]);
        let r = recommend(&plan(&plans, "pro"), &plans, &u).unwrap();
        assert_eq!(
            (r.direction, r.plan_id.as_str()),
            (Direction::Upgrade, "business")
        );
        assert!(
            r.reason.contains("124.00") && r.reason.contains("99.00"),
            "{}",
            r.reason
        );
    }

    #[test]
    fn a_quiet_tenant_is_told_to_downgrade_only_with_room_to_spare() {
        let plans = built_in();
        let business = plan(&plans, "business");
        // 5k a month fits Pro's 10k with room: Pro is cheaper.
        let quiet = usage(&[(Meter::Executions, 2_500)], 0.5, &[]);
        let r = recommend(&business, &plans, &quiet).unwrap();
        assert_eq!(
            (r.direction, r.plan_id.as_str()),
            (Direction::Downgrade, "pro")
        );
        // 9.5k is within Pro's 10k but without room: stay.
        let edge = usage(&[(Meter::Executions, 4_750)], 0.5, &[]);
        let r = recommend(&business, &plans, &edge);
        assert!(r.is_none() || r.unwrap().plan_id != "pro");
    }

    #[test]
    fn counts_over_a_plans_limit_rule_it_out_and_a_fitting_plan_stays() {
        let plans = built_in();
        let free = plan(&plans, "free");
        // Light use, but more members than Free allows: nothing cheaper than Pro.
        let crowded = usage(&[(Meter::Executions, 10)], 0.5, &[(Limit::Members, 5)]);
        let r = recommend(&plan(&plans, "pro"), &plans, &crowded);
        assert!(r.is_none(), "{r:?}");
        let fine = usage(&[(Meter::Executions, 100)], 0.5, &[(Limit::Members, 1)]);
        assert!(recommend(&free, &plans, &fine).is_none());
    }
}
