//! How a workflow starts, read from the request: a schedule, a webhook, another workflow's
//! failure or call, or by hand. The words that said so are cut from the request so they are
//! not read again as steps.

use super::params;
use super::steps::Step;
use regex::Regex;
use serde_json::json;
use std::sync::LazyLock;

const DAYS: &str =
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun";

static SCHEDULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:\bat\s+\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm)?\s+)?(?:\b(?:every|each)\s+(?:\d+\s+)?(?:other\s+)?(?:seconds?|minutes?|hours?|days?|weeks?|months?|morning|evening|night|weekdays?|business\s+days?|working\s+days?|{DAYS})\b(?:\s*(?:,|and)\s*(?:{DAYS})\b)*|\b(?:daily|hourly|weekly|monthly|nightly)\b|\bon\s+(?:weekdays|(?:{DAYS})s?)\b|\bcron\s+`?(?:[\d*/,-]+\s+){{4,5}}(?:[\d*/,?-]+|(?:mon|tue|wed|thu|fri|sat|sun)(?:[-,](?:mon|tue|wed|thu|fri|sat|sun))*)`?)(?:\s+(?:at|on|from)\s+(?:the\s+)?(?:\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm|st|nd|rd|th)?|noon|midnight|weekdays|(?:{DAYS})s?)\b)*"
    ))
    .expect("a valid pattern")
});
static WEBHOOK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:when(?:ever)?|on|once|if)\b[^,.;]*?\b(?:webhook|http request|request (?:comes in|arrives|is received)|(?:is|gets) (?:called|posted|hit)|receives? (?:a|an)\s+(?:post|get|request|http|webhook|payload|form)|form (?:is )?submitted|posted to)\b[^,.;]*|\b(?:via|from|by|receive|on)\s+(?:a |an |the )?webhook\b|\bincoming (?:webhook|request)s?(?: data)?\b|\b(?:a|an) (?:webhook|api endpoint)\b(?: that| which)?")
        .expect("a valid pattern")
});
static ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bwhen(?:ever)?\s+(?:a|any|another|one of my|some)\s+workflows?\s+(?:fails|errors|crashes|breaks)[^,.;]*|\bon (?:workflow )?(?:errors?|failures?)\b|\berror workflow\b").expect("a valid pattern")
});
static CALLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bwhen (?:it is |this is )?(?:called|started|run|triggered) (?:by|from) (?:another|a parent|other) workflows?[^,.;]*").expect("a valid pattern")
});
static MANUAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:manually|on demand|when i (?:click|press|run)[^,.;]*)")
        .expect("a valid pattern")
});

/// The trigger the request asks for, and the request without the words that asked.
pub fn trigger(request: &str) -> (Step, String) {
    let cut = |m: regex::Match<'_>| format!("{}, {}", &request[..m.start()], &request[m.end()..]);
    if let Some(m) = ERROR.find(request) {
        let step = Step {
            kind: "n8n-nodes-base.errorTrigger",
            version: 1.0,
            name: "Error Trigger",
            parameters: json!({}),
        };
        return (step, cut(m));
    }
    if let Some(m) = CALLED.find(request) {
        let step = Step {
            kind: "n8n-nodes-base.executeWorkflowTrigger",
            version: 1.1,
            name: "When Executed by Another Workflow",
            parameters: json!({ "inputSource": "passthrough" }),
        };
        return (step, cut(m));
    }
    if let Some(m) = WEBHOOK.find(request) {
        return (webhook(m.as_str()), cut(m));
    }
    if let Some(m) = SCHEDULE.find(request) {
        return (schedule(m.as_str()), cut(m));
    }
    if let Some(m) = MANUAL.find(request) {
        return (manual(), cut(m));
    }
    (manual(), request.to_string())
}

pub fn manual() -> Step {
    Step {
        kind: "n8n-nodes-base.manualTrigger",
        version: 1.0,
        name: "When clicking ‘Execute workflow’",
        parameters: json!({}),
    }
}

pub fn webhook(words: &str) -> Step {
    let lower = words.to_lowercase();
    let method = if lower.contains("get request") || lower.contains(" get ") {
        "GET"
    } else {
        "POST"
    };
    let path = uuid::Uuid::new_v4().to_string();
    Step {
        kind: "n8n-nodes-base.webhook",
        version: 2.0,
        name: "Webhook",
        parameters: json!({ "httpMethod": method, "path": path, "responseMode": "onReceived", "options": {} }),
    }
}

