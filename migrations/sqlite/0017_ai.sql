-- The AI service per tenant: which providers each task uses, and a ledger of model calls.

-- JSON `{"generation": choice, "analysis": choice}`; a choice is `{"use": "server"}` (the
-- deployment's providers), `{"use": "offline"}`, or `{"use": "own", "credentialId": …,
-- "model": …}` (the tenant's own key, from a sealed credential).
CREATE TABLE ai_settings (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    settings    TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- One row per model answer: what it spent and cost. `call_id` ties the answers of one task
-- (a generation with repairs, an agent's turns) to the usage metered under it.
CREATE TABLE ai_calls (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    call_id        TEXT NOT NULL,
    task           TEXT NOT NULL CHECK (task IN ('generation', 'analysis', 'node')),
    provider       TEXT NOT NULL,
    model          TEXT NOT NULL,
    input_tokens   BIGINT NOT NULL,
    output_tokens  BIGINT NOT NULL,
    -- US dollars × 1,000,000 at the price table's rate; NULL for a model without a price
    -- (a local server's).
    cost_micros    BIGINT,
    -- 1 when the tenant's own key paid the provider.
    own_key        INTEGER NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX ai_calls_recent ON ai_calls(tenant_id, created_at);
