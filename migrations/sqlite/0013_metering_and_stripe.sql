-- Usage events cost one B-tree write (plus the period index) per execution: the table is
-- rebuilt WITHOUT ROWID on its key, and the unreported index goes (reporting reads by
-- tenant, meter and time).
DROP INDEX usage_events_unreported;
CREATE TABLE usage_events_keyed (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    meter        TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    quantity     BIGINT NOT NULL,
    occurred_at  BIGINT NOT NULL,
    reported_at  BIGINT,
    PRIMARY KEY (tenant_id, meter, source_id)
) WITHOUT ROWID;
INSERT INTO usage_events_keyed SELECT tenant_id, meter, source_id, quantity, occurred_at, reported_at FROM usage_events;
DROP TABLE usage_events;
ALTER TABLE usage_events_keyed RENAME TO usage_events;
CREATE INDEX usage_events_period ON usage_events(tenant_id, meter, occurred_at);

-- Stripe: each webhook event once. Events arrive before a tenant is known, so the table is
-- the platform's; `tenant_id` records whom the event concerned once it was processed.
CREATE TABLE stripe_events (
    id            TEXT PRIMARY KEY,
    type          TEXT NOT NULL,
    received_at   BIGINT NOT NULL,
    processed_at  BIGINT,
    tenant_id     TEXT
);

CREATE INDEX billing_accounts_customer ON billing_accounts(customer_id);

-- Each production execution is metered by the write that records it, in the same
-- transaction (no second commit per run): the modes are those of
-- shared/workflows/src/service/usage.rs `metered`. Hard-limited plans admit (and record)
-- before the run; this insert is then a no-op.
CREATE TRIGGER executions_usage AFTER INSERT ON executions
WHEN NEW.mode IN ('webhook', 'trigger', 'error', 'retry')
BEGIN
    INSERT OR IGNORE INTO usage_events (tenant_id, meter, source_id, quantity, occurred_at)
    VALUES (NEW.tenant_id, 'executions', NEW.id, 1, NEW.started_at);
END;
