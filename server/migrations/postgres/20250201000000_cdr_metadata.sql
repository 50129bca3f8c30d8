-- The top-level keys of each CDR's `custom` object, for the metadataKey + metadataValue
-- filter of GET /v1/domains/:domainId/cdrs. Written at ingest in the CDR's transaction;
-- `value` is the string itself for JSON strings and the compact JSON text for anything
-- else (see server/src/metadata.rs). Keep in step with ../sqlite (same columns). Values
-- and keys may be up to 16 KB, more than a B-tree entry holds (about 2.7 KB), so there is
-- no primary key over `key` here and `value` has a hash index, which stores only hashes.

CREATE TABLE cdr_metadata (
    cdr_id TEXT NOT NULL REFERENCES cdrs (id),
    key    TEXT NOT NULL,
    value  TEXT NOT NULL
);
CREATE INDEX cdr_metadata_cdr_id ON cdr_metadata (cdr_id);
CREATE INDEX cdr_metadata_value ON cdr_metadata USING hash (value);

-- CDRs stored before this migration. `json` (not `jsonb`) keeps each value's original
-- text, which is serde_json's compact output, so the spelling matches metadata.rs.
INSERT INTO cdr_metadata (cdr_id, key, value)
SELECT c.id, j.key,
       CASE json_typeof(j.value) WHEN 'string' THEN j.value #>> '{}' ELSE j.value::text END
FROM cdrs c, json_each(c.custom_json::json) j
WHERE c.custom_json IS NOT NULL;
