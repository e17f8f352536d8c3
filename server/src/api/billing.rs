//! `/billing`: the tenant's plan and use, the plans on offer, plan changes, and the
//! operator's plan editing.

use super::{ApiError, ApiJson, ApiPath, ApiQuery, Caller, Problem};
use crate::AppState;
use agente_billing::{BillingOverview, Plan};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

/// The plan in force, the billing period, and use against each allowance and limit.
#[utoipa::path(get, path = "/api/v1/billing", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = BillingOverview), (status = 403, body = Problem)))]
pub async fn overview(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<BillingOverview>, ApiError> {
    Ok(Json(s.billing.overview(&p).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PlansQuery {
    /// Archived plans too (operators only).
    #[serde(default)]
    all: bool,
}

/// The plans on offer, cheapest first.
#[utoipa::path(get, path = "/api/v1/billing/plans", tag = "billing", security(("bearer" = [])),
    params(PlansQuery), responses((status = 200, body = Object), (status = 403, body = Problem)))]
pub async fn plans(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiQuery(q): ApiQuery<PlansQuery>,
) -> Result<Json<Value>, ApiError> {
    if q.all {
        agente_auth::require_operator(&s.db, &p).await?;
    }
    Ok(Json(json!({ "data": s.billing.plans(q.all).await? })))
}

/// Create or replace a plan (operators only). The path's id must match the body's.
#[utoipa::path(put, path = "/api/v1/billing/plans/{id}", tag = "billing", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Plan,
    responses((status = 200, body = Plan), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn save_plan(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(plan): ApiJson<Plan>,
) -> Result<Json<Plan>, ApiError> {
    if plan.id != id {
        return Err(ApiError::bad_request(
            "bad_input",
            "the plan's id must match the path",
        ));
    }
    Ok(Json(s.billing.save_plan(&p, plan).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ChangePlan {
    plan: String,
}

/// Move the tenant to another plan (owners only). With local billing the change applies
/// at once.
#[utoipa::path(post, path = "/api/v1/billing/subscription", tag = "billing", security(("bearer" = [])),
    request_body = ChangePlan,
    responses((status = 200, body = BillingOverview), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn change_plan(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiJson(input): ApiJson<ChangePlan>,
) -> Result<Json<BillingOverview>, ApiError> {
    s.billing.change_plan(&p, &input.plan).await?;
    Ok(Json(s.billing.overview(&p).await?))
}

/// End the subscription at the end of the period (owners only).
#[utoipa::path(post, path = "/api/v1/billing/subscription/cancel", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = BillingOverview), (status = 409, body = Problem)))]
pub async fn cancel(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<BillingOverview>, ApiError> {
    s.billing.cancel_at_period_end(&p).await?;
    Ok(Json(s.billing.overview(&p).await?))
}

/// Undo a cancellation before it takes effect (owners only).
#[utoipa::path(post, path = "/api/v1/billing/subscription/resume", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = BillingOverview), (status = 409, body = Problem)))]
pub async fn resume(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<BillingOverview>, ApiError> {
    s.billing.resume(&p).await?;
    Ok(Json(s.billing.overview(&p).await?))
}
