-- Webhook messages already accepted, by the sender's `webhook-id`: a retry of one answers the
-- original outcome (its status and its log entry) and stores nothing new. The row commits in the
-- same transaction as the message's events and log entry, so the primary key is what decides
-- between two concurrent deliveries. Rows older than 24 hours are deleted (lazily, by the gateway).
CREATE TABLE webhook_message (
    webhook_id   text        NOT NULL,
    message_id   text        NOT NULL,
    http_status  integer     NOT NULL,
    log_entry_id uuid        NOT NULL,
    accepted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (webhook_id, message_id)
);
CREATE INDEX webhook_message_by_age ON webhook_message (accepted_at);

-- Idempotency-Key of plugin routes, per tenant and user. A row is claimed (status NULL) before
-- the operation runs, and completed with the response in the same transaction as the call's
-- events. request_hash is the SHA-256 of method, URI and body: the same key with another request is refused.
CREATE TABLE idempotency_key (
    tenant_locator  uuid        NOT NULL,
    user_locator    uuid        NOT NULL,
    idempotency_key text        NOT NULL,
    request_hash    bytea       NOT NULL,
    claimed_at      timestamptz NOT NULL DEFAULT now(),
    status          integer,
    headers         jsonb,
    body            text,
    error_code      text,
    error_message   text,
    PRIMARY KEY (tenant_locator, user_locator, idempotency_key)
);
CREATE INDEX idempotency_key_by_age ON idempotency_key (claimed_at);
