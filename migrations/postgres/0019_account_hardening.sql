-- Accounts, hardened (see sqlite/0019_account_hardening.sql for the columns).
ALTER TABLE users ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

-- Not a tenant's rows; the application role reads it and writes it only through
-- agente_grant_first_operator.
CREATE TABLE installation_flags (
    name    TEXT PRIMARY KEY,
    set_at  BIGINT NOT NULL
);
INSERT INTO installation_flags (name, set_at)
    SELECT 'first_account', 0 WHERE EXISTS (SELECT 1 FROM users);
GRANT SELECT ON installation_flags TO agente_app;

-- The installation's first sign-up becomes its operator; no later one ever does (an
-- installation whose operators were removed is not new). The flag is taken under its
-- primary key, so two first sign-ups at once cannot both win.
CREATE OR REPLACE FUNCTION agente_grant_first_operator(p_user TEXT, p_now BIGINT)
RETURNS BOOLEAN
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    INSERT INTO installation_flags (name, set_at) VALUES ('first_account', p_now)
        ON CONFLICT (name) DO NOTHING;
    IF NOT FOUND THEN
        RETURN FALSE;
    END IF;
    INSERT INTO operators (user_id, granted_at) VALUES (p_user, p_now)
        ON CONFLICT (user_id) DO NOTHING;
    RETURN TRUE;
END
$$;
