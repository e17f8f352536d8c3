-- Cron schedules fired by the scheduler, and named leases (which process is the scheduler).
-- System tables like `jobs`: a schedule names its tenant; the job it enqueues acts inside it.
CREATE TABLE schedules (
    -- Chosen by the registrant, e.g. `<workflow id>/<node>/<n>`.
    id            TEXT PRIMARY KEY,
    tenant_key    TEXT NOT NULL DEFAULT '',
    -- What registered it (a workflow id): replaced or removed together.
    owner         TEXT NOT NULL,
    -- Six fields, seconds first, in `timezone` (IANA).
    pattern       TEXT NOT NULL,
    timezone      TEXT NOT NULL,
    -- The job enqueued at each firing.
    kind          TEXT NOT NULL,
    queue         TEXT NOT NULL,
    payload       TEXT NOT NULL,
    -- After downtime: skip the missed firings, or run once for all of them.
    misfire       TEXT NOT NULL CHECK (misfire IN ('skip', 'run_once')),
    next_fire_at  BIGINT NOT NULL,
    last_fired_at BIGINT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX schedules_due ON schedules(next_fire_at);
CREATE INDEX schedules_owner ON schedules(owner);

-- A lease held by one process at a time, renewed before `until`.
CREATE TABLE leases (
    name    TEXT PRIMARY KEY,
    holder  TEXT NOT NULL,
    until   BIGINT NOT NULL
);

-- Job history per schedule, and when an attempt started.
ALTER TABLE jobs ADD COLUMN schedule_id TEXT;
ALTER TABLE jobs ADD COLUMN started_at BIGINT;
CREATE INDEX jobs_schedule ON jobs(schedule_id, created_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON schedules, leases TO agente_app;
