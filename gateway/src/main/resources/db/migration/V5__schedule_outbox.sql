-- The schedule table becomes the outbox of Quartz jobs. A call's schedules (and cancels) commit
-- as rows in the call's own transaction, with its events; one worker per instance then turns
-- the rows not yet synced into Quartz jobs, in batches, and marks them synced in the same
-- transaction. So a schedule exists exactly when the call that made it committed.
ALTER TABLE schedule
    ADD COLUMN start_at           timestamptz,
    ADD COLUMN repeat_interval_ms bigint,
    ADD COLUMN repeat_count       integer     NOT NULL DEFAULT 0,
    ADD COLUMN synced_at          timestamptz,
    ADD COLUMN cancelled_at       timestamptz;

-- Rows from before this migration are Quartz jobs already; their real start time lives there.
UPDATE schedule SET synced_at = created_at, start_at = created_at;
ALTER TABLE schedule ALTER COLUMN start_at SET NOT NULL;

-- What the outbox worker reads: the few rows waiting to be synced, oldest first.
CREATE INDEX schedule_unsynced ON schedule (created_at) WHERE synced_at IS NULL;
