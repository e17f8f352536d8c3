-- Billing: plans (data the operator edits), each tenant's billing account (its plan and
-- subscription state), metered usage, and the platform's operators.

-- Plans are not a tenant's: every tenant reads them. `spec` is the plan as JSON (see
-- shared/billing/src/plan.rs); the built-in plans are written by the application on start
-- when missing.
CREATE TABLE plans (
    id          TEXT PRIMARY KEY,
    position    INTEGER NOT NULL,
    -- Copied from `spec` so that housekeeping prunes by plan in plain SQL.
    retention_days  INTEGER NOT NULL,
    spec        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- One row per tenant that ever chose a plan; a tenant without one is on the default plan.
-- `status` follows Stripe's subscription statuses; the local provider uses active,
-- trialing and canceled.
CREATE TABLE billing_accounts (
    tenant_id             TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    plan_id               TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('active', 'trialing', 'past_due',
                              'unpaid', 'canceled', 'incomplete', 'incomplete_expired', 'paused')),
    provider              TEXT NOT NULL CHECK (provider IN ('local', 'stripe')),
    customer_id           TEXT,
    subscription_id       TEXT,
    period_start          BIGINT,
    period_end            BIGINT,
    cancel_at_period_end  INTEGER NOT NULL DEFAULT 0,
    trial_end             BIGINT,
    past_due_since        BIGINT,
    updated_at            BIGINT NOT NULL
);

-- Metered use, one row per thing used (an execution, an AI call, a sale): the primary key
-- makes recording idempotent. `reported_at` is set once the provider has it.
CREATE TABLE usage_events (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    meter        TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    quantity     BIGINT NOT NULL,
    occurred_at  BIGINT NOT NULL,
    reported_at  BIGINT,
    PRIMARY KEY (tenant_id, meter, source_id)
);
CREATE INDEX usage_events_period ON usage_events(tenant_id, meter, occurred_at);
CREATE INDEX usage_events_unreported ON usage_events(occurred_at) WHERE reported_at IS NULL;

-- Users who run the platform: they edit plans and read the revenue report. The first
-- account of an installation becomes one; `agente operator` grants and revokes.
CREATE TABLE operators (
    user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    granted_at  BIGINT NOT NULL
);
