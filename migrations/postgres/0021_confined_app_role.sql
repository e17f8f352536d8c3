-- The application logs in as agente_app (store/src/app_login.rs), a role that owns
-- nothing. Row-level security is forced on every table that has it, so it binds the tables'
-- owner too: only a role that bypasses it on purpose (the superuser or BYPASSRLS owner that
-- migrates and owns the lookup functions) sees across tenants.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity
    LOOP
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t.relname);
    END LOOP;
END
$$;

-- Platform tables the application reads but does not write: operator rights are granted by
-- `agente operator` (as the owner) and by the first sign-up of a new installation
-- (agente_grant_first_operator); plans change through agente_write_plan.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON operators, plans FROM agente_app;

-- Writes a plan. Replacing one needs an operator (`p_actor`); anyone may add a missing
-- built-in plan at start (p_replace false), which changes nothing that exists.
CREATE FUNCTION agente_write_plan(p_actor TEXT, p_id TEXT, p_position INTEGER,
    p_retention INTEGER, p_spec TEXT, p_now BIGINT, p_replace BOOLEAN)
RETURNS VOID
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT p_replace THEN
        INSERT INTO plans (id, position, retention_days, spec, updated_at)
            VALUES (p_id, p_position, p_retention, p_spec, p_now)
            ON CONFLICT (id) DO NOTHING;
        RETURN;
    END IF;
    IF p_actor IS NULL OR NOT EXISTS (SELECT 1 FROM operators WHERE user_id = p_actor) THEN
        RAISE EXCEPTION 'only an operator may change plans' USING ERRCODE = '42501';
    END IF;
    INSERT INTO plans (id, position, retention_days, spec, updated_at)
        VALUES (p_id, p_position, p_retention, p_spec, p_now)
        ON CONFLICT (id) DO UPDATE SET position = excluded.position,
            retention_days = excluded.retention_days, spec = excluded.spec,
            updated_at = excluded.updated_at;
END
$$;
REVOKE ALL ON FUNCTION agente_write_plan(TEXT, TEXT, INTEGER, INTEGER, TEXT, BIGINT, BOOLEAN) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agente_write_plan(TEXT, TEXT, INTEGER, INTEGER, TEXT, BIGINT, BOOLEAN) TO agente_app;

-- An incoming call's first segment is compared as text, not as a LIKE pattern: a caller's
-- `%` or `_` matches nothing it should not (and does not pull every pattern route).
CREATE OR REPLACE FUNCTION agente_webhook_candidates(p_test BOOLEAN, p_method TEXT, p_path TEXT, p_prefix TEXT, p_now BIGINT)
RETURNS TABLE (path TEXT, tenant_id TEXT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT w.path, w.tenant_id FROM webhooks w
     WHERE NOT p_test AND w.method = p_method
       AND (w.path = p_path OR (left(w.path, length(p_prefix) + 1) = p_prefix || '/' AND strpos(w.path, ':') > 0))
    UNION ALL
    SELECT t.path, t.tenant_id FROM test_webhooks t
     WHERE p_test AND t.method = p_method AND t.expires_at >= p_now
       AND (t.path = p_path OR (left(t.path, length(p_prefix) + 1) = p_prefix || '/' AND strpos(t.path, ':') > 0))
$$;
