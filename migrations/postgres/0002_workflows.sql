-- Workflows, their webhooks, and executions (see sqlite/0002_workflows.sql for comments).

CREATE TABLE workflows (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    definition  TEXT NOT NULL,
    active_at   BIGINT,
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX workflows_tenant ON workflows(tenant_id, updated_at);

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
    data         BYTEA
);
CREATE INDEX executions_tenant ON executions(tenant_id, started_at);
CREATE INDEX executions_workflow ON executions(tenant_id, workflow_id, started_at);

ALTER TABLE workflows ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON workflows
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE webhooks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhooks
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE executions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON executions
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

-- Which tenant owns a production webhook: the one pre-tenant lookup of an incoming call.
CREATE FUNCTION agente_tenant_of_webhook(p_method TEXT, p_path TEXT) RETURNS TEXT
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT tenant_id FROM webhooks WHERE method = p_method AND path = p_path $$;

-- Whether a (method, path) is taken by any tenant, to refuse a clash at activation.
CREATE FUNCTION agente_webhook_taken(p_method TEXT, p_path TEXT, p_workflow TEXT) RETURNS BIGINT
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT COUNT(*) FROM webhooks WHERE method = p_method AND path = p_path AND workflow_id <> p_workflow $$;

REVOKE ALL ON FUNCTION agente_tenant_of_webhook(TEXT, TEXT), agente_webhook_taken(TEXT, TEXT, TEXT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agente_tenant_of_webhook(TEXT, TEXT), agente_webhook_taken(TEXT, TEXT, TEXT) TO agente_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON workflows, webhooks, executions TO agente_app;
