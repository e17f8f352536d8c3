-- Webhook paths belong to a tenant. `/webhook/<path>` carries no tenant, so paths share one
-- namespace; a path a tenant has activated or listened on stays theirs (deactivated or
-- not) until the workflow using it is deleted or stops using it. The first segment of a
-- path with parameters (`<webhookId>/user/:id`) is that tenant's too: nobody else may
-- register a path under it, exact or not, which would otherwise win over the pattern.
CREATE TABLE webhook_paths (
    path         TEXT NOT NULL,
    workflow_id  TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    -- The first segment, and whether the path has parameters.
    prefix       TEXT NOT NULL,
    pattern      INTEGER NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (path, workflow_id)
);
CREATE INDEX webhook_paths_prefix ON webhook_paths(prefix);
CREATE INDEX webhook_paths_workflow ON webhook_paths(tenant_id, workflow_id);

-- The paths active workflows use today are theirs already.
INSERT INTO webhook_paths (path, workflow_id, tenant_id, prefix, pattern, created_at)
    SELECT DISTINCT path, workflow_id, tenant_id,
        CASE WHEN instr(path, '/') > 0 THEN substr(path, 1, instr(path, '/') - 1) ELSE path END,
        CASE WHEN path LIKE '%/:%' OR path LIKE ':%' THEN 1 ELSE 0 END,
        0
    FROM webhooks;
