-- The dashboard's list of every CDR an org has a relation to, and lead matching.
--
-- 1. `cdr_access` gets copies of the CDR's `created_at`, `domain_id` and `package_id`
--    (a CDR never changes them), so that GET /v1/cdrs walks one index of the org's own
--    rows in (cdr_created_at, cdr_id) order, filtered or not, instead of joining every
--    related CDR and sorting. Every writer goes through db::access::raise_relation, which
--    copies them from `cdrs`.
-- 2. `cdr_leads`: keyed hashes (HMAC-SHA256, see server/src/evidence/lead.rs) of the
--    normalized email and phone values found in each snapshot's form fields; never the
--    values themselves. Written in the CDR's insert transaction. CDRs stored before this
--    migration have none (their snapshots are not parsed again).
-- Keep in step with ../postgres.

ALTER TABLE cdr_access ADD COLUMN cdr_created_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cdr_access ADD COLUMN cdr_domain_id TEXT NOT NULL DEFAULT '';
ALTER TABLE cdr_access ADD COLUMN cdr_package_id TEXT NOT NULL DEFAULT '';

UPDATE cdr_access SET
    cdr_created_at = c.created_at,
    cdr_domain_id = c.domain_id,
    cdr_package_id = c.package_id
FROM cdrs c WHERE c.id = cdr_access.cdr_id;

-- Both columns ascending: a newest-first page is the same index read backwards.
CREATE INDEX cdr_access_org_created ON cdr_access (org_id, cdr_created_at, cdr_id);
CREATE INDEX cdr_access_org_relation ON cdr_access (org_id, relation, cdr_created_at, cdr_id);
CREATE INDEX cdr_access_org_domain ON cdr_access (org_id, cdr_domain_id, cdr_created_at, cdr_id);
CREATE INDEX cdr_access_org_package ON cdr_access (org_id, cdr_package_id, cdr_created_at, cdr_id);

CREATE TABLE cdr_leads (
    cdr_id      TEXT NOT NULL REFERENCES cdrs (id),
    kind        TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (fingerprint, cdr_id)
);
CREATE INDEX cdr_leads_cdr_id ON cdr_leads (cdr_id);
