-- The embedded job queue (used when REDIS_URL is unset) and the per-tenant fairness cursor.
-- Jobs are system rows: a job may belong to a tenant (`tenant_key`) or to none (''), and
-- workers claim across tenants, so this table has no tenant isolation of its own; handlers
-- act inside the tenant named by their payload.
CREATE TABLE jobs (
    id               TEXT PRIMARY KEY,
    queue            TEXT NOT NULL,
    kind             TEXT NOT NULL,
    tenant_key       TEXT NOT NULL DEFAULT '',
    payload          TEXT NOT NULL,
    priority         INTEGER NOT NULL DEFAULT 0,
    state            TEXT NOT NULL CHECK (state IN ('ready', 'running', 'done', 'dead')),
    -- When a ready job may run (delayed jobs and retry back-off), Unix ms.
    run_at           BIGINT NOT NULL,
    attempt          INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    timeout_ms       BIGINT NOT NULL,
    -- The current claim: who holds it and until when (extended by heartbeats).
    lease_token      TEXT,
    lease_until      BIGINT,
    worker           TEXT,
    idempotency_key  TEXT UNIQUE,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    finished_at      BIGINT
);
CREATE INDEX jobs_due ON jobs(queue, state, priority, tenant_key, run_at);
CREATE INDEX jobs_lease ON jobs(state, lease_until);
CREATE INDEX jobs_finished ON jobs(state, finished_at);

-- When each tenant last had a job of this queue claimed: the least recently served tenant
-- with a due job goes next, so one tenant's backlog cannot starve another's single job.
CREATE TABLE job_tenants (
    queue       TEXT NOT NULL,
    tenant_key  TEXT NOT NULL,
    served_at   BIGINT NOT NULL,
    PRIMARY KEY (queue, tenant_key)
);
