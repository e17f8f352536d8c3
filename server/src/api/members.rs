//! `/members` and `/invitations`.

use super::auth::TokenResponse;
use super::{ApiError, ApiJson, ApiPath, Caller, Problem};
use crate::AppState;
use agente_auth::{CreatedInvitation, InvitationInfo, Member};
use agente_core::{Role, UserId};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RoleInput {
    pub role: Role,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct InviteInput {
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AcceptInput {
    pub token: String,
    pub password: String,
}

/// Members of the caller's tenant.
#[utoipa::path(get, path = "/api/v1/members", tag = "members", security(("bearer" = [])),
    responses((status = 200, body = [Member]), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<Vec<Member>>, ApiError> {
    Ok(Json(state.auth.list_members(&p).await?))
}

/// Change a member's role.
#[utoipa::path(patch, path = "/api/v1/members/{id}", tag = "members", security(("bearer" = [])), request_body = RoleInput,
    params(("id" = String, Path, description = "member id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn change_role(
    State(state): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(input): ApiJson<RoleInput>,
) -> Result<StatusCode, ApiError> {
    state.auth.change_role(&p, id, input.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a member.
#[utoipa::path(delete, path = "/api/v1/members/{id}", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path, description = "member id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the tenant's last owner")))]
pub async fn remove(
    State(state): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<UserId>,
) -> Result<StatusCode, ApiError> {
    state.auth.remove_member(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pending invitations.
#[utoipa::path(get, path = "/api/v1/invitations", tag = "members", security(("bearer" = [])),
    responses((status = 200, body = [InvitationInfo])))]
pub async fn list_invitations(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<Vec<InvitationInfo>>, ApiError> {
    Ok(Json(state.auth.list_invitations(&p).await?))
}

/// Invite an e-mail address; the answer holds the token for the `/invite/<token>` link.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "members", security(("bearer" = [])), request_body = InviteInput,
    responses((status = 201, body = CreatedInvitation), (status = 409, body = Problem)))]
pub async fn invite(
    State(state): State<AppState>,
    Caller(p): Caller,
    ApiJson(input): ApiJson<InviteInput>,
) -> Result<(StatusCode, Json<CreatedInvitation>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.auth.invite(&p, &input.email, input.role).await?),
    ))
}

/// Withdraw a pending invitation.
#[utoipa::path(delete, path = "/api/v1/invitations/{id}", tag = "members", security(("bearer" = [])),
    params(("id" = String, Path, description = "invitation id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state.auth.revoke_invitation(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accept an invitation: creates the account and logs it in.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "members", request_body = AcceptInput,
    responses((status = 201, body = TokenResponse), (status = 401, body = Problem)))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<AcceptInput>,
) -> Result<Response, ApiError> {
    let session = state
        .auth
        .accept_invitation(&input.token, input.password)
        .await?;
    Ok(super::auth::session_response(
        &state,
        StatusCode::CREATED,
        session,
    ))
}