/// The Schedule Trigger's `rule.interval` for the words that asked for it.
fn schedule(words: &str) -> Step {
    let lower = words.to_lowercase();
    let (hour, minute) = params::time_of_day(&lower).unwrap_or(if lower.contains("evening") {
        (18, 0)
    } else if lower.contains("night") {
        (22, 0)
    } else if lower.contains("morning") {
        (8, 0)
    } else {
        (9, 0)
    });
    let days = params::weekdays(&lower);
    let interval = if let Some(expression) = params::cron(&lower) {
        json!({ "field": "cronExpression", "expression": expression })
    } else if let Some((n, unit)) = params::every(&lower) {
        match unit.as_str() {
            "second" => json!({ "field": "seconds", "secondsInterval": n }),
            "minute" => json!({ "field": "minutes", "minutesInterval": n }),
            "hour" => json!({ "field": "hours", "hoursInterval": n, "triggerAtMinute": minute }),
            "week" => {
                json!({ "field": "weeks", "weeksInterval": n, "triggerAtDay": if days.is_empty() { vec![1] } else { days }, "triggerAtHour": hour, "triggerAtMinute": minute })
            }
            "month" => {
                json!({ "field": "months", "monthsInterval": n, "triggerAtDayOfMonth": params::day_of_month(&lower).unwrap_or(1), "triggerAtHour": hour, "triggerAtMinute": minute })
            }
            _ => {
                json!({ "field": "days", "daysInterval": n, "triggerAtHour": hour, "triggerAtMinute": minute })
            }
        }
    } else if lower.contains("minute") {
        json!({ "field": "minutes", "minutesInterval": 1 })
    } else if lower.contains("hour") {
        json!({ "field": "hours", "hoursInterval": 1, "triggerAtMinute": 0 })
    } else if !days.is_empty() || lower.contains("week") {
        json!({ "field": "weeks", "weeksInterval": 1, "triggerAtDay": if days.is_empty() { vec![1] } else { days }, "triggerAtHour": hour, "triggerAtMinute": minute })
    } else if lower.contains("month") {
        let day = params::day_of_month(&lower).unwrap_or(1);
        json!({ "field": "months", "monthsInterval": 1, "triggerAtDayOfMonth": day, "triggerAtHour": hour, "triggerAtMinute": minute })
    } else {
        json!({ "field": "days", "daysInterval": 1, "triggerAtHour": hour, "triggerAtMinute": minute })
    };
    Step {
        kind: "n8n-nodes-base.scheduleTrigger",
        version: 1.2,
        name: "Schedule Trigger",
        parameters: json!({ "rule": { "interval": [interval] } }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(request: &str) -> serde_json::Value {
        let (step, _) = trigger(request);
        assert_eq!(step.kind, "n8n-nodes-base.scheduleTrigger", "{request}");
        step.parameters["rule"]["interval"][0].clone()
    }

    #[test]
    fn schedules_are_read_from_plain_words() {
        let i = interval("Every Monday at 9, fetch the report");
        assert_eq!(
            (i["field"].as_str(), &i["triggerAtDay"], &i["triggerAtHour"]),
            (Some("weeks"), &json!([1]), &json!(9))
        );
        assert_eq!(
            interval("every 15 minutes check the API")["minutesInterval"],
            15
        );
        assert_eq!(
            interval("daily at 5:30pm send a summary")["triggerAtHour"],
            17
        );
        assert_eq!(interval("hourly, sync contacts")["field"], "hours");
        assert_eq!(
            interval("on weekdays at 8am post to slack")["triggerAtDay"],
            json!([1, 2, 3, 4, 5])
        );
        assert_eq!(
            interval("monthly on the 15th at 10 send invoices")["triggerAtDayOfMonth"],
            15
        );
        assert_eq!(
            interval("run on cron 0 */2 * * * and ping")["expression"],
            "0 */2 * * *"
        );
    }

    #[test]
    fn other_triggers_and_what_is_left() {
        let (step, rest) = trigger("When a webhook is called, save the payload and respond");
        assert_eq!(step.kind, "n8n-nodes-base.webhook");
        assert!(!rest.to_lowercase().contains("webhook"), "{rest}");
        assert!(rest.contains("save the payload"));
        assert_eq!(
            trigger("When any workflow fails, alert me on Slack").0.kind,
            "n8n-nodes-base.errorTrigger"
        );
        assert_eq!(
            trigger("when called by another workflow, hash the data")
                .0
                .kind,
            "n8n-nodes-base.executeWorkflowTrigger"
        );
        assert_eq!(
            trigger("sort the list by name").0.kind,
            "n8n-nodes-base.manualTrigger"
        );
        assert_eq!(
            trigger("for every item, send an email").0.kind,
            "n8n-nodes-base.manualTrigger",
            "`every item` is not a schedule"
        );
    }
}
