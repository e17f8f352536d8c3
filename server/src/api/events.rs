//! `/events`: live updates as server-sent events — runs (started, each node of a manual run
//! with its item counts, finished or waiting), saves and activations of the caller's
//! workflows, whichever process caused them. A reconnecting `EventSource` sends
//! `Last-Event-ID` and resumes after it; when this replica no longer keeps that event, the
//! stream begins with `resync` (read the state afresh).

use super::{ApiError, ApiQuery, Caller, Problem};
use crate::AppState;
use agente_core::WorkflowId;
use agente_events::Delivery;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::StreamExt;
use serde::Deserialize;
use std::convert::Infallible;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventsQuery {
    /// One workflow's events; all the caller may see without.
    workflow_id: Option<String>,
}

/// Live updates (server-sent events; the stream stays open). Event names:
/// `executionStarted`, `nodeStarted`, `nodeFinished` (`items` per output, `error`,
/// `millis`), `executionFinished` (`status`, `error`, `node`), `workflowSaved` (`version`,
/// `by`), `workflowActivated` (`active`), and `resync`.
#[utoipa::path(get, path = "/api/v1/events", tag = "workflows", security(("bearer" = []), ("n8n_api_key" = [])),
    params(("workflowId" = Option<String>, Query), ("Last-Event-ID" = Option<String>, Header)),
    responses((status = 200, description = "text/event-stream"), (status = 400, body = Problem),
        (status = 403, body = Problem)))]
pub async fn stream(
    State(s): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> Result<Sse<impl futures::Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let workflow = q
        .workflow_id
        .map(|id| id.parse::<WorkflowId>())
        .transpose()
        .map_err(|_| ApiError::bad_request("bad_input", "workflowId is not a workflow id"))?;
    let last_seen = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    let updates = s.workflows.live_updates(&p, workflow, last_seen)?;
    // The stream ends when the server drains, so a shutdown does not wait on it.
    let stream = updates
        .map(|delivery| Ok(sse_event(&delivery)))
        .take_until(s.stopping.clone().cancelled_owned());
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

fn sse_event(delivery: &Delivery) -> Event {
    match delivery {
        Delivery::Event(e) => Event::default()
            .id(e.id.clone())
            .event(e.change.name())
            .data(e.public_json().to_string()),
        Delivery::Gap => Event::default().event("resync").data("{}"),
    }
}
