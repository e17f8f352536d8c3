//! The assistant's generated workflow (read from the streamed REST answer in the browser),
//! explanations of failed executions and their fixes.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::{context, require_principal, server_error};

/// The body of `POST /api/v1/ai/workflows/generate` and the `result` event of its stream:
/// written by the REST handler, read by the assistant page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct GeneratedBody {
    /// n8n workflow JSON, valid, ready for `POST /api/v1/workflows`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub workflow: serde_json::Value,
    /// Who wrote it: a provider's name, or `offline`.
    pub provider: String,
    /// Corrections the accepted answer needed.
    pub repairs: usize,
    /// What every provider tried spent.
    pub usage: TokensSpent,
    /// Providers tried first and why they were passed over.
    pub passed_over: Vec<String>,
    /// Anything else the user should know.
    pub notices: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TokensSpent {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// The stream's `attempt` event: a provider starts (again, to correct itself, when
/// `repair` > 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerationAttempt {
    pub provider: String,
    pub repair: usize,
}

/// The stream's `delta` event: more of the model's answer as it is written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerationDelta {
    pub text: String,
}

#[cfg(feature = "ssr")]
impl From<agente_ai::generate::Generated> for GeneratedBody {
    fn from(g: agente_ai::generate::Generated) -> Self {
        let usage = g.usage.usage();
        Self {
            workflow: g.workflow,
            provider: g.provider,
            repairs: g.repairs,
            usage: TokensSpent {
                input_tokens: usage.input,
                output_tokens: usage.output,
            },
            passed_over: g.passed_over,
            notices: g.notices,
        }
    }
}

/// A generated workflow to preview and import.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeneratedWorkflow {
    pub name: String,
    /// The workflow as n8n JSON (what Import sends).
    pub json: String,
    /// Who wrote it: a provider, or `offline`.
    pub provider: String,
    pub notices: Vec<String>,
    pub tokens: u64,
}

#[cfg(feature = "hydrate")]
impl TryFrom<GeneratedBody> for GeneratedWorkflow {
    type Error = String;

    fn try_from(body: GeneratedBody) -> Result<Self, String> {
        let workflow: agente_workflow_model::Workflow =
            serde_json::from_value(body.workflow.clone())
                .map_err(|e| format!("the generated workflow could not be read: {e}"))?;
        let json = serde_json::to_string_pretty(&body.workflow).unwrap_or_default();
        Ok(Self {
            name: workflow.name().to_string(),
            json,
            provider: body.provider,
            notices: body.notices,
            tokens: body.usage.input_tokens + body.usage.output_tokens,
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
        .update(&p, workflow_id, &workflow.to_string(), Some(stored.version))
        .await
        .map_err(server_error)?;
    Ok(())
}
