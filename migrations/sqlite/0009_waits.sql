-- Waiting executions. Mirrors postgres/0009_waits.sql minus its lookup function.
ALTER TABLE executions ADD COLUMN wait_till BIGINT;
ALTER TABLE executions ADD COLUMN resume_state BLOB;
