//! Per-node figures over a workflow's recent executions: how often each node ran, failed,
//! how long it took and how many items it produced.

use agente_workflow_model::Workflow;
use serde::Serialize;
use serde_json::Value;

#[derive(Clone, Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NodeStats {
    pub node: String,
    pub node_type: String,
    pub runs: u64,
    pub errors: u64,
    pub avg_ms: u64,
    pub max_ms: u64,
    pub max_items: u64,
    pub retries_on_fail: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WorkflowStats {
    pub workflow: String,
    /// Executions looked at (with their data).
    pub executions: u64,
    pub failed: u64,
    /// Average time of an execution, summed over its nodes.
    pub avg_ms: u64,
    pub has_error_workflow: bool,
    pub nodes: Vec<NodeStats>,
}

/// Figures from executions given as (status, stored `data`).
pub fn stats<'a>(
    workflow: &Workflow,
    executions: impl IntoIterator<Item = (&'a str, Option<&'a Value>)>,
) -> WorkflowStats {
    let mut nodes: Vec<(NodeStats, u64)> = workflow
        .nodes()
        .iter()
        .filter(|n| n.kind != "n8n-nodes-base.stickyNote")
        .map(|n| {
            let retry = serde_json::to_value(n)
                .ok()
                .and_then(|v| v.get("retryOnFail").and_then(Value::as_bool))
                .unwrap_or(false);
            (
                NodeStats {
                    node: n.name.clone(),
                    node_type: n.kind.clone(),
                    retries_on_fail: retry,
                    ..NodeStats::default()
                },
                0,
            )
        })
        .collect();
    let (mut executions_seen, mut failed, mut total_ms) = (0, 0, 0);
    for (status, data) in executions {
        let Some(run_data) = data
            .and_then(|d| d.pointer("/resultData/runData"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        executions_seen += 1;
        if status == "error" {
            failed += 1;
        }
        for (name, runs) in run_data {
            let Some((node, time)) = nodes.iter_mut().find(|(n, _)| &n.node == name) else {
                continue;
            };
            for run in runs.as_array().into_iter().flatten() {
                let ms = run
                    .get("executionTime")
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                node.runs += 1;
                *time += ms;
                total_ms += ms;
                node.max_ms = node.max_ms.max(ms);
                if run.get("error").is_some_and(|e| !e.is_null()) {
                    node.errors += 1;
                }
                let items: u64 = run
                    .pointer("/data/main")
                    .and_then(Value::as_array)
                    .map(|outputs| {
                        outputs
                            .iter()
                            .filter_map(Value::as_array)
                            .map(|o| o.len() as u64)
                            .sum()
                    })
                    .unwrap_or(0);
                node.max_items = node.max_items.max(items);
            }
        }
    }
    WorkflowStats {
        workflow: workflow.name().to_string(),
        executions: executions_seen,
        failed,
        avg_ms: total_ms.checked_div(executions_seen).unwrap_or(0),
        has_error_workflow: workflow
            .setting("errorWorkflow")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty()),
        nodes: nodes
            .into_iter()
            .map(|(mut n, time)| {
                n.avg_ms = time.checked_div(n.runs).unwrap_or(0);
                n
            })
            .collect(),
    }
}
