-- The asset archive of each CDR: every stylesheet, font and image its snapshot (or one of
-- those stylesheets) referenced, in the order found, with what became of it (see
-- server/src/evidence/archive/). `status` is archived, refused (SSRF policy), failed,
-- too_large or skipped (over the CDR's budget); `sha256` (hex) is the archived body's
-- key in the evidence store (`assets/sha256/<sha256>`), shared by every CDR that
-- archived the same bytes. Written by background work after ingest, replaced whole when
-- a CDR is archived again. Keep in step with the other backend's folder.

CREATE TABLE cdr_assets (
    cdr_id       TEXT NOT NULL REFERENCES cdrs (id),
    position     BIGINT NOT NULL,
    url          TEXT NOT NULL,
    status       TEXT NOT NULL,
    http_status  BIGINT,
    content_type TEXT,
    sha256       TEXT,
    size         BIGINT,
    PRIMARY KEY (cdr_id, position)
);
