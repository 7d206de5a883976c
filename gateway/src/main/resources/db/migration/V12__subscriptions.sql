-- Outbound subscriptions (docs/subscriptions.md). A subscription delivers its tenant's events
-- after after_position, one at a time in stream order; the instance holding its lease
-- (lease_owner until lease_until) is the only one delivering it. A failed attempt keeps the
-- position and sets next_attempt_at; a success or a give-up moves after_position on.
CREATE TABLE subscription (
    id                    uuid        PRIMARY KEY,
    tenant_locator        uuid        NOT NULL,
    url                   text        NOT NULL,
    types                 text[]      NOT NULL DEFAULT '{}',
    description           text,
    secret                text        NOT NULL,
    previous_secret       text,
    previous_secret_until timestamptz,
    status                text        NOT NULL CHECK (status IN ('active', 'disabled')),
    disabled_reason       text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    after_position        bigint      NOT NULL,
    attempt               integer     NOT NULL DEFAULT 0,
    next_attempt_at       timestamptz NOT NULL DEFAULT now(),
    failing_since         timestamptz,
    lease_owner           text,
    lease_until           timestamptz
);
CREATE INDEX subscription_by_tenant ON subscription (tenant_locator, created_at, id);
CREATE INDEX subscription_due ON subscription (next_attempt_at) WHERE status = 'active';

CREATE TABLE delivery_attempt (
    subscription_id  uuid        NOT NULL REFERENCES subscription ON DELETE CASCADE,
    seq              bigserial,
    event_locator    text        NOT NULL,
    event_position   bigint      NOT NULL,
    attempted_at     timestamptz NOT NULL,
    status_code      integer,
    response_time_ms integer     NOT NULL,
    response         text,
    error            text,
    PRIMARY KEY (subscription_id, seq)
);
