-- The transparency log (server/src/log/): every CDR's entry in an RFC 6962 Merkle tree,
-- published as C2SP tlog-tiles under `log/` in the evidence store. Only TEXT and BIGINT
-- columns; keep this file and the other backend's folder in step.
--
-- `log_entries`: the sequenced entries, `idx` 0..n-1 without gaps (the primary key and the
-- unique `cdr_id` make sequencing a CDR twice, or two entries at one index, impossible
-- whatever the races); `entry` is the entry's text (see log/entry.rs).
CREATE TABLE log_entries (
    idx        BIGINT PRIMARY KEY,
    cdr_id     TEXT NOT NULL UNIQUE,
    entry      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The sequencer looks for CDRs not yet logged among the recent ones (see
-- log/sequencer.rs): by receive time.
CREATE INDEX cdrs_created_at ON cdrs (created_at);

-- The tree's stored hashes (tlog's `stored_hash_index` numbering), hex: what
-- `tlog_tiles::HashReader` reads.
CREATE TABLE log_hashes (
    idx  BIGINT PRIMARY KEY,
    hash TEXT NOT NULL
);

-- Published checkpoints (signed notes), one per tree size; the version with the
-- witnesses' cosignatures replaces the plain one. A checkpoint is inserted only after
-- its tiles are in the store.
CREATE TABLE log_checkpoints (
    tree_size    BIGINT PRIMARY KEY,
    note         TEXT NOT NULL,
    cosignatures BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);

-- The sequencer's lease: one process at a time appends (a conditional UPDATE takes it).
CREATE TABLE log_lease (
    name        TEXT PRIMARY KEY,
    holder      TEXT,
    lease_until BIGINT NOT NULL
);
INSERT INTO log_lease (name, holder, lease_until) VALUES ('sequencer', NULL, 0);
