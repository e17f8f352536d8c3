//! What happens to a node's `main` connections when a change of its parameters or settings
//! changes its outputs: a Switch rule added or removed, its fallback output, the error
//! output switched on or off.
//!
//! Outputs are positional: a Switch has one per rule, then its fallback output (when asked),
//! then the error output (when on) — the engine builds them in that order. So a connection
//! must follow the output it was made on, not its index: a rule removed from the middle
//! takes its own output with it and the rules after it move up; the fallback and error
//! outputs stay last. Only what was connected to an output that went is dropped.

use crate::edit::{Edit, Outputs};
use agente_workflow_model::ports::output_labels;
use agente_workflow_model::{Connection, Node, OnError, Workflow};
use serde_json::Value;

type Slot = Option<Vec<Connection>>;

/// A node's outputs in order: rule outputs (or the plain regular ones), then the tail.
#[derive(Debug, PartialEq)]
struct Shape {
    /// The outputs that can come and go by index (a Switch's rules; IF's two; one).
    leading: usize,
    fallback: bool,
    error: bool,
    /// A Switch's rules, to see which one went or came.
    rules: Option<Vec<Value>>,
}

impl Shape {
    fn of(node: &Node) -> Self {
        let labels = output_labels(node);
        let error = node.on_error() == OnError::ContinueErrorOutput
            && labels.last().is_some_and(|l| l == "error");
        let total = labels.len();
        let fallback = is_switch(node)
            && node
                .parameters()
                .get("options")
                .and_then(|o| o.get("fallbackOutput"))
                .and_then(Value::as_str)
                == Some("extra");
        let rules = is_switch(node)
            .then(|| {
                node.parameters()
                    .get("rules")?
                    .get("values")?
                    .as_array()
                    .cloned()
            })
            .flatten();
        Self {
            leading: total - usize::from(error) - usize::from(fallback),
            fallback,
            error,
            rules,
        }
    }
}

fn is_switch(node: &Node) -> bool {
    node.kind == "n8n-nodes-base.switch"
        && node.parameters().get("mode").and_then(Value::as_str) != Some("expression")
}

/// The edit that makes `source`'s `main` connections follow the change of the node from
/// `old` to `new`, or `None` when no connection moves or goes.
pub(crate) fn rewire(wf: &Workflow, source: &str, old: &Node, new: &Node) -> Option<Edit> {
    let (at, _, outputs) = wf.connections()?.get_full(source)?;
    Some(Edit::SetOutgoing {
        source: source.to_string(),
        outputs: Some(rewired(outputs, old, new)?),
        at,
    })
}

fn rewired(outputs: &Outputs, old: &Node, new: &Node) -> Option<Outputs> {
    let (before, after) = (Shape::of(old), Shape::of(new));
    if before == after {
        return None;
    }
    let mut outputs = outputs.clone();
    let slots = outputs.get_mut("main")?;
    let slot = |i: usize| slots.get(i).cloned().unwrap_or_else(|| Some(Vec::new()));
    let mut leading: Vec<Slot> = (0..before.leading).map(slot).collect();
    let fallback = before.fallback.then(|| slot(before.leading));
    let error = before
        .error
        .then(|| slot(before.leading + usize::from(before.fallback)));
    match one_changed(before.rules.as_deref(), after.rules.as_deref()) {
        Some(Change::Removed(i)) if i < leading.len() => {
            leading.remove(i);
        }
        Some(Change::Inserted(i)) if i <= leading.len() => leading.insert(i, Some(Vec::new())),
        _ => {}
    }
    leading.resize_with(after.leading, || Some(Vec::new()));
    let mut next = leading;
    if after.fallback {
        next.push(fallback.unwrap_or_else(|| Some(Vec::new())));
    }
    if after.error {
        next.push(error.unwrap_or_else(|| Some(Vec::new())));
    }
    if next == *slots {
        return None;
    }
    *slots = next;
    Some(outputs)
}

enum Change {
    Removed(usize),
    Inserted(usize),
}

/// Which one rule went or came between two rule lists, if that is the whole difference.
fn one_changed(old: Option<&[Value]>, new: Option<&[Value]>) -> Option<Change> {
    let (old, new) = (old?, new?);
    let (long, short) = if old.len() == new.len() + 1 {
        (old, new)
    } else if new.len() == old.len() + 1 {
        (new, old)
    } else {
        return None;
    };
    let at = long
        .iter()
        .zip(short)
        .position(|(a, b)| a != b)
        .unwrap_or(short.len());
    (long[..at] == short[..at] && long[at + 1..] == short[at..]).then_some(if long == old {
        Change::Removed(at)
    } else {
        Change::Inserted(at)
    })
}
