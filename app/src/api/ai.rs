//! The assistant: a workflow generated from a description, shown before it is imported.

use super::{CanvasEdge, CanvasNode};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::{context, require_principal};

/// A generated workflow to preview and import.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeneratedWorkflow {
    pub name: String,
    /// The workflow as n8n JSON (what Import sends).
    pub json: String,
    pub nodes: Vec<CanvasNode>,
    pub edges: Vec<CanvasEdge>,
    /// Who wrote it: a provider, or `offline`.
    pub provider: String,
    pub notices: Vec<String>,
    pub tokens: u64,
}

#[server(prefix = "/sfn", endpoint = "ai_generate_workflow")]
pub async fn generate_workflow(description: String) -> Result<GeneratedWorkflow, ServerFnError> {
    let p = require_principal()?;
    let generated = context()?
        .ai
        .generate_workflow(&p, &description)
        .await
        .map_err(ai_error)?;
    let json = serde_json::to_string_pretty(&generated.workflow)
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    let workflow = agente_workflows::Workflow::from_json(&json)
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    let (nodes, edges) = super::workflows::canvas_of(&workflow);
    Ok(GeneratedWorkflow {
        name: workflow.name().to_string(),
        json,
        nodes,
        edges,
        provider: generated.provider,
        notices: generated.notices,
        tokens: generated.usage.total(),
    })
}

/// Why an execution failed, for the execution page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExplanationView {
    pub workflow_id: String,
    pub node: String,
    pub cause: String,
    pub steps: Vec<String>,
    /// The proposed change as JSON (`{"parameters": …, "settings": …}`), if any.
    pub patch: Option<String>,
    pub provider: String,
}

/// An AI error as a message; our own failures are logged and not shown.
#[cfg(feature = "ssr")]
fn ai_error(e: agente_ai::AiError) -> ServerFnError {
    use agente_ai::AiError;
    match e {
        AiError::Workflow(e) => super::workflows::wf_error(e),
        AiError::Unavailable(_) => {
            tracing::error!(error = %e, "server function failed");
            ServerFnError::new("something went wrong on our side; please try again")
        }
        other => ServerFnError::new(other.to_string()),
    }
}

#[server(prefix = "/sfn", endpoint = "ai_explain_execution")]
pub async fn explain_execution(id: String) -> Result<ExplanationView, ServerFnError> {
    let p = require_principal()?;
    let ctx = context()?;
    let explained = ctx
        .ai
        .explain_execution(&p, &ctx.workflows, &id)
        .await
        .map_err(ai_error)?;
    let explanation = explained.explanation;
    Ok(ExplanationView {
        workflow_id: explained.workflow_id,
        node: explanation.node,
        cause: explanation.cause,
        steps: explanation.steps,
        patch: explanation
            .patch
            .map(|p| serde_json::to_string_pretty(&p).unwrap_or_default()),
        provider: explanation.provider,
    })
}

/// Applies a proposed fix to the workflow's node (editors and up).
#[server(prefix = "/sfn", endpoint = "ai_apply_fix")]
pub async fn apply_fix(
    workflow_id: String,
    node: String,
    patch: String,
) -> Result<(), ServerFnError> {
    let p = require_principal()?;
    let ctx = context()?;
    let patch: agente_ai::explain::Patch = serde_json::from_str(&patch)
        .map_err(|e| ServerFnError::new(format!("the fix is not valid: {e}")))?;
    let wf_error = super::workflows::wf_error;
    let stored = ctx
        .workflows
        .get(&p, &workflow_id)
        .await
        .map_err(wf_error)?;
    let mut workflow = stored.workflow.to_value();
    patch
        .apply(&mut workflow, &node)
        .map_err(ServerFnError::new)?;
    ctx.workflows
        .update(&p, &workflow_id, &workflow.to_string())
        .await
        .map_err(wf_error)?;
    Ok(())
}
