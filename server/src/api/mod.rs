//! The REST API under `/api/v1`. Handlers translate HTTP to `AuthService` calls; the auth
//! service applies `check_permission`. Every error is `application/problem+json`.

mod ai;
mod api_keys;
mod auth;
mod billing;
mod bodies;
mod events;
mod extract;
mod jobs;
mod members;
mod mfa;
mod notifications;
mod openapi;
mod problem;
mod versions;
mod workflows;

pub use extract::{ApiJson, ApiPath, ApiQuery, Caller, PathId};
pub use problem::{ApiError, Problem};

use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, patch, post, put};

/// Largest JSON body the API reads, except workflow documents and run input.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Largest workflow document (n8n exports with pinned data can be large).
pub const MAX_WORKFLOW_BYTES: usize = 4 * 1024 * 1024;

#[allow(clippy::too_many_lines)] // the route table reads best as one list
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/signup", post(auth::signup))
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/me/mfa/enrol", post(mfa::enrol))
        .route("/me/mfa/confirm", post(mfa::confirm))
        .route("/me/mfa/disable", post(mfa::disable))
        .route("/members", get(members::list))
        .route(
            "/members/{id}",
            patch(members::change_role).delete(members::remove),
        )
        .route(
            "/invitations",
            get(members::list_invitations).post(members::invite),
        )
        .route("/invitations/{id}", delete(members::revoke_invitation))
        .route("/invitations/accept", post(members::accept_invitation))
        .route("/api-keys", get(api_keys::list).post(api_keys::create))
        .route("/api-keys/{id}", delete(api_keys::revoke))
        .route(
            "/workflows",
            get(workflows::list)
                .post(workflows::create)
                .layer(DefaultBodyLimit::max(MAX_WORKFLOW_BYTES)),
        )
        .route(
            "/workflows/import",
            post(workflows::import).layer(DefaultBodyLimit::max(MAX_WORKFLOW_BYTES)),
        )
        .route(
            "/workflows/{id}",
            get(workflows::get)
                .put(workflows::update)
                .delete(workflows::delete)
                .layer(DefaultBodyLimit::max(MAX_WORKFLOW_BYTES)),
        )
        .route("/workflows/{id}/versions", get(versions::list))
        .route("/workflows/{id}/versions/compare", get(versions::compare))
        .route("/workflows/{id}/versions/{version}", get(versions::get))
        .route(
            "/workflows/{id}/versions/{version}/restore",
            post(versions::restore),
        )
        .route("/workflows/{id}/activate", post(workflows::activate))
        .route("/workflows/{id}/deactivate", post(workflows::deactivate))
        .route("/workflows/{id}/listen", post(workflows::listen))
        .route(
            "/workflows/{id}/schedule-history",
            get(workflows::schedule_history),
        )
        .route(
            "/workflows/{id}/run",
            post(workflows::run).layer(DefaultBodyLimit::max(MAX_WORKFLOW_BYTES)),
        )
        .route("/ai/workflows/generate", post(ai::generate_workflow))
        .route(
            "/ai/workflows/generate/stream",
            post(ai::generate_workflow_stream),
        )
        .route("/ai/executions/{id}/explain", post(ai::explain_execution))
        .route("/ai/workflows/{id}/optimise", post(ai::optimise_workflow))
        .route("/ai/settings", get(ai::settings).put(ai::save_settings))
        .route("/ai/calls", get(ai::calls))
        .route("/billing", get(billing::overview))
        .route("/billing/plans", get(billing::plans))
        .route("/billing/plans/{id}", put(billing::save_plan))
        .route("/billing/subscription", post(billing::change_plan))
        .route("/billing/subscription/cancel", post(billing::cancel))
        .route("/billing/subscription/resume", post(billing::resume))
        .route("/billing/checkout", post(billing::checkout))
        .route("/billing/portal", post(billing::portal))
        .route("/billing/invoices", get(billing::invoices))
        .route("/billing/revenue", get(billing::revenue))
        .route("/billing/stripe/webhook", post(billing::stripe_webhook))
        .route("/jobs/dead", get(jobs::list_dead).delete(jobs::purge_dead))
        .route("/jobs/dead/{id}", delete(jobs::delete_dead))
        .route("/jobs/dead/{id}/retry", post(jobs::retry_dead))
        .route("/ops/queues", get(jobs::queues))
        .route("/events", get(events::stream))
        .route("/executions", get(workflows::list_executions))
        .route(
            "/executions/{id}",
            get(workflows::get_execution).delete(workflows::delete_execution),
        )
        .route("/executions/{id}/retry", post(workflows::retry_execution))
        .route("/executions/{id}/stop", post(workflows::stop_execution))
        .route(
            "/credentials",
            get(workflows::list_credentials).post(workflows::create_credential),
        )
        .route("/credentials/{id}", delete(workflows::delete_credential))
        .route("/notifications/events", get(notifications::events))
        .route(
            "/notifications/rules",
            get(notifications::list_rules).post(notifications::create_rule),
        )
        .route(
            "/notifications/rules/{id}",
            patch(notifications::update_rule).delete(notifications::delete_rule),
        )
        .route(
            "/notifications/rules/{id}/test",
            post(notifications::test_rule),
        )
        .route(
            "/notifications/deliveries",
            get(notifications::list_deliveries),
        )
        .route(
            "/notifications/deliveries/{id}/retry",
            post(notifications::retry_delivery),
        )
        .route(
            "/notifications/templates",
            get(notifications::list_templates),
        )
        .route(
            "/notifications/templates/{event}",
            put(notifications::set_template).delete(notifications::reset_template),
        )
        .route(
            "/notifications/templates/{event}/preview",
            post(notifications::preview_template),
        )
        .route(
            "/notifications/smtp",
            get(notifications::smtp)
                .put(notifications::set_smtp)
                .delete(notifications::clear_smtp),
        )
        .route(
            "/notifications/push-subscriptions",
            get(notifications::list_push).post(notifications::subscribe_push),
        )
        .route(
            "/notifications/push-subscriptions/{id}",
            delete(notifications::unsubscribe_push),
        )
        .route("/openapi.json", get(openapi::document))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such API endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::Request {
        status: axum::http::StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        detail: "this endpoint does not accept that method".into(),
    }
}
