//! Flow across runs and workflows: Loop Over Items (Split in Batches) and Execute Workflow.

use crate::{
    Host, Item, MAX_SUB_WORKFLOW_DEPTH, NodeContext, NodeError, SubWorkflowCall, SubWorkflowSource,
};
use agente_workflow_model::{Node, Workflow};
use serde_json::{Value, json};

/// Loop Over Items. The node keeps a queue in its per-execution state: the first run takes
/// its input as the queue and emits the first batch; every later run (the loop coming back)
/// records the returned items and emits the next batch, or, once the queue is empty, all
/// returned items on "done" and forgets its state (so an outer loop can start it afresh).
///
/// Version 3 has two outputs, `done` (0) and `loop` (1); versions 1 and 2 have one output
/// that carries each batch and nothing once the queue is empty.
pub fn split_in_batches(ctx: &mut NodeContext<'_>) -> Result<Vec<Vec<Item>>, NodeError> {
    let size = ctx.number("batchSize", 0, default_batch_size(ctx))?;
    if size < 1.0 {
        return Err(NodeError::parameter("batchSize", "must be at least 1"));
    }
    let size = size as usize;
    let two_outputs = ctx.node.type_version() >= 3.0;
    let reset = ctx.bool("options.reset", 0, false)?;
    let input = ctx.input().to_vec();

    let mut queue: Vec<Item>;
    let mut processed: Vec<Item>;
    if ctx.state.is_null() || reset {
        ctx.state = Value::Null;
        queue = input;
        processed = Vec::new();
    } else {
        queue = Item::list_from(&ctx.state["queue"]);
        processed = Item::list_from(&ctx.state["processed"]);
        if two_outputs {
            processed.extend(input);
        }
    }
    if queue.is_empty() {
        ctx.state = Value::Null;
        return Ok(if two_outputs {
            vec![processed, vec![]]
        } else {
            vec![vec![]]
        });
    }
    let rest = queue.split_off(size.min(queue.len()));
    let batch = queue;
    let run = ctx.state["context"]["currentRunIndex"]
        .as_u64()
        .map_or(0, |r| r + 1);
    ctx.state = json!({
        "queue": rest.iter().map(Item::to_value).collect::<Vec<_>>(),
        "processed": processed.iter().map(Item::to_value).collect::<Vec<_>>(),
        // What n8n exposes as `$node["Loop"].context` (legacy loops test `noItemsLeft`).
        "context": {
            "noItemsLeft": rest.is_empty(),
            "currentRunIndex": run,
            "maxRunIndex": run + rest.len().div_ceil(size) as u64,
        },
    });
    Ok(if two_outputs {
        vec![vec![], batch]
    } else {
        vec![batch]
    })
}

fn default_batch_size(ctx: &NodeContext<'_>) -> f64 {
    if ctx.node.type_version() >= 3.0 {
        1.0
    } else {
        10.0
    }
}

/// Execute Workflow: runs another workflow with this node's items, once for all of them
/// (`mode: once`, the default) or once per item (`mode: each`), and outputs what the
/// sub-workflow's last node returned — or the input unchanged when not waiting for it.
pub async fn execute_workflow(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let host = sub_workflow_host(ctx)?;
    let wait = ctx.bool("options.waitForSubWorkflow", 0, true)?;
    let each = ctx.string("mode", 0, "once")? == "each";
    let batches: Vec<(Option<usize>, Vec<Item>)> = if each {
        ctx.input()
            .iter()
            .enumerate()
            .map(|(i, item)| (Some(i), vec![item.clone()]))
            .collect()
    } else {
        vec![(None, ctx.input().to_vec())]
    };
    let mut out = Vec::new();
    for (index, items) in batches {
        let call = SubWorkflowCall {
            source: source(ctx, ctx.node, index.unwrap_or(0))?,
            items,
            wait,
            parent_execution_id: ctx.execution_id,
            depth: ctx.depth + 1,
        };
        let returned = host
            .run_sub_workflow(call)
            .await
            .map_err(NodeError::Failed)?;
        match index {
            Some(i) => out.extend(returned.into_iter().map(|mut item| {
                item.paired_item = Some(json!({ "item": i }));
                item
            })),
            None => out.extend(returned),
        }
    }
    Ok(if wait { out } else { ctx.input().to_vec() })
}

/// Who runs a sub-workflow for this node, unless they would nest too deep.
pub(crate) fn sub_workflow_host<'a>(ctx: &NodeContext<'a>) -> Result<&'a dyn Host, NodeError> {
    let host = ctx
        .host
        .ok_or_else(|| NodeError::Failed("sub-workflows cannot run here".into()))?;
    if ctx.depth >= MAX_SUB_WORKFLOW_DEPTH {
        return Err(NodeError::Failed(format!(
            "sub-workflows nest deeper than {MAX_SUB_WORKFLOW_DEPTH} levels"
        )));
    }
    Ok(host)
}

/// Which workflow `node` (Execute Workflow, or a workflow tool) runs for `item`.
pub(crate) fn source(
    ctx: &NodeContext<'_>,
    node: &Node,
    item: usize,
) -> Result<SubWorkflowSource, NodeError> {
    let text = |path: &str| super::locator_of(ctx, node, path, item);
    let source = text("source")?;
    match if source.is_empty() {
        "database"
    } else {
        source.as_str()
    } {
        "database" => {
            let id = text("workflowId")?;
            if id.is_empty() {
                return Err(NodeError::parameter("workflowId", "no workflow chosen"));
            }
            Ok(SubWorkflowSource::Stored(id))
        }
        "parameter" => {
            let text = match ctx.param_of(node, "workflowJson", item)? {
                Some(Value::String(s)) => s,
                None | Some(Value::Null) => String::new(),
                Some(other) => other.to_string(),
            };
            let workflow = Workflow::from_json(&text)
                .map_err(|e| NodeError::parameter("workflowJson", e.to_string()))?;
            Ok(SubWorkflowSource::Inline(Box::new(workflow)))
        }
        other => Err(NodeError::parameter(
            "source",
            format!("`{other}` is not supported; use a stored workflow or JSON"),
        )),
    }
}
