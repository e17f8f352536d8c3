-- Test webhooks and execution pruning (see sqlite/0004_webhooks_and_pruning.sql).

CREATE TABLE test_webhooks (
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    workflow_id  TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    node         TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (method, path)
);
CREATE INDEX test_webhooks_workflow ON test_webhooks(tenant_id, workflow_id);
CREATE INDEX executions_prune ON executions(tenant_id, started_at) WHERE finished_at IS NOT NULL;

ALTER TABLE test_webhooks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON test_webhooks
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

-- The webhooks an incoming call may mean: the exact (method, path), and the dynamic ones
-- (`<webhookId>/user/:id`) under its first segment. Production or test registrations.
CREATE FUNCTION agente_webhook_candidates(p_test BOOLEAN, p_method TEXT, p_path TEXT, p_prefix TEXT, p_now BIGINT)
RETURNS TABLE (path TEXT, tenant_id TEXT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT w.path, w.tenant_id FROM webhooks w
     WHERE NOT p_test AND w.method = p_method AND (w.path = p_path OR (w.path LIKE p_prefix || '/%' AND w.path LIKE '%:%'))
    UNION ALL
    SELECT t.path, t.tenant_id FROM test_webhooks t
     WHERE p_test AND t.method = p_method AND t.expires_at >= p_now
       AND (t.path = p_path OR (t.path LIKE p_prefix || '/%' AND t.path LIKE '%:%'))
$$;

-- Test registrations of every tenant expire; removing them frees their paths.
CREATE FUNCTION agente_purge_test_webhooks(p_now BIGINT) RETURNS BIGINT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$ DECLARE n BIGINT; BEGIN
    DELETE FROM test_webhooks WHERE expires_at < p_now;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

-- n8n's pruning across tenants: finished executions older than p_before, and all but the
-- newest p_keep of each tenant.
CREATE FUNCTION agente_prune_executions(p_before BIGINT, p_keep BIGINT) RETURNS BIGINT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$ DECLARE n BIGINT; BEGIN
    DELETE FROM executions e USING (
        SELECT id FROM (
            SELECT id, started_at,
                   ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY started_at DESC, id DESC) AS rn
              FROM executions WHERE finished_at IS NOT NULL
        ) ranked WHERE ranked.started_at < p_before OR ranked.rn > p_keep
    ) doomed WHERE e.id = doomed.id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

REVOKE ALL ON FUNCTION agente_webhook_candidates(BOOLEAN, TEXT, TEXT, TEXT, BIGINT),
    agente_purge_test_webhooks(BIGINT), agente_prune_executions(BIGINT, BIGINT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agente_webhook_candidates(BOOLEAN, TEXT, TEXT, TEXT, BIGINT),
    agente_purge_test_webhooks(BIGINT), agente_prune_executions(BIGINT, BIGINT) TO agente_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON test_webhooks TO agente_app;

-- Replaced by agente_webhook_candidates.
DROP FUNCTION agente_tenant_of_webhook(TEXT, TEXT);
