//! The offline provider's workflow planner: no network, no model. The request is read for
//! its trigger (`triggers.rs`), cut into clauses ("…, then …", "… and post …"), and each
//! clause becomes the step whose phrasings it matches best (BM25 over `steps.rs`), with
//! parameters read from its words (`params.rs`). Conditions branch: "otherwise …" goes to
//! the If's false output; "in batches" loops back. A request that names a known automation
//! ("an uptime monitor") gets a starter template instead (`templates.rs`). What comes out is
//! n8n workflow JSON.

mod bm25;
mod clauses;
mod params;
mod steps;
mod templates;
mod triggers;

use bm25::Bm25;
use clauses::{VERBS, clauses};
use serde_json::{Map, Value, json};
use std::sync::LazyLock;
use steps::{STEPS, Step};

/// A clause must score at least this against a step's phrasings to become that step.
const MIN_SCORE: f64 = 0.9;
/// Horizontal distance between nodes on the canvas.
const SPACING: i64 = 220;

static INDEX: LazyLock<Bm25> = LazyLock::new(|| Bm25::new(STEPS.iter().map(|s| s.phrases)));

/// Verbs that only move data: with an address in the clause, the address's step is all
/// they ask for ("fetch https://…", "post it to #sales").
const MOVING: &[&str] = &[
    "fetch", "get", "load", "download", "call", "poll", "ping", "pull", "retrieve", "check",
    "read", "query", "send", "post", "save", "upload", "forward", "push", "store", "write",
    "notify", "alert", "email", "e-mail", "mail", "message", "tell", "take", "return",
];

/// Steps that change data (as opposed to moving it somewhere).
const SHAPING: &[&str] = &[
    "n8n-nodes-base.html",
    "n8n-nodes-base.summarize",
    "n8n-nodes-base.xml",
    "n8n-nodes-base.aggregate",
    "n8n-nodes-base.filter",
    "n8n-nodes-base.sort",
    "n8n-nodes-base.limit",
    "n8n-nodes-base.removeDuplicates",
    "n8n-nodes-base.splitOut",
    "n8n-nodes-base.splitInBatches",
    "n8n-nodes-base.crypto",
    "n8n-nodes-base.dateTime",
    "n8n-nodes-base.markdown",
    "n8n-nodes-base.set",
    "n8n-nodes-base.code",
];

fn step_of(kind: &str, clause: &str) -> Step {
    let spec = STEPS
        .iter()
        .find(|s| s.kind == kind)
        .expect("a known step kind");
    (spec.build)(clause)
}

/// The step the clause's words (without its values) ask for, if any asks clearly enough.
/// The leading verb counts three times: "sort by date" is a sort, not a date step.
fn ranked(clause: &str) -> Option<Step> {
    let words = params::without_values(clause);
    let words = words.trim_start_matches(|c: char| !c.is_alphanumeric());
    let words = ["otherwise", "else"]
        .iter()
        .find_map(|w| words.strip_prefix(w))
        .unwrap_or(words)
        .trim();
    let verb = words.split_whitespace().next().unwrap_or("");
    let (best, score) = *INDEX.rank(&format!("{words} {verb} {verb}")).first()?;
    (score >= MIN_SCORE).then(|| (STEPS[best].build)(clause))
}

/// Where the clause sends or reads data, from its values: a URL (HTTP Request), a Slack
/// channel, an e-mail address. The flag says whether data comes *from* it.
fn destination(clause: &str) -> Option<(Step, bool)> {
    let lower = clause.to_lowercase();
    if let Some(url) = params::url(clause) {
        let before = lower[..lower.find(&url.to_lowercase()).unwrap_or(0)]
            .trim_end()
            .to_string();
        let source =
            !(before.ends_with(" to") || before.ends_with(" into") || before.ends_with(" each to"));
        return Some((step_of("n8n-nodes-base.httpRequest", clause), source));
    }
    if params::channel(clause).is_some() || lower.contains("slack") {
        return Some((step_of("n8n-nodes-base.slack", clause), false));
    }
    if params::email(clause).is_some() {
        return Some((step_of("n8n-nodes-base.emailSend", clause), false));
    }
    None
}

