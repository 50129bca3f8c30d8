-- The consent facts of each CDR (disclosures with their consent mechanism, the consent
-- checkboxes and trigger as the snapshot shows them, telemetry, and where the SDK's report
-- disagreed with the snapshot), derived once at ingest from the captured DOM and stored as
-- JSON (see server/src/evidence/consent.rs), so that GET /v1/cdrs/:cdrId never parses a
-- snapshot. `version` is the derivation's version. CDRs stored before this migration get
-- their row on first read (a lazy backfill from their evidence). Keep in step with the
-- other backend's folder.

CREATE TABLE cdr_facts (
    cdr_id     TEXT PRIMARY KEY REFERENCES cdrs (id),
    version    BIGINT NOT NULL,
    facts_json TEXT NOT NULL,
    derived_at BIGINT NOT NULL
);
