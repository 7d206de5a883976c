-- Tenants, synced from config at start-up; the /v2 APIs find a tenant by org id.
CREATE TABLE tenant (
    locator       uuid    PRIMARY KEY,
    org_id        integer NOT NULL UNIQUE,
    parent_org_id integer NOT NULL,
    name          text    NOT NULL
);

-- The head of each tenant's stream. An append locks its tenant's row (the upsert below takes a
-- row lock held until commit), so positions are handed out in commit order and a reader never
-- sees position n+1 before position n is visible. last_timestamp makes timestamps
-- non-decreasing along the stream even if the database clock steps back.
CREATE TABLE stream_head (
    tenant_locator uuid        PRIMARY KEY,
    last_position  bigint      NOT NULL,
    last_timestamp timestamptz NOT NULL
);

CREATE TABLE event (
    tenant_locator uuid        NOT NULL,
    position       bigint      NOT NULL,
    locator        text        NOT NULL,
    user_locator   uuid,
    request_id     text        NOT NULL,
    recorded_at    timestamptz NOT NULL,
    type           text        NOT NULL,
    data           jsonb       NOT NULL,
    PRIMARY KEY (tenant_locator, position)
);

-- GET /events/{locator}
CREATE UNIQUE INDEX event_by_locator ON event (tenant_locator, locator);
-- GET /events/request/{locator}
CREATE INDEX event_by_request ON event (tenant_locator, request_id, position);
-- GET /events/list?type=... walks one type in stream order
CREATE INDEX event_by_type ON event (tenant_locator, type, position);
-- GET /events/list?startTimestamp=...&endTimestamp=... turns the time range into a position range
CREATE INDEX event_by_time ON event (tenant_locator, recorded_at, position);

-- Keys that must survive restarts and be shared by every gateway instance on this database,
-- such as the one that signs paging tokens (tokens never expire).
CREATE TABLE server_secret (
    name   text  PRIMARY KEY,
    secret bytea NOT NULL
);
