-- Waiting executions (a Wait node over 65 s or for a webhook): when they go on by
-- themselves, and the engine state they go on from (JSON, gzip above a size, like `data`).
ALTER TABLE executions ADD COLUMN wait_till BIGINT;
ALTER TABLE executions ADD COLUMN resume_state BYTEA;

-- `/webhook-waiting/<execution id>` carries no tenant: this is the one read that finds it.
CREATE FUNCTION agente_tenant_of_waiting_execution(p_id TEXT) RETURNS TEXT
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT tenant_id FROM executions WHERE id = p_id AND status = 'waiting' $$;

REVOKE ALL ON FUNCTION agente_tenant_of_waiting_execution(TEXT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agente_tenant_of_waiting_execution(TEXT) TO agente_app;
