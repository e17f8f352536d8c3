//! The assistant's generated workflow (read from the streamed REST answer in the browser),
//! explanations of failed executions and their fixes.

use super::{CanvasEdge, CanvasNode};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::{context, require_principal, server_error};

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

#[cfg(feature = "hydrate")]
impl GeneratedWorkflow {
    /// From the body of `POST /api/v1/ai/workflows/generate` (the stream's `result`).
    pub fn from_api(body: &serde_json::Value) -> Result<Self, String> {
        let workflow: agente_workflow_model::Workflow =
            serde_json::from_value(body["workflow"].clone())
                .map_err(|e| format!("the generated workflow could not be read: {e}"))?;
        let json = serde_json::to_string_pretty(&body["workflow"]).unwrap_or_default();
        let (nodes, edges) = super::workflows::canvas_of(&workflow);
        let tokens = |k: &str| body["usage"][k].as_u64().unwrap_or(0);
        Ok(Self {
            name: workflow.name().to_string(),
            json,
            nodes,
            edges,
            provider: body["provider"].as_str().unwrap_or_default().to_string(),
            notices: body["notices"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect(),
            tokens: tokens("inputTokens") + tokens("outputTokens"),
        })
    }
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

#[server(prefix = "/sfn", endpoint = "ai_explain_execution")]
pub async fn explain_execution(id: String) -> Result<ExplanationView, ServerFnError> {
    let p = require_principal()?;
    let id = super::workflows::parse_id(&id, "execution")?;
    let ctx = context()?;
    let explained = ctx
        .ai
        .explain_execution(&p, &ctx.workflows, id)
        .await
        .map_err(server_error)?;
    let explanation = explained.explanation;
    Ok(ExplanationView {
        workflow_id: explained.workflow_id.to_string(),
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
    let workflow_id = super::workflows::parse_id(&workflow_id, "workflow")?;
    let stored = ctx
        .workflows
        .get(&p, workflow_id)
        .await
        .map_err(server_error)?;
    let mut workflow = stored.workflow.to_value();
    patch
        .apply(&mut workflow, &node)
        .map_err(ServerFnError::new)?;
    ctx.workflows
        .update(&p, workflow_id, &workflow.to_string())
        .await
        .map_err(server_error)?;
    Ok(())
}
