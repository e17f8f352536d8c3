//! The REST API under `/api/v1`. Handlers translate HTTP to `AuthService` calls; the auth
//! service applies `check_permission`. Every error is `application/problem+json`.

mod api_keys;
mod auth;
mod extract;
mod members;
mod mfa;
mod openapi;
mod problem;

pub use extract::{ApiJson, ApiPath, Caller};
pub use problem::{ApiError, Problem};

use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, patch, post};

/// Largest JSON body the API reads. Workflow imports get their own limit with their issue.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

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
