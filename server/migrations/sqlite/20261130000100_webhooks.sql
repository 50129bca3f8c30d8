-- Webhooks (SPEC §Webhooks): each org's endpoint and signing secrets, the events to send
-- (their body fixed when the event is made, so every retry sends the same bytes under the
-- same `webhook-id`), and every delivery attempt for GET /v1/webhooks/deliveries.
--
-- The secrets are kept as they are: the server must compute HMACs with them (unlike API
-- keys, which are only compared and so stored as hashes). `previous_secret` signs too
-- until `previous_expires_at` after a rotation. Keep in step with the other backend's
-- folder (same columns).

CREATE TABLE org_webhooks (
    org_id              TEXT PRIMARY KEY REFERENCES orgs (id),
    url                 TEXT NOT NULL,
    secret              TEXT NOT NULL,
    previous_secret     TEXT,
    previous_expires_at BIGINT,
    disabled_reason     TEXT,
    updated_at          BIGINT NOT NULL
);

CREATE TABLE webhook_events (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs (id),
    event      TEXT NOT NULL,
    cdr_id     TEXT NOT NULL REFERENCES cdrs (id),
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, event, cdr_id)
);

CREATE TABLE webhook_deliveries (
    event_id     TEXT NOT NULL REFERENCES webhook_events (id),
    attempt      BIGINT NOT NULL,
    org_id       TEXT NOT NULL,
    url          TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    http_status  BIGINT,
    error        TEXT,
    duration_ms  BIGINT NOT NULL,
    attempted_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, attempt)
);

CREATE INDEX webhook_deliveries_by_org ON webhook_deliveries (org_id, attempted_at);
