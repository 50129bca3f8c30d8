-- Background work (archiving a CDR's assets, rendering its image, delivering webhooks),
-- claimed from the database so that any number of server processes share it and a process
-- killed mid-job loses nothing: a running job holds a lease (`lease_until`, epoch ms) and
-- a job whose lease has expired is claimed again by any worker. See server/src/jobs/.
--
-- `state`: queued (waits for `run_at`), running (leased by `lease_owner`), done, dead (gave
-- up after `give_up_at`; `last_error` says why). One job per (kind, subject): enqueueing
-- it again is a no-op, so a retried request never doubles the work. Keep in step with the
-- other backend's folder (same columns).

CREATE TABLE jobs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    state       TEXT NOT NULL,
    run_at      BIGINT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    give_up_at  BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    last_error  TEXT,
    created_at  BIGINT NOT NULL,
    finished_at BIGINT,
    UNIQUE (kind, subject)
);

CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_leases ON jobs (state, lease_until);
