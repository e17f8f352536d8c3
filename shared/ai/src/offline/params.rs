//! Reading parameters out of a request's words: URLs, addresses, numbers, channels,
//! comparisons, times of day, field names.

use regex::Regex;
use std::sync::LazyLock;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid pattern")
}

static URL: LazyLock<Regex> = LazyLock::new(|| re(r#"https?://[^\s"'<>,]+[^\s"'<>,.)]"#));
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| re(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"));
static CHANNEL: LazyLock<Regex> = LazyLock::new(|| re(r"#([a-z0-9_-]+)|\bchannel\s+([a-z0-9_-]+)"));
static QUOTED: LazyLock<Regex> = LazyLock::new(|| re(r#""([^"]+)"|'([^']+)'|“([^”]+)”"#));
static NUMBER: LazyLock<Regex> = LazyLock::new(|| re(r"\b(\d+)\b"));
static COMPARISON: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:the\s+)?([a-z_][a-z0-9_.]*)\s+(?:is\s+|are\s+)?(>=|<=|!=|==|=|>|<|greater than or equal to|at least|at most|less than or equal to|greater than|more than|bigger than|larger than|higher than|over|above|exceeds|less than|smaller than|lower than|under|below|equals|equal to|is not|isn't|contains|includes|is|starts with|ends with)\s+([^\s,;]+(?:\s+[^\s,;]+)?)",
    )
});
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\bat\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|h)?\b|\b(noon|midnight)\b")
});
static EVERY: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\bevery\s+(\d+)\s+(second|minute|hour|day|week|month)s?\b"));
static CRON: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|\s)((?:[\d*/,-]+\s+){4,5}(?:[\d*/,?-]+|(?:mon|tue|wed|thu|fri|sat|sun)(?:[-,](?:mon|tue|wed|thu|fri|sat|sun))*))\s*$|cron\s+`?((?:[\d*/,-]+\s+){4,5}(?:[\d*/,?-]+|(?:mon|tue|wed|thu|fri|sat|sun)(?:[-,](?:mon|tue|wed|thu|fri|sat|sun))*))`?",
    )
});
static ORDINAL: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(\d{1,2})(?:st|nd|rd|th)\b"));
static NOISE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"https?://\S+|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|#[A-Za-z0-9_-]+|"[^"]*"|'[^']*'|“[^”]*”"#,
    )
});
static FIELD_AFTER: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:by|on|of|field|the)\s+([a-z_][a-z0-9_]*)"));

pub fn url(text: &str) -> Option<String> {
    URL.find(text).map(|m| m.as_str().to_string())
}

pub fn email(text: &str) -> Option<String> {
    EMAIL.find(text).map(|m| m.as_str().to_string())
}

pub fn channel(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let c = CHANNEL.captures(&lower)?;
    let name = c.get(1).or_else(|| c.get(2))?.as_str().to_string();
    Some(format!("#{name}"))
}

pub fn quoted(text: &str) -> Option<String> {
    let c = QUOTED.captures(text)?;
    Some(
        c.get(1)
            .or_else(|| c.get(2))
            .or_else(|| c.get(3))?
            .as_str()
            .to_string(),
    )
}

/// A day of the month written as an ordinal (`the 15th`).
pub fn day_of_month(text: &str) -> Option<u64> {
    let day: u64 = ORDINAL.captures(text)?[1].parse().ok()?;
    (1..=31).contains(&day).then_some(day)
}

/// The clause without its values (addresses, channels, quoted text): what is left says
/// what to do, not with what.
pub fn without_values(text: &str) -> String {
    NOISE.replace_all(text, " ").into_owned()
}

pub fn number(text: &str) -> Option<u64> {
    NUMBER.captures(text)?.get(1)?.as_str().parse().ok()
}

/// `every N units`.
pub fn every(text: &str) -> Option<(u64, String)> {
    let c = EVERY.captures(text)?;
    Some((c[1].parse().ok()?, c[2].to_lowercase()))
}

/// A time of day (`at 9`, `at 9:30`, `at 5pm`, `noon`): (hour, minute).
pub fn time_of_day(text: &str) -> Option<(u32, u32)> {
    let c = TIME.captures(text)?;
    if let Some(word) = c.get(4) {
        return Some(if word.as_str().eq_ignore_ascii_case("noon") {
            (12, 0)
        } else {
            (0, 0)
        });
    }
    let mut hour: u32 = c[1].parse().ok()?;
    let minute: u32 = c.get(2).map_or(Ok(0), |m| m.as_str().parse()).ok()?;
    let suffix = c
        .get(3)
        .map(|m| m.as_str().to_lowercase())
        .unwrap_or_default();
    if suffix.starts_with('p') && hour < 12 {
        hour += 12;
    }
    if suffix.starts_with('a') && hour == 12 {
        hour = 0;
    }
    (hour < 24 && minute < 60).then_some((hour, minute))
}

/// A cron expression written out (5 or 6 fields).
pub fn cron(text: &str) -> Option<String> {
    let c = CRON.captures(text.trim())?;
    Some(c.get(1).or_else(|| c.get(2))?.as_str().trim().to_string())
}

