-- Test webhooks (`/webhook-test/<path>`: one call while an editor listens) and pruning of
-- old executions. Mirrors postgres/0004_webhooks_and_pruning.sql minus RLS.

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

-- Pruning walks finished executions newest first per tenant.
CREATE INDEX executions_prune ON executions(tenant_id, started_at) WHERE finished_at IS NOT NULL;
