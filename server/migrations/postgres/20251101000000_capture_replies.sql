-- The first answer to each capture, so that a retry with the same idempotency key gets the
-- very same answer (cdrId, packageData and the auto-share link), as Stripe's idempotency
-- keys do. `request_sha256` is the fingerprint of the request that stored the CDR (hex
-- SHA-256 of the body as received, decompressed): a retry with the same key and another
-- body is refused with CONFLICT. Written at ingest in the CDR's transaction.
--
-- `reply_json` holds the auto-share link's token in clear: the link's row in `shares`
-- keeps only its hash, and a hash cannot be answered again. Only the replay of a capture
-- reads this table. Keep in step with the other backend's folder (same columns).

CREATE TABLE capture_replies (
    cdr_id         TEXT PRIMARY KEY REFERENCES cdrs (id),
    request_sha256 TEXT NOT NULL,
    reply_json     TEXT
);

-- CDRs stored before this migration: their fingerprint is the evidence's hash (the same
-- bytes); their first answer was not kept, so a retry gets the CDR without a share link.
INSERT INTO capture_replies (cdr_id, request_sha256, reply_json)
SELECT id, content_sha256, NULL FROM cdrs;
