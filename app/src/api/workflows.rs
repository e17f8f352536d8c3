//! Workflows and executions for the UI.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::{context, require_principal, server_error};

/// A row of the workflows list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRow {
    pub id: String,
    pub name: String,
    pub active: bool,
    pub nodes: usize,
    pub tags: Vec<String>,
    pub updated_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExecutionRow {
    pub id: String,
    pub workflow_id: String,
    pub status: String,
    pub mode: String,
    pub started_at: i64,
    pub duration_ms: Option<i64>,
    pub error: Option<String>,
    /// When a waiting execution goes on (Unix ms); none while it waits for a webhook call.
    #[serde(default)]
    pub wait_till: Option<i64>,
}

/// One node's runs in an execution, items as pretty JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeRunView {
    pub node: String,
    pub execution_time: i64,
    pub outputs: Vec<String>,
    pub items: usize,
    /// How many items left on each output.
    pub per_output: Vec<usize>,
    pub error: Option<String>,
    pub logs: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExecutionView {
    pub row: ExecutionRow,
    pub nodes: Vec<NodeRunView>,
    /// The workflow as stored now (n8n JSON) to draw the run on; none when it is gone or
    /// the run was of an inline sub-workflow.
    pub workflow: Option<String>,
}

/// An id the browser sent: one that cannot be an id names nothing (as an unknown id).
#[cfg(feature = "ssr")]
pub(super) fn parse_id<T: std::str::FromStr>(
    id: &str,
    what: &'static str,
) -> Result<T, ServerFnError> {
    id.parse()
        .map_err(|_| server_error(agente_workflows::WorkflowServiceError::NotFound(what)))
}

#[cfg(feature = "ssr")]
fn row(w: &agente_workflows::StoredWorkflow) -> WorkflowRow {
    let tags = w
        .workflow
        .tags
        .get()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            t.get("name")
                .and_then(|n| n.as_str())
                .or(t.as_str())
                .map(str::to_string)
        })
        .collect();
    WorkflowRow {
        id: w.id.to_string(),
        name: w.workflow.name().to_string(),
        active: w.active,
        nodes: w.workflow.nodes().len(),
        tags,
        updated_at: w.updated_at,
    }
}

#[server(prefix = "/sfn", endpoint = "workflows")]
pub async fn list_workflows(search: String) -> Result<Vec<WorkflowRow>, ServerFnError> {
    let p = require_principal()?;
    let query = agente_workflows::ListQuery {
        name: Some(search).filter(|s| !s.trim().is_empty()),
        limit: Some(250),
        ..Default::default()
    };
    let page = context()?
        .workflows
        .list(&p, &query)
        .await
        .map_err(server_error)?;
    Ok(page.data.iter().map(row).collect())
}

/// Imports n8n JSON (one workflow or an array); answers how many were created.
#[server(prefix = "/sfn", endpoint = "import_workflows")]
pub async fn import_workflows(json: String) -> Result<usize, ServerFnError> {
    let p = require_principal()?;
    Ok(context()?
        .workflows
        .create(&p, &json)
        .await
        .map_err(server_error)?
        .len())
}

#[server(prefix = "/sfn", endpoint = "set_active")]
pub async fn set_active(id: String, active: bool) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    let id: agente_core::WorkflowId = parse_id(&id, "workflow")?;
    let svc = context()?.workflows;
    if active {
        svc.activate(&p, id).await
    } else {
        svc.deactivate(&p, id).await
    }
    .map_err(server_error)?;
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "duplicate_workflow")]
pub async fn duplicate_workflow(id: String) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    let id: agente_core::WorkflowId = parse_id(&id, "workflow")?;
    let svc = context()?.workflows;
    let mut copy = svc.get(&p, id).await.map_err(server_error)?.workflow;
    copy.name = agente_workflow_model::Field::Value(format!("{} (copy)", copy.name()));
    svc.create(&p, &copy.to_value().to_string())
        .await
        .map_err(server_error)?;
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "delete_workflow")]
pub async fn delete_workflow(id: String) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    let id: agente_core::WorkflowId = parse_id(&id, "workflow")?;
    context()?
        .workflows
        .delete(&p, id)
        .await
        .map_err(server_error)?;
    Ok(())
}

/// One firing of a schedule trigger, for the workflow page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FiringView {
    pub enqueued_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub state: String,
    pub attempts: u32,
    pub error: Option<String>,
}

