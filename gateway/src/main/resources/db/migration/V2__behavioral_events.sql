-- Behavioral event definitions, per org. The definition is kept as the JSON the API returns.
CREATE TABLE event_definition (
    org_id     integer     NOT NULL,
    event_name text        NOT NULL,
    definition jsonb       NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, event_name)
);

-- Every create, update and delete of a definition, written in the same transaction.
-- value_before / value_after: the definition before and after (NULL on create / delete).
CREATE TABLE event_definition_audit (
    seq               bigserial   PRIMARY KEY,
    id                uuid        NOT NULL UNIQUE,
    org_id            integer     NOT NULL,
    event_name        text        NOT NULL,
    updated_type      text        NOT NULL CHECK (updated_type IN ('CREATED', 'UPDATED', 'DELETED')),
    request_id        text        NOT NULL,
    value_before      jsonb,
    value_before_time timestamptz,
    value_after       jsonb,
    changed_on        timestamptz NOT NULL
);
-- GET /v2/events/audit_logs?eventName= : newest first
CREATE INDEX event_definition_audit_by_name ON event_definition_audit (org_id, event_name, seq DESC);

-- One row per webhook ingestion attempt, authorised or not. NULLs are left out of the API's
-- entries, as seed 001 shows: no status for unauthorised attempts, no eventName for a payload
-- no transformer could map.
CREATE TABLE event_log (
    seq              bigserial   PRIMARY KEY,
    id               uuid        NOT NULL UNIQUE,
    org_id           integer     NOT NULL,
    parent_org_id    integer     NOT NULL,
    webhook_id       text        NOT NULL,
    event_name       text,
    status           text,
    message          text        NOT NULL,
    input_request    text        NOT NULL,
    start_time       timestamptz NOT NULL,
    response_time_ms integer     NOT NULL
);
-- GET /v2/events/logs, newest first, each filter served by its own index.
CREATE INDEX event_log_by_time   ON event_log (org_id, start_time DESC, seq DESC);
CREATE INDEX event_log_by_name   ON event_log (org_id, event_name, start_time DESC, seq DESC);
CREATE INDEX event_log_by_status ON event_log (org_id, status, start_time DESC, seq DESC);
