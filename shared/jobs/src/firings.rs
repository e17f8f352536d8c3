//! The record of schedule firings: each firing is a job row carrying its schedule's id, so
//! a schedule's history is a read of the jobs table.

use crate::QueueError;
use crate::system_tx::{fetch_alone, store};
use agente_store::{Db, Row, sqlx};
use serde::Serialize;

/// One firing of a schedule, as its history shows it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Firing {
    pub job_id: String,
    pub schedule_id: String,
    /// `ready` (waiting or backing off), `running`, `done` or `dead`.
    pub state: String,
    pub enqueued_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub attempts: u32,
    pub error: Option<String>,
}

/// The latest firings of every schedule `owner` registered (ids `<owner>/…`, the
/// registrants' convention), removed schedules included, newest first.
pub(crate) async fn owner_history(
    db: &Db,
    owner: &str,
    limit: u32,
) -> Result<Vec<Firing>, QueueError> {
    let prefix = format!("{}/%", agente_store::like_escape(owner));
    let rows = fetch_alone(
        db,
        sqlx::query(
            "SELECT id, schedule_id, state, created_at, started_at, finished_at, attempt, last_error \
             FROM jobs WHERE schedule_id LIKE $1 ESCAPE '\\' ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(prefix)
        .bind(i64::from(limit.min(1_000))),
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Firing {
                job_id: r.try_get("id").map_err(store)?,
                schedule_id: r.try_get("schedule_id").map_err(store)?,
                state: r.try_get("state").map_err(store)?,
                enqueued_at: r.try_get("created_at").map_err(store)?,
                started_at: r.try_get("started_at").map_err(store)?,
                finished_at: r.try_get("finished_at").map_err(store)?,
                attempts: r.try_get::<i64, _>("attempt").map_err(store)? as u32,
                error: r.try_get("last_error").map_err(store)?,
            })
        })
        .collect()
}
