-- Per-tenant concurrency caps of the job queue (see sqlite/0018_job_tenant_caps.sql). The
-- queue is the deployment's, like `jobs`: no row-level security.
CREATE TABLE job_tenant_caps (
    tenant_key   TEXT PRIMARY KEY,
    concurrency  BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE ON job_tenant_caps TO agente_app;
