//! The engine's integration tests: one binary, a module per area.
#![allow(clippy::unwrap_used)] // a test fails by panicking
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom

mod ai_nodes;
mod data_nodes;
mod email_node;
mod expressions;
mod flow;
mod http_node;
mod new_nodes;
mod run;
mod slack_node;
mod waits;

use agente_engine::{Engine, Item, RunRequest, SubWorkflowCall, SubWorkflowSource};

/// How the test hosts run a sub-workflow: inline JSON only, with `engine`, on `base` (which
/// carries the host for deeper calls); answers its last node's items.
pub async fn run_inline(
    engine: &Engine,
    call: SubWorkflowCall,
    base: RunRequest,
) -> Result<Vec<Item>, String> {
    let SubWorkflowSource::Inline(wf) = call.source else {
        return Err("only inline workflows here".into());
    };
    let request = RunRequest {
        items: call.items,
        depth: call.depth,
        ..base
    };
    let exec = engine.run(&wf, request).await;
    match exec.error {
        Some(e) => Err(e.message),
        None => Ok(exec
            .output(exec.last_node.as_deref().unwrap_or_default())
            .into_iter()
            .map(Item::from_returned)
            .collect()),
    }
}
