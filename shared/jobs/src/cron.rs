//! Cron patterns in a time zone: the one place the next firing of a schedule is computed
//! (the workflow crate turns Schedule Trigger rules into these patterns).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::CronParser;

/// A parsed cron pattern (five fields, or six with seconds first) in an IANA time zone.
#[derive(Clone, Debug)]
pub struct CronSchedule {
    pattern: String,
    timezone: Tz,
    cron: Cron,
}

impl CronSchedule {
    /// Parses `pattern` in `timezone`; the error says which of the two is wrong.
    pub fn parse(pattern: &str, timezone: &str) -> Result<Self, String> {
        let tz: Tz = timezone
            .parse()
            .map_err(|_| format!("`{timezone}` is not an IANA time zone"))?;
        Self::parse_in(pattern, tz)
    }

    pub fn parse_in(pattern: &str, timezone: Tz) -> Result<Self, String> {
        let cron = CronParser::new()
            .parse(pattern)
            .map_err(|e| format!("`{pattern}` is not a cron pattern: {e}"))?;
        Ok(Self {
            pattern: pattern.to_string(),
            timezone,
            cron,
        })
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    /// The first firing strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron
            .find_next_occurrence(&after.with_timezone(&self.timezone), false)
            .ok()
            .map(|at| at.with_timezone(&Utc))
    }

    /// The Monday-based week (since 1970, in this schedule's zone) holding instant `at_ms`.
    pub fn week_of(&self, at_ms: i64) -> i64 {
        let local = DateTime::from_timestamp_millis(at_ms)
            .unwrap_or_default()
            .with_timezone(&self.timezone)
            .date_naive();
        // 1970-01-01 was a Thursday: shifting by 3 days puts week starts on Mondays.
        (local
            .signed_duration_since(chrono::NaiveDate::default())
            .num_days()
            + 3)
        .div_euclid(7)
    }

    /// `next_after` in Unix milliseconds.
    pub fn next_after_ms(&self, after_ms: i64) -> Option<i64> {
        let after = DateTime::from_timestamp_millis(after_ms)?;
        self.next_after(after).map(|t| t.timestamp_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_firing_follows_the_zone_across_dst() {
        // 09:00 every day in Berlin: 08:00 UTC in summer, 07:00 UTC after the switch.
        let s = CronSchedule::parse("0 0 9 * * *", "Europe/Berlin").unwrap();
        let start = DateTime::parse_from_rfc3339("2026-10-24T00:00:00Z").unwrap();
        let summer = s.next_after(start.with_timezone(&Utc)).unwrap();
        assert_eq!(summer.to_rfc3339(), "2026-10-24T07:00:00+00:00");
        let winter = s.next_after(summer).unwrap();
        assert_eq!(winter.to_rfc3339(), "2026-10-25T08:00:00+00:00");
        assert_eq!(
            s.next_after_ms(winter.timestamp_millis()),
            Some(winter.timestamp_millis() + 86_400_000)
        );
        assert!(
            CronSchedule::parse("0 9 * * *", "Mars/Base")
                .unwrap_err()
                .contains("IANA")
        );
        assert!(
            CronSchedule::parse("every day", "UTC")
                .unwrap_err()
                .contains("cron")
        );
    }
}