/// Days of the week named, n8n's numbering (Sunday 0).
pub fn weekdays(text: &str) -> Vec<u32> {
    let lower = text.to_lowercase();
    if lower.contains("weekday") || lower.contains("business day") || lower.contains("working day")
    {
        return vec![1, 2, 3, 4, 5];
    }
    let names = [
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
    ];
    names
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            lower.contains(*n)
                || lower.contains(&n[..3])
                    && lower
                        .split(|c: char| !c.is_alphabetic())
                        .any(|w| w == &n[..3])
        })
        .map(|(i, _)| i as u32)
        .collect()
}

/// A comparison of a field with a value: (field, n8n operator type, operation, value).
pub struct Comparison {
    pub field: String,
    pub kind: &'static str,
    pub operation: &'static str,
    pub value: serde_json::Value,
}

pub fn comparison(text: &str) -> Option<Comparison> {
    for c in COMPARISON.captures_iter(text) {
        let field = c[1].to_string();
        if [
            "if", "when", "only", "where", "it", "that", "which", "status",
        ]
        .contains(&field.as_str())
            && field != "status"
        {
            continue;
        }
        let op = c[2].to_lowercase();
        let raw = c[3]
            .trim()
            .trim_matches(|ch| ch == '"' || ch == '\'')
            .to_string();
        let first = raw
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_start_matches(['$', '€', '£']);
        let numeric = first.replace(',', "").parse::<f64>().ok();
        let (kind, operation) = match (op.as_str(), numeric) {
            (
                ">" | "greater than" | "more than" | "bigger than" | "larger than" | "higher than"
                | "over" | "above" | "exceeds",
                Some(_),
            ) => ("number", "gt"),
            (">=" | "at least" | "greater than or equal to", Some(_)) => ("number", "gte"),
            ("<" | "less than" | "smaller than" | "lower than" | "under" | "below", Some(_)) => {
                ("number", "lt")
            }
            ("<=" | "at most" | "less than or equal to", Some(_)) => ("number", "lte"),
            ("=" | "==" | "equals" | "equal to" | "is", Some(_)) => ("number", "equals"),
            ("!=" | "is not" | "isn't", Some(_)) => ("number", "notEquals"),
            ("contains" | "includes", _) => ("string", "contains"),
            ("starts with", _) => ("string", "startsWith"),
            ("ends with", _) => ("string", "endsWith"),
            ("!=" | "is not" | "isn't", None) => ("string", "notEquals"),
            ("=" | "==" | "equals" | "equal to" | "is", None) => ("string", "equals"),
            _ => continue,
        };
        let value = match numeric {
            Some(n) if kind == "number" => serde_json::json!(n),
            _ => serde_json::json!(first),
        };
        return Some(Comparison {
            field,
            kind,
            operation,
            value,
        });
    }
    None
}

/// The field a clause names after `by`/`on`/`field` (`sort by date` → `date`).
pub fn field(text: &str) -> Option<String> {
    const NOT_FIELDS: &[&str] = &[
        "a", "an", "the", "it", "them", "each", "every", "item", "items", "list", "data", "result",
        "results",
    ];
    FIELD_AFTER
        .captures_iter(text)
        .map(|c| c[1].to_lowercase())
        .find(|f| !NOT_FIELDS.contains(&f.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_come_out_of_plain_words() {
        assert_eq!(
            url("fetch https://api.example.com/orders, then"),
            Some("https://api.example.com/orders".into())
        );
        assert_eq!(
            email("mail it to boss@acme.io."),
            Some("boss@acme.io".into())
        );
        assert_eq!(
            channel("post to #sales-alerts"),
            Some("#sales-alerts".into())
        );
        assert_eq!(channel("in the channel general"), Some("#general".into()));
        assert_eq!(time_of_day("every Monday at 9"), Some((9, 0)));
        assert_eq!(time_of_day("daily at 5:30pm"), Some((17, 30)));
        assert_eq!(time_of_day("at noon"), Some((12, 0)));
        assert_eq!(every("every 15 minutes"), Some((15, "minute".into())));
        assert_eq!(weekdays("every Monday and Friday"), vec![1, 5]);
        assert_eq!(weekdays("on weekdays"), vec![1, 2, 3, 4, 5]);
        assert_eq!(cron("run on cron 0 9 * * 1-5"), Some("0 9 * * 1-5".into()));
        let c = comparison("if amount > 100 then").unwrap();
        assert_eq!(
            (c.field.as_str(), c.kind, c.operation),
            ("amount", "number", "gt")
        );
        assert_eq!(c.value, serde_json::json!(100.0));
        let c = comparison("when the status is paid").unwrap();
        assert_eq!((c.field.as_str(), c.operation), ("status", "equals"));
        assert_eq!(c.value, serde_json::json!("paid"));
        let c = comparison("only orders where total is greater than $50").unwrap();
        assert_eq!((c.field.as_str(), c.operation), ("total", "gt"));
        assert_eq!(
            field("sort by created_at descending"),
            Some("created_at".into())
        );
        assert_eq!(
            quoted(r#"say "Deploy finished""#),
            Some("Deploy finished".into())
        );
    }
}
