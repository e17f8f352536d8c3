//! When schedule triggers fire: the Schedule Trigger's `rule.interval[]` and the legacy Cron
//! node's `triggerTimes.item[]` as cron patterns (seconds first) in the workflow's time
//! zone, and their next firing after an instant. The scheduler (background jobs) fires
//! them; activation uses this to refuse schedules that cannot run.

use agente_jobs::CronSchedule;
use agente_workflow_model::{Node, Workflow};
use chrono_tz::Tz;
use serde_json::Value;

/// One way a trigger fires.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// The node it belongs to.
    pub node: String,
    /// Six fields (second minute hour day-of-month month day-of-week) in the workflow's zone.
    pub cron: CronSchedule,
    /// Fires only every N-th week (Schedule Trigger's weeks interval); 1: every week.
    pub every_weeks: u32,
}

/// Every schedule of the workflow's enabled Schedule Trigger and Cron nodes.
pub fn schedules(workflow: &Workflow) -> Result<Vec<Schedule>, String> {
    let zone = workflow
        .setting("timezone")
        .and_then(Value::as_str)
        .filter(|z| !z.is_empty() && *z != "DEFAULT")
        .unwrap_or("UTC");
    let timezone: Tz = zone
        .parse()
        .map_err(|_| format!("the workflow's time zone `{zone}` is not an IANA time zone"))?;
    let mut out = Vec::new();
    for node in workflow.nodes().iter().filter(|n| !n.is_disabled()) {
        let patterns = match node.kind.as_str() {
            "n8n-nodes-base.scheduleTrigger" => schedule_trigger(node),
            "n8n-nodes-base.cron" => {
                legacy_cron(node).map(|list| list.into_iter().map(|p| (p, 1)).collect())
            }
            _ => continue,
        }
        .map_err(|e| format!("node `{}`: {e}", node.name))?;
        for (pattern, every_weeks) in patterns {
            let cron = CronSchedule::parse_in(&pattern, timezone)
                .map_err(|e| format!("node `{}`: {e}", node.name))?;
            out.push(Schedule {
                node: node.name.clone(),
                cron,
                every_weeks,
            });
        }
    }
    Ok(out)
}

fn num(v: &Value, key: &str, default: u64) -> u64 {
    match v.get(key) {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(default),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(default),
        _ => default,
    }
}

/// `*/n` for a step of n (n ≤ 1 means every one).
fn every(n: u64) -> String {
    if n <= 1 { "*".into() } else { format!("*/{n}") }
}

