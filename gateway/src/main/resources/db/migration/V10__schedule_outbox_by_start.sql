-- The outbox worker takes waiting schedules earliest start first. When calls make schedules
-- faster than Quartz's job store takes them (its cluster-wide trigger lock and a handful of
-- statements per job bound it to a thousand or so jobs a second), a schedule due soon must not
-- wait behind a backlog of schedules due next year.
CREATE INDEX schedule_unsynced_by_start ON schedule (start_at, trigger_name) WHERE synced_at IS NULL;
DROP INDEX schedule_unsynced;
