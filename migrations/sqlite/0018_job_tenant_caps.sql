-- How many jobs of one tenant may run at once, per tenant (from its plan). A tenant without
-- a row has the queue's own cap; 0 means no cap.
CREATE TABLE job_tenant_caps (
    tenant_key   TEXT PRIMARY KEY,
    concurrency  BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
