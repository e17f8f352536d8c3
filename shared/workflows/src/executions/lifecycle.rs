//! The execution lifecycle: every statement that writes an execution's row, each a named
//! transition from the states it may leave (see `agente_core::execution` for the diagram).
//! Manual runs, the queue, waits and the reaper all change executions through here, so the
//! rule "a row leaves `new` or `waiting` once" lives in one place: a claim names the state it
//! takes the row from and answers whether it got it.

use crate::records::{ExecutionRecord, WorkflowRef};
use agente_core::{ExecutionId, ExecutionMode, ExecutionStatus, TenantId};
use agente_store::sqlx::{self, query};
use agente_store::{AnyConnection, Db, Statement, StoreError};

/// Which execution, of whom: the header every transition is about.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Run {
    pub tenant: TenantId,
    pub id: ExecutionId,
    pub workflow: WorkflowRef,
    pub mode: ExecutionMode,
    pub started_at: i64,
}

impl Run {
    pub(crate) fn of(tenant: TenantId, record: &ExecutionRecord) -> Self {
        Self {
            tenant,
            id: record.id,
            workflow: record.workflow_id,
            mode: record.mode,
            started_at: record.started_at,
        }
    }
}

/// A run that has gone on for a while becomes visible (and stoppable) as `running`.
pub(crate) async fn insert_running(db: &Db, run: &Run) -> Result<(), StoreError> {
    db.tenant_execute(
        run.tenant,
        query(
            "INSERT INTO executions (id, tenant_id, workflow_id, status, mode, started_at) \
             VALUES ($1, $2, $3, 'running', $4, $5)",
        )
        .bind(run.id.to_string())
        .bind(run.tenant.to_string())
        .bind(run.workflow.to_string())
        .bind(run.mode.as_str())
        .bind(run.started_at),
    )
    .await?;
    Ok(())
}

/// A queued run (`new`) with what it starts from, inside the caller's transaction (which
/// also stages its job).
pub(crate) async fn insert_queued(
    conn: &mut AnyConnection,
    run: &Run,
    state: Vec<u8>,
) -> Result<(), StoreError> {
    query(
        "INSERT INTO executions (id, tenant_id, workflow_id, status, mode, started_at, resume_state) \
         VALUES ($1, $2, $3, 'new', $4, $5, $6)",
    )
    .bind(run.id.to_string())
    .bind(run.tenant.to_string())
    .bind(run.workflow.to_string())
    .bind(run.mode.as_str())
    .bind(run.started_at)
    .bind(state)
    .execute(conn)
    .await?;
    Ok(())
}

/// The end of a run: its outcome and run data, written whether or not it was visible as
/// `running` (executions ending together share one commit: group commit).
pub(crate) async fn finish(
    db: &Db,
    run: &Run,
    status: ExecutionStatus,
    finished_at: i64,
    error: Option<String>,
    data: Vec<u8>,
) -> Result<(), StoreError> {
    debug_assert!(status.is_finished());
    db.tenant_execute_grouped(
        run.tenant,
        Statement::new(
            "INSERT INTO executions (id, tenant_id, workflow_id, status, mode, started_at, finished_at, error, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, finished_at = excluded.finished_at, \
             error = excluded.error, data = excluded.data, wait_till = NULL, resume_state = NULL",
        )
        .bind(run.id.to_string())
        .bind(run.tenant.to_string())
        .bind(run.workflow.to_string())
        .bind(status.as_str())
        .bind(run.mode.as_str())
        .bind(run.started_at)
        .bind(finished_at)
        .bind(error)
        .bind(data),
    )
    .await?;
    Ok(())
}

