-- Webhook paths belong to a tenant (see sqlite/0020_webhook_paths.sql).
CREATE TABLE webhook_paths (
    path         TEXT NOT NULL,
    workflow_id  TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    prefix       TEXT NOT NULL,
    pattern      INTEGER NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (path, workflow_id)
);
CREATE INDEX webhook_paths_prefix ON webhook_paths(prefix);
CREATE INDEX webhook_paths_workflow ON webhook_paths(tenant_id, workflow_id);

INSERT INTO webhook_paths (path, workflow_id, tenant_id, prefix, pattern, created_at)
    SELECT DISTINCT path, workflow_id, tenant_id, split_part(path, '/', 1),
        CASE WHEN path LIKE '%/:%' OR path LIKE ':%' THEN 1 ELSE 0 END, 0
    FROM webhooks;

ALTER TABLE webhook_paths ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_paths
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
GRANT SELECT, INSERT, DELETE ON webhook_paths TO agente_app;

-- Whether another tenant holds `p_path`, or the first segment it lives under (see the
-- rules above). Answers only yes or no, and takes a transaction-long lock so that two
-- tenants claiming at once are decided one after the other (the claim is the caller's
-- next statement, in the same transaction).
CREATE FUNCTION agente_webhook_path_taken(p_tenant TEXT, p_path TEXT, p_prefix TEXT, p_pattern BOOLEAN)
RETURNS BOOLEAN
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('agente_webhook_paths'));
    RETURN EXISTS (
        SELECT 1 FROM webhook_paths
        WHERE tenant_id <> p_tenant
          AND (path = p_path OR (prefix = p_prefix AND (pattern = 1 OR p_pattern)))
    );
END
$$;
REVOKE ALL ON FUNCTION agente_webhook_path_taken(TEXT, TEXT, TEXT, BOOLEAN) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agente_webhook_path_taken(TEXT, TEXT, TEXT, BOOLEAN) TO agente_app;

-- Replaced by the tenant's own webhooks (same-tenant clashes) and agente_webhook_path_taken.
DROP FUNCTION agente_webhook_taken(TEXT, TEXT, TEXT);