/// The steps a clause asks for, in order.
fn steps_for(clause: &str) -> Vec<Step> {
    let lower = clause.to_lowercase();
    let conditional = ["if ", "when ", "in case ", "only if "]
        .iter()
        .any(|w| lower.starts_with(w));
    if conditional && params::comparison(clause).is_some() {
        let mut steps = vec![Step {
            kind: "n8n-nodes-base.if",
            version: 2.0,
            name: "If",
            parameters: steps::conditions(clause),
        }];
        if let Some(action) = action_after_condition(clause) {
            steps.extend(
                steps_for(&action)
                    .into_iter()
                    .filter(|s| s.kind != "n8n-nodes-base.if"),
            );
        }
        return steps;
    }
    let main = ranked(clause);
    let Some((place, source)) = destination(clause) else {
        return main.into_iter().collect();
    };
    let verb = lower
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .find(|w| !["otherwise", "else", "and", "then"].contains(w))
        .unwrap_or("");
    let shaping = main
        .filter(|m| !MOVING.contains(&verb) && SHAPING.contains(&m.kind) && m.kind != place.kind);
    match (shaping, source) {
        (Some(m), true) => vec![place, m],
        (Some(m), false) => vec![m, place],
        (None, _) => vec![place],
    }
}

/// A condition clause may carry its action after the comparison ("if total > 100 email
/// the boss"): the part after the compared value, if it asks for a step of its own.
fn action_after_condition(clause: &str) -> Option<String> {
    let words: Vec<&str> = clause.split_whitespace().collect();
    let at = words.iter().skip(2).position(|w| {
        VERBS.contains(
            &w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
                .as_str(),
        )
    })?;
    Some(words[at + 2..].join(" "))
}

/// One node on its way into the workflow.
struct Placed {
    name: String,
    step: Step,
}

/// Plans a workflow for `request`: n8n workflow JSON, not yet validated.
pub fn plan(request: &str) -> Value {
    let (mut trigger, rest) = triggers::trigger(request);
    let mut nodes: Vec<Placed> = Vec::new();
    // (from node index, output) → to node index
    let mut edges: Vec<(usize, usize, usize)> = Vec::new();
    let mut names: Map<String, Value> = Map::new();
    let mut unique = |base: &str| {
        let mut name = base.to_string();
        let mut n = 1;
        while names.contains_key(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        names.insert(name.clone(), Value::Null);
        name
    };
    let mut wanted: Vec<(Step, bool)> = Vec::new();
    for clause in clauses(&rest) {
        let otherwise = {
            let l = clause.to_lowercase();
            l.starts_with("otherwise") || l.starts_with("else")
        };
        for (i, step) in steps_for(&clause).into_iter().enumerate() {
            wanted.push((step, otherwise && i == 0));
        }
    }
    // A request that names a known automation rather than its steps gets its template.
    let kinds: Vec<&str> = wanted.iter().map(|(s, _)| s.kind).collect();
    if let Some(template) = templates::matching(request, &trigger, &kinds) {
        return template;
    }
    // Answering the caller needs a caller: a manual start becomes a webhook; a sub-workflow
    // answers its parent with its last node anyway, and a schedule has no one to answer.
    if wanted
        .iter()
        .any(|(s, _)| s.kind == "n8n-nodes-base.respondToWebhook")
    {
        match trigger.kind {
            "n8n-nodes-base.manualTrigger" => trigger = triggers::webhook(""),
            "n8n-nodes-base.webhook" => {}
            _ => wanted.retain(|(s, _)| s.kind != "n8n-nodes-base.respondToWebhook"),
        }
    }
    if trigger.kind == "n8n-nodes-base.webhook"
        && wanted
            .iter()
            .any(|(s, _)| s.kind == "n8n-nodes-base.respondToWebhook")
    {
        trigger.parameters["responseMode"] = json!("responseNode");
    }
    let name = unique(trigger.name);
    nodes.push(Placed {
        name,
        step: trigger,
    });
    // Where the next step attaches: (node, output).
    let mut attach = (0usize, 0usize);
    let mut last_if: Option<usize> = None;
    let mut open_loop: Option<usize> = None;
    for (step, otherwise) in wanted {
        let index = nodes.len();
        let from = match (otherwise, last_if) {
            (true, Some(branch)) => (branch, 1),
            _ => attach,
        };
        edges.push((from.0, from.1, index));
        let kind = step.kind;
        let name = unique(step.name);
        nodes.push(Placed { name, step });
        attach = (index, 0);
        if let Some(batches) = open_loop.take() {
            // The step inside the loop hands its items back; what follows runs when done.
            edges.push((index, 0, batches));
            attach = (batches, 0);
        }
        match kind {
            "n8n-nodes-base.if" => last_if = Some(index),
            "n8n-nodes-base.splitInBatches" => {
                open_loop = Some(index);
                attach = (index, 1);
            }
            _ => {}
        }
    }
    assemble(request, &nodes, &edges)
}

fn assemble(request: &str, nodes: &[Placed], edges: &[(usize, usize, usize)]) -> Value {
    let mut connections = Map::new();
    for (i, placed) in nodes.iter().enumerate() {
        let outgoing: Vec<&(usize, usize, usize)> = edges.iter().filter(|e| e.0 == i).collect();
        if outgoing.is_empty() {
            continue;
        }
        let outputs = outgoing.iter().map(|e| e.1).max().unwrap_or(0) + 1;
        let mut main = vec![Vec::<Value>::new(); outputs];
        for (_, output, to) in outgoing {
            main[*output].push(json!({ "node": nodes[*to].name, "type": "main", "index": 0 }));
        }
        connections.insert(placed.name.clone(), json!({ "main": main }));
    }
    let nodes: Vec<Value> = nodes
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut node = json!({
                "parameters": p.step.parameters,
                "id": uuid::Uuid::new_v4().to_string(),
                "name": p.name,
                "type": p.step.kind,
                "typeVersion": p.step.version,
                "position": [i as i64 * SPACING, 300],
            });
            if p.step.kind == "n8n-nodes-base.webhook" {
                node["webhookId"] = p.step.parameters["path"].clone();
            }
            node
        })
        .collect();
    json!({
        "name": title(request),
        "nodes": nodes,
        "connections": connections,
        "active": false,
        "settings": { "executionOrder": "v1" },
    })
}