/// A run suspended at a Wait node: `waiting` with its state, inside the caller's
/// transaction (which also stages the job that resumes it).
pub(crate) async fn suspend(
    conn: &mut AnyConnection,
    run: &Run,
    data: Vec<u8>,
    wait_till: Option<i64>,
    state: Vec<u8>,
) -> Result<(), StoreError> {
    query(
        "INSERT INTO executions (id, tenant_id, workflow_id, status, mode, started_at, data, wait_till, resume_state) \
         VALUES ($1, $2, $3, 'waiting', $4, $5, $6, $7, $8) \
         ON CONFLICT (id) DO UPDATE SET status = 'waiting', data = excluded.data, \
         wait_till = excluded.wait_till, resume_state = excluded.resume_state, heartbeat_at = NULL",
    )
    .bind(run.id.to_string())
    .bind(run.tenant.to_string())
    .bind(run.workflow.to_string())
    .bind(run.mode.as_str())
    .bind(run.started_at)
    .bind(data)
    .bind(wait_till)
    .bind(state)
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes a `new` or `waiting` execution to `running` for this process. `false` when
/// another process claimed it (or it was stopped) first. A queued execution starts now; a
/// waiting one started when it was triggered.
pub(crate) async fn claim(
    db: &Db,
    tenant: TenantId,
    id: ExecutionId,
    from: ExecutionStatus,
    now: i64,
) -> Result<bool, StoreError> {
    debug_assert!(matches!(
        from,
        ExecutionStatus::New | ExecutionStatus::Waiting
    ));
    let sql = "UPDATE executions SET status = 'running', heartbeat_at = $1, \
               started_at = CASE WHEN status = 'new' THEN $1 ELSE started_at END \
               WHERE id = $2 AND tenant_id = $3 AND status = $4";
    Ok(on_execution(db, tenant, id, now, sql, Some(from.as_str())).await? > 0)
}

/// Tells the reaper the process running `id` is alive.
pub(crate) async fn heartbeat(
    db: &Db,
    tenant: TenantId,
    id: ExecutionId,
    now: i64,
) -> Result<(), StoreError> {
    let sql = "UPDATE executions SET heartbeat_at = $1 \
               WHERE id = $2 AND tenant_id = $3 AND status = 'running'";
    on_execution(db, tenant, id, now, sql, None).await?;
    Ok(())
}

/// Asks the process running `id` (perhaps another) to stop it. `false` when it is not
/// running.
pub(crate) async fn request_stop(
    db: &Db,
    tenant: TenantId,
    id: ExecutionId,
    now: i64,
) -> Result<bool, StoreError> {
    let sql = "UPDATE executions SET stop_requested_at = $1 \
               WHERE id = $2 AND tenant_id = $3 AND status = 'running'";
    Ok(on_execution(db, tenant, id, now, sql, None).await? > 0)
}

/// Whether someone asked to stop `id` (`request_stop`).
pub(crate) async fn stop_requested(
    db: &Db,
    tenant: TenantId,
    id: ExecutionId,
) -> Result<bool, StoreError> {
    let row = db
        .tenant_fetch_optional(
            tenant,
            query("SELECT stop_requested_at FROM executions WHERE id = $1 AND tenant_id = $2")
                .bind(id.to_string())
                .bind(tenant.to_string()),
        )
        .await?;
    match row {
        Some(row) => Ok(sqlx::Row::try_get::<Option<i64>, _>(&row, 0)?.is_some()),
        None => Ok(false),
    }
}

/// Stops a `waiting` or `new` execution (`canceled`). `false` when it no longer is one.
pub(crate) async fn cancel_pending(
    db: &Db,
    tenant: TenantId,
    id: ExecutionId,
    now: i64,
) -> Result<bool, StoreError> {
    let sql = "UPDATE executions SET status = 'canceled', finished_at = $1, wait_till = NULL, \
               resume_state = NULL WHERE id = $2 AND tenant_id = $3 AND status IN ('waiting', 'new')";
    Ok(on_execution(db, tenant, id, now, sql, None).await? > 0)
}

/// Ends an unfinished execution (whatever its state) as failed with `message`.
pub(crate) async fn fail_unfinished(
    db: &Db,
    tenant: TenantId,
    id: ExecutionId,
    message: &str,
    now: i64,
) -> Result<(), StoreError> {
    let sql = "UPDATE executions SET status = 'error', error = $4, finished_at = $1, \
               wait_till = NULL, resume_state = NULL \
               WHERE id = $2 AND tenant_id = $3 AND finished_at IS NULL";
    on_execution(db, tenant, id, now, sql, Some(message)).await?;
    Ok(())
}

/// A run that leaves no record (`saveData…Execution: none`) but was already visible as
/// `running`: its row goes.
pub(crate) async fn forget(db: &Db, tenant: TenantId, id: ExecutionId) -> Result<(), StoreError> {
    db.tenant_execute(
        tenant,
        query("DELETE FROM executions WHERE id = $1 AND tenant_id = $2")
            .bind(id.to_string())
            .bind(tenant.to_string()),
    )
    .await?;
    Ok(())
}

/// The reaper's transitions, inside its transaction: a stalled execution `from` `status`
/// goes back to `to` (`new` or `waiting`) for another attempt — counted in `attempts` when
/// its process died running it, in `resends` when only its job was lost…
pub(crate) async fn requeue(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: ExecutionId,
    from: ExecutionStatus,
    to: ExecutionStatus,
    now: i64,
) -> Result<(), StoreError> {
    debug_assert!(matches!(
        to,
        ExecutionStatus::New | ExecutionStatus::Waiting
    ));
    let counter = if from == ExecutionStatus::Running {
        "attempts = attempts + 1"
    } else {
        "resends = resends + 1"
    };
    query(&format!(
        "UPDATE executions SET status = $1, heartbeat_at = $2, {counter} \
         WHERE id = $3 AND tenant_id = $4 AND status = $5"
    ))
    .bind(to.as_str())
    .bind(now)
    .bind(id.to_string())
    .bind(tenant.to_string())
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// …or fails for good.
pub(crate) async fn fail_stalled(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: ExecutionId,
    from: ExecutionStatus,
    message: &str,
    now: i64,
) -> Result<(), StoreError> {
    query(
        "UPDATE executions SET status = 'error', error = $1, finished_at = $2, \
         wait_till = NULL, resume_state = NULL WHERE id = $3 AND tenant_id = $4 AND status = $5",
    )
    .bind(message)
    .bind(now)
    .bind(id.to_string())
    .bind(tenant.to_string())
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// A queued or waiting execution whose job still waits in the queue: its clock starts
/// again, so the reaper leaves it alone for another stale period.
pub(crate) async fn touch_pending(
    db: &Db,
    tenant: TenantId,
    id: ExecutionId,
    status: ExecutionStatus,
    now: i64,
) -> Result<(), StoreError> {
    let sql = "UPDATE executions SET heartbeat_at = $1 \
               WHERE id = $2 AND tenant_id = $3 AND status = $4";
    on_execution(db, tenant, id, now, sql, Some(status.as_str())).await?;
    Ok(())
}

/// Runs one statement on execution `id` as its tenant: `$1` is the time, `$2` the id, `$3`
/// the tenant and `$4`, when given, `more`. Answers the rows changed.
async fn on_execution(
    db: &Db,
    tenant: TenantId,
    id: ExecutionId,
    now: i64,
    sql: &'static str,
    more: Option<&str>,
) -> Result<u64, StoreError> {
    let mut statement = query(sql)
        .bind(now)
        .bind(id.to_string())
        .bind(tenant.to_string());
    if let Some(more) = more {
        statement = statement.bind(more.to_string());
    }
    db.tenant_execute(tenant, statement).await
}
