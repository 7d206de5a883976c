-- The user whose call made the schedule: its firings' events belong to that user. Rows from before
-- this column have none; their firings use a user derived from the tenant (ScheduleStore).
ALTER TABLE schedule ADD COLUMN user_locator uuid;