/// A workflow name from the request: its first sentence, capitalised, at most 60 characters.
fn title(request: &str) -> String {
    let first = request.split(['.', '\n']).next().unwrap_or("").trim();
    let mut name: String = first.chars().take(60).collect();
    if first.chars().count() > 60 {
        name = format!("{}…", name.trim_end());
    }
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Generated workflow".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(workflow: &Value) -> Vec<String> {
        workflow["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["type"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn clauses_split_at_connectives_and_new_verbs() {
        assert_eq!(
            clauses(
                "Fetch https://x.io/a.json, then filter paid orders and post them to #sales. Finally email boss@x.io"
            ),
            vec![
                "Fetch https://x.io/a.json",
                "filter paid orders",
                "post them to #sales.",
                "email boss@x.io"
            ]
        );
    }

    #[test]
    fn a_request_becomes_a_connected_chain() {
        let w = plan(
            "Every Monday at 9, fetch https://api.shop.test/orders, keep only orders where total is greater than 100 and post them to #sales",
        );
        assert_eq!(
            types(&w),
            vec![
                "n8n-nodes-base.scheduleTrigger",
                "n8n-nodes-base.httpRequest",
                "n8n-nodes-base.filter",
                "n8n-nodes-base.slack",
            ]
        );
        assert_eq!(
            w["nodes"][1]["parameters"]["url"],
            "https://api.shop.test/orders"
        );
        assert_eq!(w["nodes"][3]["parameters"]["channelId"]["value"], "#sales");
        assert_eq!(
            w["connections"]["Schedule Trigger"]["main"][0][0]["node"],
            "HTTP Request"
        );
        assert_eq!(w["connections"]["Filter"]["main"][0][0]["node"], "Slack");
    }

    #[test]
    fn conditions_branch_and_otherwise_takes_the_false_output() {
        let w = plan(
            "When a webhook is called, if amount > 100 send an email to boss@acme.io, otherwise post to #small-orders",
        );
        assert_eq!(
            types(&w),
            vec![
                "n8n-nodes-base.webhook",
                "n8n-nodes-base.if",
                "n8n-nodes-base.emailSend",
                "n8n-nodes-base.slack",
            ]
        );
        let branches = &w["connections"]["If"]["main"];
        assert_eq!(branches[0][0]["node"], "Send Email");
        assert_eq!(branches[1][0]["node"], "Slack");
        assert_eq!(
            w["nodes"][1]["parameters"]["conditions"]["conditions"][0]["operator"]["operation"],
            "gt"
        );
    }
}
