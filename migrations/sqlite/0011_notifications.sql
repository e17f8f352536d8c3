-- Notifications: who is told what, how, and what was sent.
--
-- A rule sends the events it names (`events`, a JSON array such as
-- ["execution.failed"]) over one channel; its `target` (addresses, a Slack webhook URL, a
-- webhook URL and signing secret, which members' devices) is sealed with the master key
-- (webhook URLs carry secrets), `target_label` is what lists show. `throttle_secs`: at
-- most one delivery per rule and group (a workflow, a quota metric) in that window; the
-- ones held back are counted on the delivery that went out (`suppressed`).
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

-- A tenant's own wording of an event's message (else the built-in one).
CREATE TABLE notification_templates (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    event       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, event)
);

-- The delivery log: one row per (rule, event), rendered when the event fanned out, so it
-- shows what was sent; the row is what the `notify.deliver` job sends.
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

-- A browser's Web Push subscription (endpoint and keys, sealed), per member and device.
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

-- A tenant's own SMTP server for e-mail notifications (sealed), else the server's.
CREATE TABLE notification_settings (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    smtp        TEXT,
    updated_at  BIGINT NOT NULL
);
