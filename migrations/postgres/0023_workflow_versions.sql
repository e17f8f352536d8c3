-- Every stored version of a workflow (see sqlite/0023_workflow_versions.sql).
CREATE TABLE workflow_versions (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    workflow_id  TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    version      BIGINT NOT NULL,
    name         TEXT NOT NULL,
    definition   TEXT NOT NULL,
    node_count   BIGINT NOT NULL,
    saved_by     TEXT,
    saved_at     BIGINT NOT NULL,
    PRIMARY KEY (workflow_id, version)
);
CREATE INDEX workflow_versions_tenant ON workflow_versions(tenant_id, workflow_id);

INSERT INTO workflow_versions (tenant_id, workflow_id, version, name, definition, node_count, saved_by, saved_at)
    SELECT tenant_id, id, version, name, definition,
        COALESCE(jsonb_array_length(definition::jsonb -> 'nodes'), 0), NULL, updated_at
    FROM workflows;

ALTER TABLE workflow_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON workflow_versions
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
GRANT SELECT, INSERT, DELETE ON workflow_versions TO agente_app;