/// Schedule Trigger (v1.1+): intervals of seconds … months, or a cron expression, each with
/// its weeks interval (cron cannot say "every other week"; the scheduler filters weeks).
fn schedule_trigger(node: &Node) -> Result<Vec<(String, u32)>, String> {
    let rules = node
        .parameters()
        .get("rule")
        .and_then(|r| r.get("interval"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_else(|| vec![serde_json::json!({})]);
    rules
        .iter()
        .map(|r| {
            let at_minute = num(r, "triggerAtMinute", 0);
            let at_hour = num(r, "triggerAtHour", 0);
            let field = r.get("field").and_then(Value::as_str).unwrap_or("days");
            let every_weeks = if field == "weeks" {
                u32::try_from(num(r, "weeksInterval", 1).clamp(1, 52)).unwrap_or(1)
            } else {
                1
            };
            let pattern = match field {
                "seconds" => format!("{} * * * * *", every(num(r, "secondsInterval", 30))),
                "minutes" => format!("0 {} * * * *", every(num(r, "minutesInterval", 5))),
                "hours" => format!("0 {at_minute} {} * * *", every(num(r, "hoursInterval", 1))),
                "days" => format!(
                    "0 {at_minute} {at_hour} {} * *",
                    every(num(r, "daysInterval", 1))
                ),
                "weeks" => {
                    let days: Vec<String> = match r.get("triggerAtDay") {
                        Some(Value::Array(list)) if !list.is_empty() => list
                            .iter()
                            .map(|d| d.to_string().trim_matches('"').to_string())
                            .collect(),
                        _ => vec!["0".into()],
                    };
                    format!("0 {at_minute} {at_hour} * * {}", days.join(","))
                }
                "months" => format!(
                    "0 {at_minute} {at_hour} {} {} *",
                    num(r, "triggerAtDayOfMonth", 1),
                    every(num(r, "monthsInterval", 1))
                ),
                "cronExpression" => with_seconds(
                    r.get("expression")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                )?,
                other => return Err(format!("interval `{other}` is not known")),
            };
            Ok((pattern, every_weeks))
        })
        .collect()
}

/// Legacy Cron node: every minute / hour / day / week / month, every X, or custom.
fn legacy_cron(node: &Node) -> Result<Vec<String>, String> {
    let items = node
        .parameters()
        .get("triggerTimes")
        .and_then(|t| t.get("item"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .map(|t| {
            let minute = num(t, "minute", 0);
            let hour = num(t, "hour", 0);
            Ok(
                match t.get("mode").and_then(Value::as_str).unwrap_or("everyDay") {
                    "everyMinute" => "0 * * * * *".to_string(),
                    "everyHour" => format!("0 {minute} * * * *"),
                    "everyDay" => format!("0 {minute} {hour} * * *"),
                    "everyWeek" => format!("0 {minute} {hour} * * {}", num(t, "weekday", 1)),
                    "everyMonth" => format!("0 {minute} {hour} {} * *", num(t, "dayOfMonth", 1)),
                    "everyX" => {
                        let value = num(t, "value", 2);
                        match t.get("unit").and_then(Value::as_str).unwrap_or("hours") {
                            "minutes" => format!("0 {} * * * *", every(value)),
                            _ => format!("0 0 {} * * *", every(value)),
                        }
                    }
                    "custom" => with_seconds(
                        t.get("cronExpression")
                            .and_then(Value::as_str)
                            .unwrap_or_default(),
                    )?,
                    other => return Err(format!("mode `{other}` is not known")),
                },
            )
        })
        .collect()
}

/// Five-field patterns get a leading `0` seconds field; six-field ones stay.
fn with_seconds(expression: &str) -> Result<String, String> {
    let fields = expression.split_whitespace().count();
    match fields {
        5 => Ok(format!("0 {}", expression.trim())),
        6 => Ok(expression.trim().to_string()),
        _ => Err(format!("`{expression}` needs 5 or 6 fields")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn workflow(nodes: Value, timezone: &str) -> Workflow {
        serde_json::from_value(json!({"name": "s", "nodes": nodes, "connections": {},
            "settings": {"timezone": timezone}}))
        .unwrap()
    }

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn schedule_trigger_intervals_become_patterns_in_the_workflows_zone() {
        let wf = workflow(
            json!([{"name": "Every Monday 9", "type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1.2,
                "parameters": {"rule": {"interval": [
                    {"field": "weeks", "weeksInterval": 3, "triggerAtDay": [1], "triggerAtHour": 9},
                    {"field": "minutes", "minutesInterval": 15},
                    {"field": "cronExpression", "expression": "30 8 1 * *"}]}}}]),
            "Europe/Berlin",
        );
        let all = schedules(&wf).unwrap();
        let patterns: Vec<&str> = all.iter().map(|s| s.cron.pattern()).collect();
        assert_eq!(
            patterns,
            vec!["0 0 9 * * 1", "0 */15 * * * *", "0 30 8 1 * *"]
        );
        let weeks: Vec<u32> = all.iter().map(|s| s.every_weeks).collect();
        assert_eq!(
            weeks,
            vec![3, 1, 1],
            "every third week, as the scheduler filters it"
        );
        // Saturday 2026-11-28 09:20 UTC → Monday 30 Nov 09:00 Berlin = 08:00 UTC.
        assert_eq!(
            all[0].cron.next_after(at("2026-11-28T09:20:00Z")),
            Some(at("2026-11-30T08:00:00Z"))
        );
        assert_eq!(
            all[1].cron.next_after(at("2026-11-28T09:20:00Z")),
            Some(at("2026-11-28T09:30:00Z"))
        );
        // Across the spring change Berlin's 08:30 is 06:30 UTC (CEST).
        assert_eq!(
            all[2].cron.next_after(at("2026-03-15T00:00:00Z")),
            Some(at("2026-04-01T06:30:00Z"))
        );
    }

    #[test]
    fn legacy_cron_modes_and_bad_input() {
        let wf = workflow(
            json!([{"name": "Cron", "type": "n8n-nodes-base.cron", "typeVersion": 1,
                "parameters": {"triggerTimes": {"item": [
                    {"mode": "everyDay", "hour": 6, "minute": 45},
                    {"mode": "everyX", "value": 10, "unit": "minutes"},
                    {"mode": "custom", "cronExpression": "*/5 * * * * *"}]}}}]),
            "UTC",
        );
        let patterns: Vec<String> = schedules(&wf)
            .unwrap()
            .into_iter()
            .map(|s| s.cron.pattern().to_string())
            .collect();
        assert_eq!(
            patterns,
            vec!["0 45 6 * * *", "0 */10 * * * *", "*/5 * * * * *"]
        );

        let bad = |params: Value, zone: &str| {
            schedules(&workflow(
                json!([{"name": "T", "type": "n8n-nodes-base.scheduleTrigger", "parameters": params}]),
                zone,
            ))
            .unwrap_err()
        };
        assert!(bad(json!({"rule": {"interval": [{"field": "cronExpression", "expression": "61 * * * *"}]}}), "UTC").contains("not a cron pattern"));
        assert!(
            bad(
                json!({"rule": {"interval": [{"field": "cronExpression", "expression": "* *"}]}}),
                "UTC"
            )
            .contains("5 or 6 fields")
        );
        assert!(bad(json!({}), "Mars/Base").contains("time zone"));
    }
}
