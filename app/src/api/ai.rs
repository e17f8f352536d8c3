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
    use agente_ai::AiError;
    let p = require_principal()?;
    let generated = context()?
        .ai
        .generate_workflow(&p, &description)
        .await
        .map_err(|e| match e {
            AiError::Unavailable(_) => {
                tracing::error!(error = %e, "server function failed");
                ServerFnError::new("something went wrong on our side; please try again")
            }
            other => ServerFnError::new(other.to_string()),
        })?;
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
