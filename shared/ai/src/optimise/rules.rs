//! The offline provider's advice from execution figures: slow steps, steps that fail often,
//! large batches, failures nobody hears about.

use super::Suggestion;
use super::stats::WorkflowStats;

/// A step taking this long on average, and this share of the run, is worth a look.
const SLOW_MS: u64 = 1_000;
const SLOW_SHARE: f64 = 0.4;
/// Failing this share of its runs is failing often.
const FLAKY_SHARE: f64 = 0.2;
const LARGE_ITEMS: u64 = 1_000;

fn suggestion(
    node: Option<&str>,
    impact: &'static str,
    title: impl Into<String>,
    detail: impl Into<String>,
) -> Suggestion {
    Suggestion {
        node: node.map(str::to_string),
        impact,
        title: title.into(),
        detail: detail.into(),
    }
}

pub fn advise(s: &WorkflowStats) -> Vec<Suggestion> {
    if s.executions == 0 {
        return vec![suggestion(
            None,
            "low",
            "Not enough runs yet",
            "Run the workflow a few times (with execution data saved) and ask again: advice comes from how it actually runs.",
        )];
    }
    let mut out = Vec::new();
    for n in &s.nodes {
        let name = Some(n.node.as_str());
        let share = if s.avg_ms > 0 {
            (n.avg_ms * n.runs.max(1) / s.executions) as f64 / s.avg_ms as f64
        } else {
            0.0
        };
        if n.avg_ms >= SLOW_MS && share >= SLOW_SHARE {
            let how = if n.node_type.ends_with(".httpRequest") {
                "Ask for more per call (batch ids, larger pages), call only for items that changed, or run the calls in batches with Loop Over Items."
            } else if n.node_type.ends_with(".code") || n.node_type.ends_with(".function") {
                "Built-in nodes (Filter, Sort, Summarize, Edit Fields) run natively and are usually faster than the same logic in code."
            } else {
                "Check what it waits on, and whether it could handle fewer items."
            };
            out.push(suggestion(
                name,
                "high",
                format!(
                    "“{}” takes {} ms on average ({:.0} % of a run)",
                    n.node,
                    n.avg_ms,
                    share * 100.0
                ),
                how,
            ));
        }
        if n.runs >= 3 && n.errors as f64 / n.runs as f64 >= FLAKY_SHARE {
            let how = if n.retries_on_fail {
                "It already retries: if the failures are expected, set “On Error” to continue through the error output and handle them there."
            } else {
                "Turn on “Retry On Fail” (3 tries, a few seconds apart) for passing failures, or route errors through the error output."
            };
            out.push(suggestion(
                name,
                "high",
                format!("“{}” failed in {} of {} runs", n.node, n.errors, n.runs),
                how,
            ));
        }
        if n.max_items >= LARGE_ITEMS {
            out.push(suggestion(
                name,
                "medium",
                format!("“{}” produced up to {} items", n.node, n.max_items),
                "Drop fields you do not need early (Edit Fields with only the fields kept), limit items, or process them in batches (Loop Over Items).",
            ));
        }
    }
    if s.failed > 0 && !s.has_error_workflow {
        out.push(suggestion(
            None,
            "medium",
            format!("{} of {} runs failed and no error workflow is set", s.failed, s.executions),
            "Set an error workflow in the workflow's settings (or a notification rule for failed executions) so failures do not go unnoticed.",
        ));
    }
    if out.is_empty() {
        out.push(suggestion(None, "low", "Nothing stands out", format!("Over {} runs (about {} ms each) no step is slow, failing or handling large batches.", s.executions, s.avg_ms)));
    }
    out
}
