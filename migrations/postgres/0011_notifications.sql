-- Notifications (see sqlite/0011_notifications.sql for comments).

CREATE TABLE notification_rules (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    events         TEXT NOT NULL,
    channel        TEXT NOT NULL CHECK (channel IN ('email', 'slack', 'webhook', 'push')),
    target         TEXT NOT NULL,
    target_label   TEXT NOT NULL,
    workflow_id    TEXT REFERENCES workflows(id) ON DELETE CASCADE,
    throttle_secs  BIGINT NOT NULL,
    disabled_at    BIGINT,
    created_by     TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX notification_rules_tenant ON notification_rules(tenant_id);

CREATE TABLE notification_templates (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    event       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, event)
);

CREATE TABLE notification_deliveries (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    rule_id       TEXT REFERENCES notification_rules(id) ON DELETE SET NULL,
    event_id      TEXT NOT NULL,
    event         TEXT NOT NULL,
    channel       TEXT NOT NULL,
    target_label  TEXT NOT NULL,
    group_key     TEXT NOT NULL,
    subject       TEXT NOT NULL,
    body          TEXT NOT NULL,
    data          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    suppressed    BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    sent_at       BIGINT,
    UNIQUE (rule_id, event_id)
);
CREATE INDEX notification_deliveries_tenant ON notification_deliveries(tenant_id, created_at);
CREATE INDEX notification_deliveries_throttle ON notification_deliveries(rule_id, group_key, created_at);

CREATE TABLE push_subscriptions (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint_hash  TEXT NOT NULL,
    subscription   TEXT NOT NULL,
    label          TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    last_used_at   BIGINT,
    UNIQUE (tenant_id, endpoint_hash)
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(tenant_id, user_id);

CREATE TABLE notification_settings (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    smtp        TEXT,
    updated_at  BIGINT NOT NULL
);

ALTER TABLE notification_rules ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_rules
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE notification_templates ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_templates
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE notification_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_deliveries
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE push_subscriptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON push_subscriptions
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE notification_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_settings
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON notification_rules, notification_templates,
    notification_deliveries, push_subscriptions, notification_settings TO agente_app;

-- Housekeeping's one statement across tenants: delivery log rows past their age.
CREATE FUNCTION agente_prune_deliveries(p_before BIGINT)
RETURNS BIGINT
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    WITH gone AS (DELETE FROM notification_deliveries WHERE created_at < p_before RETURNING 1)
    SELECT count(*) FROM gone
$$;
REVOKE ALL ON FUNCTION agente_prune_deliveries(BIGINT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agente_prune_deliveries(BIGINT) TO agente_app;
