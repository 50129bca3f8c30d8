//! Reading a stored capture back for the read endpoints.
//!
//! Owns the view of the evidence that `GET /v1/cdrs/:cdrId` and `/snapshot` need. The
//! stored bytes are the capture exactly as received (its hash is `contentSha256`); they
//! are parsed leniently here (every field defaulted) so that evidence stored by an older
//! SDK still reads. Never writes: evidence is not modified after ingest.

use expressconsent_protocol::{ConsentCheckbox, Disclosure, Snapshot, Telemetry, Trigger};
use serde::Deserialize;

use crate::error::ApiError;
use crate::store::EvidenceStore;

/// The parts of a stored capture that the API serves.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StoredCapture {
    /// The serialized page.
    pub snapshot: Snapshot,
    /// Every `data-ec-disclosure`.
    pub disclosures: Vec<Disclosure>,
    /// Every `data-ec-consent-checkbox`.
    pub consent_checkboxes: Vec<ConsentCheckbox>,
    /// The element and event that caused the capture.
    pub trigger: Option<Trigger>,
    /// How the form was filled in.
    pub telemetry: Telemetry,
}

/// Loads and parses the capture stored under `object_key`. A missing or unreadable object
/// is an internal error: the database says it exists.
pub async fn load(store: &EvidenceStore, object_key: &str) -> Result<StoredCapture, ApiError> {
    let bytes = store.get(object_key).await?;
    serde_json::from_slice(&bytes).map_err(|err| {
        ApiError::internal(format!("stored capture {object_key} does not parse: {err}"))
    })
}
