-- Workflows, their webhooks, and executions. Mirrors postgres/0002_workflows.sql minus RLS.

CREATE TABLE workflows (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    -- The n8n workflow document as imported (id and active are ours, not stored in it).
    definition  TEXT NOT NULL,
    active_at   BIGINT,
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX workflows_tenant ON workflows(tenant_id, updated_at);

-- Production webhooks of active workflows. `/webhook/<path>` carries no tenant, so a
-- (method, path) pair is unique across the deployment.
CREATE TABLE webhooks (
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    workflow_id  TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    node         TEXT NOT NULL,
    PRIMARY KEY (method, path)
);
CREATE INDEX webhooks_workflow ON webhooks(tenant_id, workflow_id);

CREATE TABLE executions (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    workflow_id  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('new', 'running', 'success', 'error', 'canceled', 'waiting')),
    mode         TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT,
    error        TEXT,
    -- Run data: gzip-compressed JSON, capped in size.
    data         BLOB
);
CREATE INDEX executions_tenant ON executions(tenant_id, started_at);
CREATE INDEX executions_workflow ON executions(tenant_id, workflow_id, started_at);
