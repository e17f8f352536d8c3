-- Executions through the job queue. Mirrors postgres/0010_execution_queue.sql minus its
-- lookup function.
ALTER TABLE executions ADD COLUMN heartbeat_at BIGINT;
ALTER TABLE executions ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX executions_unfinished ON executions(status) WHERE finished_at IS NULL;
