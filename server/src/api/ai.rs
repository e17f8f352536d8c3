//! `/ai`: generating a workflow from a description (previewed, then imported by the caller
//! through `POST /workflows`).

use super::{ApiError, ApiJson, Caller, Problem};
use crate::AppState;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateWorkflow {
    /// What the workflow should do, in plain words (at most 2,000 characters).
    description: String,
}

/// Generate a workflow from a description: always a valid, importable n8n workflow (a
/// configured model's, corrected against the validator, or the offline planner's). Not
/// saved: import it with `POST /api/v1/workflows`.
#[utoipa::path(post, path = "/api/v1/ai/workflows/generate", tag = "ai", security(("bearer" = [])),
    request_body = GenerateWorkflow,
    responses((status = 200, body = Object), (status = 400, body = Problem), (status = 402, body = Problem),
        (status = 403, body = Problem)))]
pub async fn generate_workflow(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiJson(input): ApiJson<GenerateWorkflow>,
) -> Result<Json<Value>, ApiError> {
    let generated = s.ai.generate_workflow(&p, &input.description).await?;
    Ok(Json(json!({
        "workflow": generated.workflow,
        "provider": generated.provider,
        "repairs": generated.repairs,
        "usage": { "inputTokens": generated.usage.input, "outputTokens": generated.usage.output },
        "passedOver": generated.passed_over,
        "notices": generated.notices,
    })))
}
