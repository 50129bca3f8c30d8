-- Dashboard users (SPEC §Dashboard): people who sign in with an email and a password,
-- each in one org with a role; the one-time links where they choose a password; their
-- server-side sessions; and failed sign-ins per email, for throttling (in the database so
-- that every server process counts the same attempts).
--
-- Secrets are stored only as hashes: passwords as argon2id PHC strings, link tokens and
-- session cookies (32 random bytes each) as hex SHA-256. Keep in step with the other
-- backend's folder (same columns).

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs (id),
    -- Lower-cased; unique among users not removed, so a removed person can be invited again.
    email         TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    -- NULL until the user chooses a password through a sign-in link.
    password_hash TEXT,
    created_at    BIGINT NOT NULL,
    removed_at    BIGINT
);
CREATE UNIQUE INDEX users_email_live ON users (email) WHERE removed_at IS NULL;
CREATE INDEX users_org_id ON users (org_id, created_at);

CREATE TABLE sign_in_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('choose_password')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX sign_in_tokens_user_id ON sign_in_tokens (user_id);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    -- The absolute end; the idle timeout is counted from last_seen.
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE sign_in_failures (
    email TEXT NOT NULL,
    at    BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_email_at ON sign_in_failures (email, at);
-- Old failures of every email are deleted as new ones come (see db/users.rs).
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
