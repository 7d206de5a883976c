-- Retention by dropping partitions (docs/retention.md). The event stream and the processing log
-- become partitioned twice: by tenant (LIST: a tenant's data is its own table, so its retention
-- can differ from another's), then by calendar month in UTC (RANGE: an expired month is a DROP
-- TABLE, not millions of deleted rows, dead tuples and a vacuum). The gateway creates each
-- tenant's partitions ahead of time; the DEFAULT partitions catch any row no partition was made
-- for (a tenant added outside config, a clock far off), so that an insert never fails for want
-- of one.
--
-- A unique key of a partitioned table must contain its partition keys: the primary keys gain the
-- month column. Positions stay unique per tenant because the stream's head row hands them out;
-- locators and log ids are random UUIDs, now found through plain indexes.

ALTER TABLE event RENAME TO event_unpartitioned;
ALTER INDEX event_pkey RENAME TO event_unpartitioned_pkey;
ALTER INDEX event_by_locator RENAME TO event_unpartitioned_by_locator;
ALTER INDEX event_by_request RENAME TO event_unpartitioned_by_request;
ALTER INDEX event_by_type RENAME TO event_unpartitioned_by_type;
ALTER INDEX event_by_time RENAME TO event_unpartitioned_by_time;

CREATE TABLE event (
    tenant_locator uuid        NOT NULL,
    position       bigint      NOT NULL,
    locator        text        NOT NULL,
    user_locator   uuid,
    request_id     text        NOT NULL,
    recorded_at    timestamptz NOT NULL,
    type           text        NOT NULL,
    data           jsonb       NOT NULL,
    PRIMARY KEY (tenant_locator, position, recorded_at)
) PARTITION BY LIST (tenant_locator);
CREATE INDEX event_by_locator ON event (tenant_locator, locator);
CREATE INDEX event_by_request ON event (tenant_locator, request_id, position);
CREATE INDEX event_by_type ON event (tenant_locator, type, position);
CREATE INDEX event_by_time ON event (tenant_locator, recorded_at, position);
CREATE TABLE event_default PARTITION OF event DEFAULT;

ALTER TABLE event_log RENAME TO event_log_unpartitioned;
ALTER INDEX event_log_pkey RENAME TO event_log_unpartitioned_pkey;
ALTER INDEX event_log_id_key RENAME TO event_log_unpartitioned_id_key;
ALTER INDEX event_log_by_time RENAME TO event_log_unpartitioned_by_time;
ALTER INDEX event_log_by_name RENAME TO event_log_unpartitioned_by_name;
ALTER INDEX event_log_by_status RENAME TO event_log_unpartitioned_by_status;

CREATE TABLE event_log (
    seq              bigint      NOT NULL DEFAULT nextval('event_log_seq_seq'),
    id               uuid        NOT NULL,
    org_id           integer     NOT NULL,
    parent_org_id    integer     NOT NULL,
    webhook_id       text        NOT NULL,
    event_name       text,
    status           text        NOT NULL,
    message          text        NOT NULL,
    input_request    text        NOT NULL,
    start_time       timestamptz NOT NULL,
    response_time_ms integer     NOT NULL,
    PRIMARY KEY (org_id, seq, start_time)
) PARTITION BY LIST (org_id);
ALTER SEQUENCE event_log_seq_seq OWNED BY event_log.seq;
CREATE INDEX event_log_by_id     ON event_log (id);
CREATE INDEX event_log_by_time   ON event_log (org_id, start_time DESC, seq DESC);
CREATE INDEX event_log_by_name   ON event_log (org_id, event_name, start_time DESC, seq DESC);
CREATE INDEX event_log_by_status ON event_log (org_id, status, start_time DESC, seq DESC);
CREATE TABLE event_log_default PARTITION OF event_log DEFAULT;

-- The partitions the existing rows need: every known tenant, every month that has rows. The
-- gateway adds the current and coming months when it starts.
DO $$
DECLARE
  t record;
  m date;
  parent text;
BEGIN
  FOR t IN SELECT locator FROM tenant UNION SELECT DISTINCT tenant_locator FROM event_unpartitioned LOOP
    parent := 'event_' || replace(t.locator::text, '-', '');
    EXECUTE format('CREATE TABLE %I PARTITION OF event FOR VALUES IN (%L) PARTITION BY RANGE (recorded_at)', parent, t.locator);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', parent || '_default', parent);
    FOR m IN SELECT DISTINCT date_trunc('month', recorded_at AT TIME ZONE 'UTC')::date
               FROM event_unpartitioned WHERE tenant_locator = t.locator LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
          parent || '_' || to_char(m, 'YYYYMM'), parent,
          m::timestamp AT TIME ZONE 'UTC', (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    END LOOP;
  END LOOP;

  FOR t IN SELECT org_id FROM tenant UNION SELECT DISTINCT org_id FROM event_log_unpartitioned LOOP
    parent := 'event_log_' || replace(t.org_id::text, '-', 'm');
    EXECUTE format('CREATE TABLE %I PARTITION OF event_log FOR VALUES IN (%L) PARTITION BY RANGE (start_time)', parent, t.org_id);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', parent || '_default', parent);
    FOR m IN SELECT DISTINCT date_trunc('month', start_time AT TIME ZONE 'UTC')::date
               FROM event_log_unpartitioned WHERE org_id = t.org_id LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
          parent || '_' || to_char(m, 'YYYYMM'), parent,
          m::timestamp AT TIME ZONE 'UTC', (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    END LOOP;
  END LOOP;
END $$;

INSERT INTO event SELECT * FROM event_unpartitioned;
INSERT INTO event_log (seq, id, org_id, parent_org_id, webhook_id, event_name, status, message, input_request,
                       start_time, response_time_ms)
SELECT seq, id, org_id, parent_org_id, webhook_id, event_name, status, message, input_request,
       start_time, response_time_ms
  FROM event_log_unpartitioned;
DROP TABLE event_unpartitioned;
DROP TABLE event_log_unpartitioned;
