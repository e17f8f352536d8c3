//! `/billing`: the tenant's plan and use, the plans on offer, plan changes, and the
//! operator's plan editing.

use super::bodies::Listed;
use super::{ApiError, ApiJson, ApiPath, ApiQuery, Caller, Problem};
use crate::AppState;
use agente_billing::stripe::objects::InvoiceView;
use agente_billing::{BillingOverview, Plan, RevenueReport, WebhookOutcome};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

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
    params(PlansQuery), responses((status = 200, body = Listed<Plan>), (status = 403, body = Problem)))]
pub async fn plans(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiQuery(q): ApiQuery<PlansQuery>,
) -> Result<Json<Listed<Plan>>, ApiError> {
    let plans = if q.all {
        s.billing.all_plans(&p).await?
    } else {
        s.billing.plans(false).await?
    };
    Ok(Json(plans.into()))
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

/// A Stripe Checkout page for subscribing to a plan (owners; when payments are set up).
#[utoipa::path(post, path = "/api/v1/billing/checkout", tag = "billing", security(("bearer" = [])),
    request_body = ChangePlan,
    responses((status = 200, body = StripePage), (status = 409, body = Problem), (status = 502, body = Problem)))]
pub async fn checkout(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiJson(input): ApiJson<ChangePlan>,
) -> Result<Json<StripePage>, ApiError> {
    let me = s.auth.me(&p).await?;
    let email = me.email.unwrap_or_default();
    let url = s.billing.checkout(&p, &input.plan, &email).await?;
    Ok(Json(StripePage { url }))
}

/// A page on Stripe to send the user to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StripePage {
    pub url: String,
}

/// A Stripe Customer Portal page for payment methods (owners).
#[utoipa::path(post, path = "/api/v1/billing/portal", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = StripePage), (status = 409, body = Problem)))]
pub async fn portal(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<StripePage>, ApiError> {
    Ok(Json(StripePage {
        url: s.billing.portal(&p).await?,
    }))
}

/// The tenant's invoices, newest first, with their PDF and hosted links.
#[utoipa::path(get, path = "/api/v1/billing/invoices", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = Listed<InvoiceView>), (status = 403, body = Problem)))]
pub async fn invoices(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<Listed<InvoiceView>>, ApiError> {
    Ok(Json(s.billing.invoices(&p).await?.into()))
}

/// Stripe's webhook: verified by `Stripe-Signature`, each event acted on once.
#[utoipa::path(post, path = "/api/v1/billing/stripe/webhook", tag = "billing",
    request_body(content = Object, description = "a Stripe event, signed"),
    responses((status = 200, body = WebhookReceived), (status = 400, body = Problem),
        (status = 409, body = Problem, description = "Stripe is not set up on this installation")))]
pub async fn stripe_webhook(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WebhookReceived>, ApiError> {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let outcome = s.billing.stripe_webhook(signature, &body).await?;
    let status = match outcome {
        WebhookOutcome::Processed => "processed",
        WebhookOutcome::Duplicate => "duplicate",
        WebhookOutcome::Ignored => "ignored",
    };
    Ok(Json(WebhookReceived {
        received: true,
        status,
    }))
}

/// Stripe's event, taken.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookReceived {
    pub received: bool,
    /// `processed`, `duplicate` (seen before) or `ignored` (a kind not acted on).
    pub status: &'static str,
}

/// This month's revenue across tenants: MRR, subscriptions by plan, churn, usage revenue
/// (operators only).
#[utoipa::path(get, path = "/api/v1/billing/revenue", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = RevenueReport), (status = 403, body = Problem)))]
pub async fn revenue(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<RevenueReport>, ApiError> {
    Ok(Json(s.billing.revenue(&p).await?))
}
