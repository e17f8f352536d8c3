-- Billing (see sqlite/0012_billing.sql for comments).

CREATE TABLE plans (
    id          TEXT PRIMARY KEY,
    position    INTEGER NOT NULL,
    -- Copied from `spec` so that housekeeping prunes by plan in plain SQL.
    retention_days  INTEGER NOT NULL,
    spec        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE billing_accounts (
    tenant_id             TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    plan_id               TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('active', 'trialing', 'past_due',
                              'unpaid', 'canceled', 'incomplete', 'incomplete_expired', 'paused')),
    provider              TEXT NOT NULL CHECK (provider IN ('local', 'stripe')),
    customer_id           TEXT,
    subscription_id       TEXT,
    period_start          BIGINT,
    period_end            BIGINT,
    cancel_at_period_end  INTEGER NOT NULL DEFAULT 0,
    trial_end             BIGINT,
    past_due_since        BIGINT,
    updated_at            BIGINT NOT NULL
);

CREATE TABLE usage_events (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    meter        TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    quantity     BIGINT NOT NULL,
    occurred_at  BIGINT NOT NULL,
    reported_at  BIGINT,
    PRIMARY KEY (tenant_id, meter, source_id)
);
CREATE INDEX usage_events_period ON usage_events(tenant_id, meter, occurred_at);
CREATE INDEX usage_events_unreported ON usage_events(occurred_at) WHERE reported_at IS NULL;

-- Not a tenant's rows: no row-level security. The application reads it to decide whether
-- a user is an operator; granting happens through `agente operator` and the first sign-up.
CREATE TABLE operators (
    user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    granted_at  BIGINT NOT NULL
);

ALTER TABLE billing_accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_accounts
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE usage_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_events
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON billing_accounts, usage_events, plans, operators
    TO agente_app;

-- The first account of an installation becomes its operator: sign-up asks whether any
-- operator exists, across tenants.
CREATE FUNCTION agente_grant_first_operator(p_user TEXT, p_now BIGINT)
RETURNS BOOLEAN
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    -- Locked only while an installation has no operator yet.
    IF EXISTS (SELECT 1 FROM operators) THEN
        RETURN FALSE;
    END IF;
    LOCK TABLE operators IN EXCLUSIVE MODE;
    IF EXISTS (SELECT 1 FROM operators) THEN
        RETURN FALSE;
    END IF;
    INSERT INTO operators (user_id, granted_at) VALUES (p_user, p_now);
    RETURN TRUE;
END
$$;
REVOKE ALL ON FUNCTION agente_grant_first_operator(TEXT, BIGINT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agente_grant_first_operator(TEXT, BIGINT) TO agente_app;

-- Housekeeping across tenants: finished executions older than the retention of the plan
-- each tenant is on (its account's plan while the subscription is in good standing or past
-- due, else Free; tenants without an account are on `p_default_plan`).
CREATE FUNCTION agente_prune_executions_by_plan(p_now BIGINT, p_default_plan TEXT)
RETURNS BIGINT
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    WITH kept AS (
        SELECT t.id AS tenant_id, p.retention_days
        FROM tenants t
        LEFT JOIN billing_accounts a ON a.tenant_id = t.id
        JOIN plans p ON p.id = CASE
            WHEN a.tenant_id IS NULL THEN p_default_plan
            WHEN a.status IN ('active', 'trialing', 'past_due') THEN a.plan_id
            ELSE 'free' END
    ), gone AS (
        DELETE FROM executions e USING kept k
        WHERE e.tenant_id = k.tenant_id AND e.finished_at IS NOT NULL
          AND e.started_at < p_now - k.retention_days * 86400000::BIGINT
        RETURNING 1
    )
    SELECT count(*) FROM gone
$$;
REVOKE ALL ON FUNCTION agente_prune_executions_by_plan(BIGINT, TEXT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agente_prune_executions_by_plan(BIGINT, TEXT) TO agente_app;
