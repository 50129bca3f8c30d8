//! The evidence of a capture: what is checked and derived from it at ingest, and reading
//! a stored capture back.
//!
//! | module | owns |
//! |---|---|
//! | [`archive`] | the page's stylesheets, fonts and images, fetched and kept by hash |
//! | [`ingest`] | turning a capture request into a stored CDR (checks, facts, evidence, rows) |
//! | [`store`] | the evidence files, written once and fsynced |
//! | [`reply`] | the sealed answer an idempotent replay returns |
//! | [`metadata`] | the filterable form of a CDR's `custom` object |
//! | [`check`] | refusing snapshots that hold executable content (a pure function) |
//! | [`markup`] | reading the consent tags and the trigger's element from the snapshot |
//! | [`consent`] | the consent rules and the cross-check against the SDK's report |
//! | [`facts`] | deriving the facts once at ingest, and reading them back |
//! | [`lead`] | the keyed fingerprints of the email and phone fields, for search and match |
//!
//! The stored bytes are the capture exactly as received (its hash is `contentSha256`);
//! [`load`] parses them leniently (every field defaulted) so that evidence stored by an
//! older SDK still reads. Never writes evidence: it is not modified after ingest.

pub mod archive;
pub mod artefacts;
pub mod check;
pub mod consent;
pub mod facts;
pub mod ingest;
pub mod lead;
pub mod markup;
pub mod metadata;
pub mod reply;
pub mod store;

use expressconsent_protocol::{
    ConsentCheckbox, Disclosure, PageInfo, Snapshot, Telemetry, Trigger,
};
use serde::Deserialize;

use crate::evidence::store::EvidenceStore;
use crate::http::error::ApiError;

pub use check::{check, Rejection};
pub use facts::{derive_at_ingest, StoredFacts};

/// The parts of a stored capture that the API serves.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StoredCapture {
    /// Where and how the page was shown (URL, viewport, pixel ratio, times).
    pub page: PageInfo,
    /// The serialized page.
    pub snapshot: Snapshot,
    /// Every `data-ec-disclosure`, as the SDK reported them.
    pub disclosures: Vec<Disclosure>,
    /// Every `data-ec-consent-checkbox`, as the SDK reported them.
    pub consent_checkboxes: Vec<ConsentCheckbox>,
    /// The element and event that caused the capture.
    pub trigger: Option<Trigger>,
    /// How the form was filled in.
    pub telemetry: Telemetry,
    /// The selector of the element the generator asked to outline, if any.
    pub highlight_target: Option<String>,
}

/// Loads and parses the capture stored under `object_key`. A missing or unreadable object
/// is an internal error: the database says it exists.
pub async fn load(store: &EvidenceStore, object_key: &str) -> Result<StoredCapture, ApiError> {
    let bytes = store.get(object_key).await?;
    // The reader ingest parsed it with (a whole number written `3.0` is an integer there).
    crate::http::json::from_slice(&bytes).map_err(|err| {
        ApiError::internal(format!("stored capture {object_key} does not parse: {err}"))
    })
}
