//! A CDR's consent facts: derived once, at ingest, stored with the CDR, served as stored.
//!
//! Owns the two ways facts come to exist. [`derive_at_ingest`] checks the snapshot (an
//! inert file, see [`super::check`]) and derives the facts from the same parse, before
//! anything is stored; a refused snapshot stores nothing. [`for_cdr`] reads the stored
//! facts for `GET /v1/cdrs/:cdrId`; a CDR stored before facts were stored (no row in
//! `cdr_facts`) has them derived from its evidence on that first read and stored, so the
//! snapshot of a CDR is parsed at most once more in its life.

use expressconsent_protocol::{CaptureRequest, ConsentFacts};
use scraper::Html;

use super::check::check_document;
use super::consent::{derive, Claims};
use super::{load, StoredCapture};
use crate::db::{facts, now_ms, Db};
use crate::evidence::store::EvidenceStore;
use crate::http::error::ApiError;

/// Facts ready to be stored with a new CDR.
#[derive(Debug, Clone)]
pub struct StoredFacts {
    /// [`ConsentFacts`] as JSON.
    pub json: String,
    /// The email and phone values of the snapshot's form fields, read from the same parse
    /// (fingerprinted at ingest, never stored; see [`super::lead`]).
    pub leads: Vec<super::lead::LeadValue>,
}

/// Checks the request's snapshot and derives its facts. A snapshot with executable
/// content is `INVALID_ARGUMENT`, with a message that names what was found. CPU-bound:
/// parses the whole snapshot.
pub fn derive_at_ingest(request: &CaptureRequest) -> Result<StoredFacts, ApiError> {
    let dom = Html::parse_document(&request.snapshot.html);
    check_document(&dom)
        .map_err(|rejection| ApiError::InvalidArgument(format!("snapshot.html: {rejection}")))?;
    let facts = derive(
        &dom,
        &Claims {
            disclosures: &request.disclosures,
            consent_checkboxes: &request.consent_checkboxes,
            trigger: request.trigger.as_ref(),
            telemetry: &request.telemetry,
        },
    );
    let json = serde_json::to_string(&facts).map_err(ApiError::internal)?;
    let leads = super::lead::values_in(&dom);
    Ok(StoredFacts { json, leads })
}

/// The stored facts of a CDR; derived from its evidence (and stored) when it has none.
pub async fn for_cdr(
    db: &Db,
    store: &EvidenceStore,
    cdr_id: &str,
    object_key: &str,
) -> Result<ConsentFacts, ApiError> {
    if let Some(json) = facts::find(db, cdr_id).await? {
        return serde_json::from_str(&json).map_err(ApiError::internal);
    }
    let stored = load(store, object_key).await?;
    let derived = tokio::task::spawn_blocking(move || backfilled(&stored))
        .await
        .map_err(ApiError::internal)?;
    let json = serde_json::to_string(&derived).map_err(ApiError::internal)?;
    facts::backfill(db, cdr_id, &json, now_ms()).await?;
    // Another reader may have stored its own derivation first; serve what is stored.
    match facts::find(db, cdr_id).await? {
        Some(json) => serde_json::from_str(&json).map_err(ApiError::internal),
        None => Ok(derived),
    }
}

/// The facts of evidence stored before ingest derived them. Not checked: it was accepted
/// under the rules of its day, and evidence is never refused after the fact.
fn backfilled(stored: &StoredCapture) -> ConsentFacts {
    derive(
        &Html::parse_document(&stored.snapshot.html),
        &Claims {
            disclosures: &stored.disclosures,
            consent_checkboxes: &stored.consent_checkboxes,
            trigger: stored.trigger.as_ref(),
            telemetry: &stored.telemetry,
        },
    )
}
