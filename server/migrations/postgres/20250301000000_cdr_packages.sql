-- Every package a CDR belongs to: its per-tab session package and each sub-group package
-- named at capture (`subGroupIds`), for GET /v1/packages/:packageId. Written at ingest in
-- the CDR's transaction. Keep in step with the other backend's folder.

CREATE TABLE cdr_packages (
    package_id TEXT NOT NULL,
    cdr_id     TEXT NOT NULL REFERENCES cdrs (id),
    PRIMARY KEY (package_id, cdr_id)
);
CREATE INDEX cdr_packages_cdr_id ON cdr_packages (cdr_id);

-- CDRs stored before this migration belong to their session package (their sub-groups
-- were not recorded).
INSERT INTO cdr_packages (package_id, cdr_id) SELECT package_id, id FROM cdrs;
