//! A tenant's billing account: its plan, the state of its subscription, and which plan's
//! limits that state gives it.

use crate::plan::FREE;
use chrono::{DateTime, Datelike, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// A subscription's state, as Stripe names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Trialing,
    /// A payment failed; the plan holds for the grace period, then Free.
    PastDue,
    Unpaid,
    Canceled,
    Incomplete,
    IncompleteExpired,
    Paused,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Active,
        Status::Trialing,
        Status::PastDue,
        Status::Unpaid,
        Status::Canceled,
        Status::Incomplete,
        Status::IncompleteExpired,
        Status::Paused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Trialing => "trialing",
            Status::PastDue => "past_due",
            Status::Unpaid => "unpaid",
            Status::Canceled => "canceled",
            Status::Incomplete => "incomplete",
            Status::IncompleteExpired => "incomplete_expired",
            Status::Paused => "paused",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Who takes the money.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// No payment: plans are enforced, nothing is charged (the embedded default).
    Local,
    Stripe,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Local => "local",
            ProviderKind::Stripe => "stripe",
        }
    }
}

/// A tenant's billing account as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    pub plan_id: String,
    pub status: Status,
    pub provider: ProviderKind,
    pub customer_id: Option<String>,
    pub subscription_id: Option<String>,
    pub period_start: Option<i64>,
    pub period_end: Option<i64>,
    pub cancel_at_period_end: bool,
    pub trial_end: Option<i64>,
    pub past_due_since: Option<i64>,
    /// When the subscription ended (churn).
    pub canceled_at: Option<i64>,
}

impl Account {
    /// A tenant that never chose a plan.
    pub fn default_for(plan_id: &str) -> Self {
        Account {
            plan_id: plan_id.into(),
            status: Status::Active,
            provider: ProviderKind::Local,
            customer_id: None,
            subscription_id: None,
            period_start: None,
            period_end: None,
            cancel_at_period_end: false,
            trial_end: None,
            past_due_since: None,
            canceled_at: None,
        }
    }

    /// The plan whose limits apply at `now_ms`: the subscribed one while the subscription
    /// is active or trialing, or past due within `grace_ms`; Free otherwise. A subscription
    /// set to cancel at its period's end ends there even before the provider says so.
    pub fn effective_plan(&self, now_ms: i64, grace_ms: i64) -> &str {
        let ended = self.cancel_at_period_end && self.period_end.is_some_and(|end| now_ms >= end);
        let good = match self.status {
            Status::Active | Status::Trialing => true,
            Status::PastDue => self
                .past_due_since
                .is_none_or(|since| now_ms < since.saturating_add(grace_ms)),
            _ => false,
        };
        if good && !ended { &self.plan_id } else { FREE }
    }

    /// The billing period containing `now_ms`: the subscription's when `now_ms` is inside
    /// it, else the calendar month (UTC).
    pub fn period(&self, now_ms: i64) -> Period {
        match (self.period_start, self.period_end) {
            (Some(start), Some(end)) if start <= now_ms && now_ms < end => Period { start, end },
            _ => Period::month_of(now_ms),
        }
    }
}

/// `[start, end)` in Unix milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub start: i64,
    pub end: i64,
}

impl Period {
    /// The calendar month (UTC) containing `ms`.
    pub fn month_of(ms: i64) -> Period {
        let t = DateTime::from_timestamp_millis(ms).unwrap_or_default();
        let first = |y, m| {
            Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0)
                .single()
                .map(|d| d.timestamp_millis())
                .unwrap_or_default()
        };
        let (y, m) = (t.year(), t.month());
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        Period {
            start: first(y, m),
            end: first(ny, nm),
        }
    }

    /// A short name: the start date (`2026-11-01`).
    pub fn label(&self) -> String {
        DateTime::from_timestamp_millis(self.start)
            .unwrap_or_default()
            .format("%Y-%m-%d")
            .to_string()
    }
}

/// Unix milliseconds as ISO-8601 UTC (seconds).
pub fn iso(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn on(plan: &str, status: Status) -> Account {
        Account {
            status,
            ..Account::default_for(plan)
        }
    }

    #[test]
    fn status_decides_the_plan_that_applies() {
        assert_eq!(on("pro", Status::Active).effective_plan(0, DAY), "pro");
        assert_eq!(on("pro", Status::Trialing).effective_plan(0, DAY), "pro");
        assert_eq!(on("pro", Status::Unpaid).effective_plan(0, DAY), FREE);
        assert_eq!(on("pro", Status::Canceled).effective_plan(0, DAY), FREE);
        assert_eq!(on("pro", Status::Incomplete).effective_plan(0, DAY), FREE);
    }

    #[test]
    fn past_due_keeps_the_plan_for_the_grace_period() {
        let a = Account {
            past_due_since: Some(10 * DAY),
            ..on("business", Status::PastDue)
        };
        assert_eq!(a.effective_plan(10 * DAY, 7 * DAY), "business");
        assert_eq!(a.effective_plan(17 * DAY - 1, 7 * DAY), "business");
        assert_eq!(a.effective_plan(17 * DAY, 7 * DAY), FREE);
    }

    #[test]
    fn cancelling_at_period_end_ends_at_the_end() {
        let a = Account {
            period_start: Some(0),
            period_end: Some(30 * DAY),
            cancel_at_period_end: true,
            ..on("pro", Status::Active)
        };
        assert_eq!(a.effective_plan(29 * DAY, DAY), "pro");
        assert_eq!(a.effective_plan(30 * DAY, DAY), FREE);
    }

    #[test]
    fn periods_are_the_subscriptions_or_calendar_months() {
        // 2026-11-29T12:00:00Z
        let now = 1_795_953_600_000;
        let month = Period::month_of(now);
        assert_eq!(month.label(), "2026-11-01");
        assert_eq!(iso(month.end), "2026-12-01T00:00:00Z");
        let dec = Period::month_of(Period::month_of(month.end).start + DAY * 20);
        assert_eq!(iso(dec.end), "2027-01-01T00:00:00Z");
        let a = Account {
            period_start: Some(now - DAY),
            period_end: Some(now + DAY),
            ..on("pro", Status::Active)
        };
        assert_eq!(a.period(now).start, now - DAY);
        assert_eq!(a.period(now + 2 * DAY), Period::month_of(now + 2 * DAY));
    }
}
