//! Extractors that reject with problem+json instead of axum's plain-text errors.

use super::ApiError;
use crate::authn::RejectedCredentials;
use agente_auth::{AuthError, Principal};
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

/// A JSON body; malformed, mistyped or oversized bodies become 4xx problems.
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// A path parameter; unparsable values become 400 problems.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// An id in the path. Text that cannot be an id names nothing: 404, as an unknown id does
/// (the caller learns nothing more from a malformed one).
#[derive(Debug)]
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: std::str::FromStr + Send> FromRequestParts<S> for PathId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiPath(raw) = ApiPath::<String>::from_request_parts(parts, state).await?;
        raw.parse()
            .map(PathId)
            .map_err(|_| ApiError::not_found("nothing has this id"))
    }
}

/// Query parameters; malformed ones become 400 problems.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// The authenticated caller; 401 when there is none.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(principal) = parts.extensions.get::<Principal>() {
            return Ok(Caller(principal.clone()));
        }
        match parts.extensions.get::<RejectedCredentials>() {
            Some(RejectedCredentials(err))
                if matches!(**err, AuthError::Store(_) | AuthError::Limiter(_)) =>
            {
                Err(ApiError::Request {
                    status: axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    code: "unavailable",
                    detail: "credentials could not be checked; try again".into(),
                })
            }
            Some(_) => Err(AuthError::InvalidToken.into()),
            None => Err(AuthError::Unauthenticated.into()),
        }
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Principal>().cloned().map(Caller))
    }
}
