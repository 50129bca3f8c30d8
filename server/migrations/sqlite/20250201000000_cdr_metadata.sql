-- The top-level keys of each CDR's `custom` object, for the metadataKey + metadataValue
-- filter of GET /v1/domains/:domainId/cdrs. Written at ingest in the CDR's transaction;
-- `value` is the string itself for JSON strings and the compact JSON text for anything
-- else (see server/src/metadata.rs). Keep in step with ../postgres (same columns; the
-- indexes differ because PostgreSQL's B-tree entries are limited to about 2.7 KB).

CREATE TABLE cdr_metadata (
    cdr_id TEXT NOT NULL REFERENCES cdrs (id),
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (cdr_id, key)
);
CREATE INDEX cdr_metadata_key_value ON cdr_metadata (key, value);

-- CDRs stored before this migration: same spelling as metadata.rs for strings, numbers,
-- booleans, null, arrays and objects (stored custom_json is serde_json's compact output).
INSERT INTO cdr_metadata (cdr_id, key, value)
SELECT c.id, j.key,
       CASE j.type
           WHEN 'text' THEN j.value
           WHEN 'true' THEN 'true'
           WHEN 'false' THEN 'false'
           WHEN 'null' THEN 'null'
           ELSE CAST(j.value AS TEXT)
       END
FROM cdrs c, json_each(c.custom_json) j
WHERE c.custom_json IS NOT NULL;
