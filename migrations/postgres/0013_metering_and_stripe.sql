-- Metering and Stripe (see sqlite/0013_metering_and_stripe.sql for comments).
DROP INDEX usage_events_unreported;

CREATE TABLE stripe_events (
    id            TEXT PRIMARY KEY,
    type          TEXT NOT NULL,
    received_at   BIGINT NOT NULL,
    processed_at  BIGINT,
    tenant_id     TEXT
);
GRANT SELECT, INSERT, UPDATE, DELETE ON stripe_events TO agente_app;

CREATE INDEX billing_accounts_customer ON billing_accounts(customer_id);

-- A webhook names a Stripe customer, not a tenant: the one pre-tenant lookup it needs.
CREATE FUNCTION agente_tenant_of_customer(p_customer TEXT)
RETURNS TEXT
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT tenant_id FROM billing_accounts WHERE customer_id = p_customer LIMIT 1
$$;
REVOKE ALL ON FUNCTION agente_tenant_of_customer(TEXT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agente_tenant_of_customer(TEXT) TO agente_app;

-- Each production execution is metered by the write that records it (see
-- sqlite/0013_metering_and_stripe.sql). Runs as the inserting role, inside its tenant's transaction.
CREATE FUNCTION agente_meter_execution() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.mode IN ('webhook', 'trigger', 'error', 'retry') THEN
        INSERT INTO usage_events (tenant_id, meter, source_id, quantity, occurred_at)
        VALUES (NEW.tenant_id, 'executions', NEW.id, 1, NEW.started_at)
        ON CONFLICT (tenant_id, meter, source_id) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER executions_usage AFTER INSERT ON executions
    FOR EACH ROW EXECUTE FUNCTION agente_meter_execution();
