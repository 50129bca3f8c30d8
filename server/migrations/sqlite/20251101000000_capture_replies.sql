-- The first answer to each capture, so that a retry with the same idempotency key gets the
-- very same answer (cdrId, packageData and the auto-share link), as Stripe's idempotency
-- keys do. `request_sha256` is the fingerprint of the request that stored the CDR (hex
-- SHA-256 of the body as received, decompressed): a retry with the same key and another
-- body is refused with CONFLICT. Written at ingest in the CDR's transaction.
--
-- `reply_sealed` is the answer (CaptureResult JSON, share token included) encrypted with
-- AES-256-GCM under a key derived from the capture's own body, org and CDR id (see
-- server/src/reply.rs): the database alone never yields a share token, which `shares`
-- keeps only as a hash. Keep in step with the other backend's folder (same columns).

CREATE TABLE capture_replies (
    cdr_id         TEXT PRIMARY KEY REFERENCES cdrs (id),
    request_sha256 TEXT NOT NULL,
    reply_sealed   TEXT
);

-- CDRs stored before this migration: their fingerprint is the evidence's hash (the same
-- bytes); their first answer was not kept, so a retry gets the CDR without a share link.
INSERT INTO capture_replies (cdr_id, request_sha256, reply_sealed)
SELECT id, content_sha256, NULL FROM cdrs;
