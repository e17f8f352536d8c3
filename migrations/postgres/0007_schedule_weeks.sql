-- "Every N weeks" (n8n's weeks interval): a schedule fires only in every N-th week counted
-- from the week of its first firing (`anchor_week`: Monday-based weeks since 1970 in the
-- schedule's zone). Cron alone cannot say it.
ALTER TABLE schedules ADD COLUMN every_weeks INTEGER NOT NULL DEFAULT 1;
ALTER TABLE schedules ADD COLUMN anchor_week BIGINT NOT NULL DEFAULT 0;
