-- Executions through the job queue. A queued execution (`new`) keeps the trigger it starts
-- from in `resume_state`, as a waiting one keeps where it goes on. The process running an
-- execution beats `heartbeat_at`; for a queued or waiting one it is when the reaper last
-- enqueued it again. `attempts` counts the reaper's restarts.
ALTER TABLE executions ADD COLUMN heartbeat_at BIGINT;
ALTER TABLE executions ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX executions_unfinished ON executions(status) WHERE finished_at IS NULL;

-- The reaper's one read across tenants: unfinished executions whose progress stopped (a
-- running one whose process went silent, a queued one nobody started, a waiting one past
-- its time). It acts on each inside its tenant.
CREATE FUNCTION agente_stalled_executions(p_running_before BIGINT, p_pending_before BIGINT, p_limit BIGINT)
RETURNS TABLE (id TEXT, tenant_id TEXT, status TEXT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT e.id, e.tenant_id, e.status FROM executions e
     WHERE e.finished_at IS NULL AND (
           (e.status = 'running' AND COALESCE(e.heartbeat_at, e.started_at) < p_running_before)
        OR (e.status = 'new' AND COALESCE(e.heartbeat_at, e.started_at) < p_pending_before)
        OR (e.status = 'waiting' AND e.wait_till < p_pending_before
            AND COALESCE(e.heartbeat_at, 0) < p_pending_before))
     ORDER BY e.started_at LIMIT p_limit
$$;

REVOKE ALL ON FUNCTION agente_stalled_executions(BIGINT, BIGINT, BIGINT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agente_stalled_executions(BIGINT, BIGINT, BIGINT) TO agente_app;
