-- Unauthorised ingestion attempts were stored with a NULL status; a NULL status cannot share
-- the status index's ordered scan with the other statuses (the planner collects and sorts
-- them), so they get a status of their own. The API still leaves it out, as seed 001 shows.
UPDATE event_log SET status = 'UNAUTHORIZED' WHERE status IS NULL;
ALTER TABLE event_log ALTER COLUMN status SET NOT NULL;
