-- Foundation schema: orgs, their domains and API keys, captured CDRs, each org's access to
-- a CDR, the billing ledger, share links and claims. Only TEXT and BIGINT columns (booleans
-- as 0/1, times as epoch milliseconds) so that the same queries run through sqlx's Any
-- driver on SQLite and PostgreSQL; keep this file and ../sqlite in step.

CREATE TABLE orgs (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    auto_collect BIGINT NOT NULL DEFAULT 1 CHECK (auto_collect IN (0, 1)),
    created_at   BIGINT NOT NULL
);

CREATE TABLE domains (
    org_id     TEXT NOT NULL REFERENCES orgs (id),
    host       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, host)
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs (id),
    -- Hex SHA-256 of the secret: secrets are 32 random bytes, so a fast hash is enough.
    secret_hash TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX api_keys_org_id ON api_keys (org_id);

CREATE TABLE cdrs (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs (id),
    -- The registered host that matched the capture's origin. No foreign key: removing a
    -- domain later must not touch evidence captured on it.
    domain_id       TEXT NOT NULL,
    package_id      TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    object_key      TEXT NOT NULL,
    content_sha256  TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL,
    page_url        TEXT NOT NULL,
    custom_json     TEXT,
    received_ip     TEXT NOT NULL,
    user_agent      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    CONSTRAINT cdrs_org_idempotency_key UNIQUE (org_id, idempotency_key)
);
CREATE INDEX cdrs_org_domain_created ON cdrs (org_id, domain_id, created_at);
CREATE INDEX cdrs_package_id ON cdrs (package_id);

CREATE TABLE cdr_access (
    org_id     TEXT NOT NULL REFERENCES orgs (id),
    cdr_id     TEXT NOT NULL REFERENCES cdrs (id),
    relation   TEXT NOT NULL CHECK (relation IN ('paid', 'free', 'saved', 'unpaid')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, cdr_id)
);
CREATE INDEX cdr_access_cdr_id ON cdr_access (cdr_id);

CREATE TABLE billing_events (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs (id),
    cdr_id     TEXT NOT NULL REFERENCES cdrs (id),
    reason     TEXT NOT NULL CHECK (reason IN ('auto_collect', 'share_claim', 'collect')),
    created_at BIGINT NOT NULL,
    -- The guarantee that an org is never billed twice for one CDR, whatever the races.
    CONSTRAINT billing_events_org_cdr UNIQUE (org_id, cdr_id)
);

CREATE TABLE shares (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    cdr_id        TEXT NOT NULL REFERENCES cdrs (id),
    minter_org_id TEXT NOT NULL REFERENCES orgs (id),
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX shares_cdr_id ON shares (cdr_id);

CREATE TABLE share_events (
    id         TEXT PRIMARY KEY,
    share_id   TEXT NOT NULL REFERENCES shares (id),
    org_id     TEXT NOT NULL REFERENCES orgs (id),
    outcome    TEXT NOT NULL CHECK (outcome IN ('paid', 'free', 'saved', 'unpaid', 'already_claimed')),
    billed     BIGINT NOT NULL CHECK (billed IN (0, 1)),
    created_at BIGINT NOT NULL
);
CREATE INDEX share_events_share_id ON share_events (share_id);
CREATE INDEX share_events_org_id ON share_events (org_id);
