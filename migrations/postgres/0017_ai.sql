-- The AI service per tenant (see sqlite/0017_ai.sql for comments).

CREATE TABLE ai_settings (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    settings    TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE ai_calls (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    call_id        TEXT NOT NULL,
    task           TEXT NOT NULL CHECK (task IN ('generation', 'analysis', 'node')),
    provider       TEXT NOT NULL,
    model          TEXT NOT NULL,
    input_tokens   BIGINT NOT NULL,
    output_tokens  BIGINT NOT NULL,
    cost_micros    BIGINT,
    own_key        INTEGER NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX ai_calls_recent ON ai_calls(tenant_id, created_at);

ALTER TABLE ai_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ai_settings
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE ai_calls ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ai_calls
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON ai_settings, ai_calls TO agente_app;
