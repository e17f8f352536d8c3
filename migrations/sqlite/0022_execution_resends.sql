-- A queued or waiting execution whose job was lost (a flushed Redis, a process that died
-- between commit and send) gets its job again from the reaper: `resends` counts those.
-- Only restarts of a running execution whose process died count in `attempts`, the budget
-- after which the reaper fails it: a lost job is not the execution's fault.
ALTER TABLE executions ADD COLUMN resends INTEGER NOT NULL DEFAULT 0;
