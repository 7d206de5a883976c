-- A call's schedules are inserted as one statement over arrays, like the processing log's rows
-- (BulkInsert): the creation time comes from the column's default, evaluated per row, so that
-- the schedules of one call keep the order they were asked for.
ALTER TABLE schedule ALTER COLUMN created_at SET DEFAULT clock_timestamp();