#[server(prefix = "/sfn", endpoint = "schedule_history")]
pub async fn schedule_history(id: String) -> Result<Vec<FiringView>, ServerFnError> {
    let p = require_principal()?;
    let id: agente_core::WorkflowId = parse_id(&id, "workflow")?;
    let firings = context()?
        .workflows
        .schedules()
        .history(&p, id, 20)
        .await
        .map_err(server_error)?;
    Ok(firings
        .into_iter()
        .map(|f| FiringView {
            enqueued_at: f.enqueued_at,
            started_at: f.started_at,
            finished_at: f.finished_at,
            state: f.state,
            attempts: f.attempts,
            error: f.error,
        })
        .collect())
}

/// Listens for one call on the workflow's `/webhook-test/…` URLs; answers them.
#[server(prefix = "/sfn", endpoint = "listen_for_test")]
pub async fn listen_for_test(id: String) -> Result<Vec<String>, ServerFnError> {
    let p = require_principal()?;
    let id: agente_core::WorkflowId = parse_id(&id, "workflow")?;
    context()?
        .workflows
        .webhooks()
        .listen_for_test_call(&p, id)
        .await
        .map_err(server_error)
}

/// Stops a running execution; answers its status afterwards.
#[server(prefix = "/sfn", endpoint = "stop_execution")]
pub async fn stop_execution(id: String) -> Result<String, ServerFnError> {
    let p = require_principal()?;
    let id: agente_core::ExecutionId = parse_id(&id, "execution")?;
    Ok(context()?
        .workflows
        .executions()
        .stop(&p, id)
        .await
        .map_err(server_error)?
        .status
        .to_string())
}

#[cfg(feature = "ssr")]
fn execution_row(e: &agente_workflows::ExecutionRecord) -> ExecutionRow {
    ExecutionRow {
        id: e.id.to_string(),
        workflow_id: e.workflow_id.to_string(),
        status: e.status.to_string(),
        mode: e.mode.to_string(),
        started_at: e.started_at,
        duration_ms: e.finished_at.map(|f| f - e.started_at),
        error: e.error.clone(),
        wait_till: e.wait_till,
    }
}

#[server(prefix = "/sfn", endpoint = "executions")]
pub async fn list_executions(workflow_id: String) -> Result<Vec<ExecutionRow>, ServerFnError> {
    let p = require_principal()?;
    let q = agente_workflows::ExecutionQuery {
        workflow_id: Some(workflow_id).filter(|w| !w.is_empty()),
        limit: Some(250),
        ..Default::default()
    };
    let page = context()?
        .workflows
        .executions()
        .list(&p, &q)
        .await
        .map_err(server_error)?;
    Ok(page.data.iter().map(execution_row).collect())
}

#[server(prefix = "/sfn", endpoint = "execution")]
pub async fn get_execution(id: String) -> Result<ExecutionView, ServerFnError> {
    let p = require_principal()?;
    let id: agente_core::ExecutionId = parse_id(&id, "execution")?;
    // Read before any await: during server rendering the context is not there after one.
    let workflows = context()?.workflows;
    let record = workflows
        .executions()
        .get(&p, id, true)
        .await
        .map_err(server_error)?;
    let run_data = record
        .data
        .as_ref()
        .and_then(|d| d.pointer("/resultData/runData"))
        .and_then(|r| r.as_object())
        .cloned()
        .unwrap_or_default();
    let mut nodes = Vec::new();
    for (node, runs) in run_data {
        for run in runs.as_array().into_iter().flatten() {
            let outputs: Vec<&serde_json::Value> = run
                .pointer("/data/main")
                .and_then(|m| m.as_array())
                .map(|m| m.iter().collect())
                .unwrap_or_default();
            let per_output: Vec<usize> = outputs
                .iter()
                .map(|o| o.as_array().map_or(0, Vec::len))
                .collect();
            let items = per_output.iter().sum();
            nodes.push(NodeRunView {
                node: node.clone(),
                execution_time: run
                    .get("executionTime")
                    .and_then(|t| t.as_i64())
                    .unwrap_or(0),
                outputs: outputs
                    .iter()
                    .map(|o| serde_json::to_string_pretty(o).unwrap_or_default())
                    .collect(),
                items,
                per_output,
                error: run
                    .get("error")
                    .and_then(|e| e.as_str())
                    .map(str::to_string),
                logs: run
                    .get("logs")
                    .and_then(|l| serde_json::from_value(l.clone()).ok())
                    .unwrap_or_default(),
            });
        }
    }
    let workflow = match record.workflow_id.stored() {
        Some(wid) => workflows
            .get(&p, wid)
            .await
            .ok()
            .map(|w| w.workflow.to_value().to_string()),
        None => None,
    };
    Ok(ExecutionView {
        row: execution_row(&record),
        nodes,
        workflow,
    })
}
