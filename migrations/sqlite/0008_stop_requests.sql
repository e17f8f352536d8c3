-- A stop asked for by another process: the process running the execution checks this
-- every second while the run lasts, and cancels it.
ALTER TABLE executions ADD COLUMN stop_requested_at BIGINT;
