//! `/workflows/{id}/versions`: a workflow's version history — every save kept with who and
//! when; one version's document; what changed between two; restoring one as a new version.

use super::bodies::Listed;
use super::extract::ApiPath;
use super::{ApiError, ApiQuery, Caller, PathId, Problem};
use crate::AppState;
use agente_core::WorkflowId;
use agente_workflow_model::diff::Changes;
use agente_workflows::{VersionInfo, WorkflowBody};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One version with its n8n document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionBody {
    #[serde(flatten)]
    info: VersionInfo,
    #[schema(value_type = Object)]
    workflow: Value,
}

/// `{id}/versions/{version}`: an unknown workflow id names nothing (404), a version that is
/// not a number is a bad request.
fn ids((id, version): (String, i64)) -> Result<(WorkflowId, i64), ApiError> {
    let id = id
        .parse()
        .map_err(|_| ApiError::not_found("nothing has this id"))?;
    Ok((id, version))
}

/// The kept versions, newest first (the newest `MAX_KEPT_VERSIONS`).
#[utoipa::path(get, path = "/api/v1/workflows/{id}/versions", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Listed<VersionInfo>), (status = 404, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<WorkflowId>,
) -> Result<Json<Listed<VersionInfo>>, ApiError> {
    Ok(Json(s.workflows.versions(&p, id).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/workflows/{id}/versions/{version}", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])),
    params(("id" = String, Path), ("version" = i64, Path)),
    responses((status = 200, body = VersionBody), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(path): ApiPath<(String, i64)>,
) -> Result<Json<VersionBody>, ApiError> {
    let (id, version) = ids(path)?;
    let (info, workflow) = s.workflows.version(&p, id, version).await?;
    Ok(Json(VersionBody {
        info,
        workflow: workflow.to_value(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareQuery {
    from: i64,
    to: i64,
}

/// What changed from version `from` to version `to`, node by node.
#[utoipa::path(get, path = "/api/v1/workflows/{id}/versions/compare", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])),
    params(("id" = String, Path), ("from" = i64, Query), ("to" = i64, Query)),
    responses((status = 200, body = Changes), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn compare(
    State(s): State<AppState>,
    Caller(p): Caller,
    PathId(id): PathId<WorkflowId>,
    ApiQuery(q): ApiQuery<CompareQuery>,
) -> Result<Json<Changes>, ApiError> {
    Ok(Json(
        s.workflows.compare_versions(&p, id, q.from, q.to).await?,
    ))
}

/// Saves that version's document as the newest version. With `If-Match: "<versionId>"` only
/// if the workflow is still at that version (409 `version_conflict` otherwise).
#[utoipa::path(post, path = "/api/v1/workflows/{id}/versions/{version}/restore", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])),
    params(("id" = String, Path), ("version" = i64, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = WorkflowBody), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn restore(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(path): ApiPath<(String, i64)>,
    headers: axum::http::HeaderMap,
) -> Result<Json<WorkflowBody>, ApiError> {
    let (id, version) = ids(path)?;
    let expected = super::workflows::if_match_version(&headers)?;
    let restored = s
        .workflows
        .restore_version(&p, id, version, expected)
        .await?;
    Ok(Json(WorkflowBody::from(&restored)))
}
