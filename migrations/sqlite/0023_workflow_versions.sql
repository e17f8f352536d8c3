-- Every stored version of a workflow: who saved it and when, with the document as it was,
-- for the editor's version history (view, restore, compare). The newest
-- `MAX_KEPT_VERSIONS` per workflow are kept (shared/workflows/src/versions.rs).
CREATE TABLE workflow_versions (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    workflow_id  TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    version      BIGINT NOT NULL,
    name         TEXT NOT NULL,
    definition   TEXT NOT NULL,
    node_count   INTEGER NOT NULL,
    -- The member who saved it; NULL for an API key or a version from before history.
    saved_by     TEXT,
    saved_at     BIGINT NOT NULL,
    PRIMARY KEY (workflow_id, version)
);
CREATE INDEX workflow_versions_tenant ON workflow_versions(tenant_id, workflow_id);

-- What exists already becomes the first version of its history.
INSERT INTO workflow_versions (tenant_id, workflow_id, version, name, definition, node_count, saved_by, saved_at)
    SELECT tenant_id, id, version, name, definition,
        COALESCE(json_array_length(definition, '$.nodes'), 0), NULL, updated_at
    FROM workflows;
