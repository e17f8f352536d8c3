-- Accounts and tenants. Timestamps are Unix milliseconds; ids are UUIDv7 text (one query
-- layer serves Postgres and SQLite alike).
--
-- Isolation: every tenant-owned table has row-level security keyed on the per-transaction
-- setting `app.tenant_id`. The application runs as role `agente_app` (no superuser, no
-- BYPASSRLS), so policies always apply to it. Lookups that must happen before the tenant is
-- known (log in by e-mail, present a refresh token, API key or invitation) go through the
-- SECURITY DEFINER functions at the end, which answer only "which tenant" for one exact key.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'agente_app') THEN
        CREATE ROLE agente_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- another database of this cluster created it at the same moment
END
$$;

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    email            TEXT NOT NULL UNIQUE,
    password_hash    TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    totp_secret      TEXT,
    totp_enabled_at  BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX users_tenant ON users(tenant_id);

CREATE TABLE refresh_tokens (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    family_id   TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    revoked_at  BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(tenant_id, family_id);

CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    key_hash      TEXT NOT NULL UNIQUE,
    key_hint      TEXT NOT NULL,
    created_by    TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

CREATE TABLE invitations (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    token_hash   TEXT NOT NULL UNIQUE,
    invited_by   TEXT REFERENCES users(id) ON DELETE SET NULL,
    expires_at   BIGINT NOT NULL,
    accepted_at  BIGINT,
    revoked_at   BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX invitations_tenant ON invitations(tenant_id);

-- Row-level security: one policy per table, same shape everywhere.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = current_setting('app.tenant_id', true))
    WITH CHECK (id = current_setting('app.tenant_id', true));

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON refresh_tokens
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invitations
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

-- Pre-tenant lookups. Each returns at most the ids needed to open a tenant transaction.
CREATE FUNCTION agente_find_login(p_email TEXT)
RETURNS TABLE (user_id TEXT, tenant_id TEXT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT id, tenant_id FROM users WHERE email = p_email $$;

CREATE FUNCTION agente_tenant_of_refresh_token(p_hash TEXT) RETURNS TEXT
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT tenant_id FROM refresh_tokens WHERE token_hash = p_hash $$;

CREATE FUNCTION agente_tenant_of_api_key(p_hash TEXT) RETURNS TEXT
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT tenant_id FROM api_keys WHERE key_hash = p_hash $$;

CREATE FUNCTION agente_tenant_of_invitation(p_hash TEXT) RETURNS TEXT
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT tenant_id FROM invitations WHERE token_hash = p_hash $$;

REVOKE ALL ON FUNCTION agente_find_login(TEXT), agente_tenant_of_refresh_token(TEXT),
    agente_tenant_of_api_key(TEXT), agente_tenant_of_invitation(TEXT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agente_find_login(TEXT), agente_tenant_of_refresh_token(TEXT),
    agente_tenant_of_api_key(TEXT), agente_tenant_of_invitation(TEXT) TO agente_app;

GRANT USAGE ON SCHEMA public TO agente_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, users, refresh_tokens, api_keys, invitations
    TO agente_app;
