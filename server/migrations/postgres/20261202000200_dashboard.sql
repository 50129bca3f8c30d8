-- The dashboard's billing page reads an org's ledger by time (newest first, and counts per
-- month): without this index each would read every event of the org.
CREATE INDEX billing_events_org_created ON billing_events (org_id, created_at, id);
