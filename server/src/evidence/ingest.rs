//! Ingesting a capture: check it, prepare it off the async workers, store it, answer.
//!
//! The steps, in order, each a function here:
//! 1. [`prepare_capture`] — all CPU work on the upload, run by the route on the
//!    low-priority capture threads (`crate::http::cpu`), off the async workers: decompress, parse, [`validate`] every limit, hash.
//!    Per-capture work that more checks need (reading the snapshot) belongs in it too.
//! 2. [`ingest`] — the idempotency key first: a key already stored answers the first
//!    result again when the body is the same ([`replay`]) and `CONFLICT` when it is not;
//!    then the evidence bytes are written to the object store, then the CDR, the owner's
//!    relation, its billing event, any auto-share link and the reply itself are inserted
//!    in one transaction. If that fails, the evidence is deleted only when the CDR row is
//!    known not to exist ([`after_failed_insert`]): a commit whose answer was lost may
//!    have landed, and evidence of a committed CDR must never go.
//!
//! HTTP concerns (cid, origin, rate limits, body size and time) are settled by
//! [`crate::http::routes::captures`] before this runs.

use std::collections::BTreeMap;

use axum::http::HeaderMap;
use bytes::Bytes;
pub use expressconsent_protocol::MAX_KEY_CHARS;
use expressconsent_protocol::{
    check_capture, check_custom_size, CaptureRequest, CaptureResult, ExpiresIn, PackageData,
    ShareLink, SubGroupIds, MAX_CAPTURE_BYTES,
};

use crate::db::cdrs::{cdr_exists, find_by_idempotency_key, insert_capture, ExistingCdr};
use crate::db::cdrs::{Inserted, NewCdr};
use crate::db::now_ms;
use crate::db::orgs::Org;
use crate::evidence::metadata::entries;
use crate::evidence::reply::ReplyKey;
use crate::evidence::store::EvidenceStore;
use crate::evidence::{derive_at_ingest, StoredFacts};
use crate::http::app::AppState;
use crate::http::body::{decode, parse_json};
use crate::http::error::ApiError;
use crate::orgs::host::Host;
use crate::orgs::ids::{new_id, sha256_hex, IdKind};
use crate::sharing::links::new_link;
use crate::sharing::rules::on_capture;

/// A capture request that passed every limit.
#[derive(Debug)]
pub struct ValidCapture {
    /// The request as parsed.
    pub request: CaptureRequest,
    /// The auto-share lifetime, when `autoShare` was asked for.
    pub auto_share: Option<ExpiresIn>,
    /// The checked sub-group ids.
    pub sub_groups: SubGroupIds,
    /// `custom` serialized, when present.
    pub custom_json: Option<String>,
    /// The snapshot passed the checker; its consent facts, to store with the CDR.
    pub facts: StoredFacts,
}

/// A capture ready to be stored: checked, with the exact bytes to keep.
#[derive(Debug)]
pub struct PreparedCapture {
    /// The checked request.
    pub valid: ValidCapture,
    /// The body as received, decompressed: the evidence.
    pub body: Bytes,
    /// Hex SHA-256 of `body`: the evidence's `contentSha256` and the request's fingerprint
    /// for idempotent retries.
    pub sha256: String,
    /// What seals and opens the answer kept for retries.
    pub reply_key: ReplyKey,
}

/// The CPU work of a capture, to run off the async workers: undo `Content-Encoding`,
/// parse the JSON, check every limit, hash the bytes (twice: the fingerprint, and the key
/// that seals the answer kept for retries).
pub fn prepare_capture(headers: &HeaderMap, raw: Bytes) -> Result<PreparedCapture, ApiError> {
    let body = decode(headers, raw, MAX_CAPTURE_BYTES)?;
    let valid = validate(parse_json::<CaptureRequest>(&body)?)?;
    let sha256 = sha256_hex(&body);
    let reply_key = ReplyKey::of_body(&body);
    Ok(PreparedCapture {
        valid,
        body,
        sha256,
        reply_key,
    })
}

/// Checks the limits of SPEC §2 that the SDK also checks, and every stored string's limit
/// ([`check_capture`]); the server never trusts the client to have done so.
pub fn validate(request: CaptureRequest) -> Result<ValidCapture, ApiError> {
    let invalid = |msg: String| ApiError::InvalidArgument(msg);
    check_key("idempotencyKey", &request.idempotency_key)?;
    check_key("packageId", &request.package_id)?;
    let auto_share = request
        .auto_share
        .as_ref()
        .map(|share| ExpiresIn::from_request(share.expires_in_ms))
        .transpose()
        .map_err(|e| invalid(format!("autoShare: {e}")))?;
    let sub_groups = SubGroupIds::new(request.sub_group_ids.clone()).map_err(|e| invalid(e.0))?;
    let custom_json = match &request.custom {
        Some(custom) => {
            let json = serde_json::to_string(custom).map_err(ApiError::internal)?;
            check_custom_size(json.len()).map_err(|e| invalid(e.0))?;
            Some(json)
        }
        None => None,
    };
    check_capture(&request).map_err(|e| invalid(e.0))?;
    let facts = derive_at_ingest(&request)?;
    Ok(ValidCapture {
        request,
        auto_share,
        sub_groups,
        custom_json,
        facts,
    })
}

fn check_key(field: &str, value: &str) -> Result<(), ApiError> {
    let chars = value.chars().count();
    if value.trim().is_empty() || chars > MAX_KEY_CHARS || value.contains('\0') {
        return Err(ApiError::InvalidArgument(format!(
            "{field} must be 1 to {MAX_KEY_CHARS} characters without NUL; got {chars}"
        )));
    }
    Ok(())
}

/// The session package and its sub-group packages. A sub-group's id is derived, not
/// random, so that every capture of the session that names it joins the same package.
pub fn package_data(package_id: &str, sub_groups: &SubGroupIds) -> PackageData {
    let sub_group_id_map: BTreeMap<String, String> = sub_groups
        .as_slice()
        .iter()
        .map(|group| {
            let digest = sha256_hex(format!("{package_id}/{group}").as_bytes());
            (group.clone(), format!("pkg_{}", &digest[..24]))
        })
        .collect();
    PackageData {
        package_id: package_id.to_owned(),
        sub_group_id_map,
    }
}

/// Where and how a capture arrived.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The capturing org.
    pub org: Org,
    /// The registered domain the page is on.
    pub domain: Host,
    /// The client address (see [`crate::http::client_addr`]).
    pub ip: String,
    /// The `User-Agent` header, shortened to its limit.
    pub user_agent: String,
}

/// Stores a prepared capture and answers the SDK. A retry with the same idempotency key
/// and the same body gets the first answer again, share link included; with another body,
/// `CONFLICT`.
pub async fn ingest(
    state: &AppState,
    arrival: Arrival,
    capture: PreparedCapture,
) -> Result<CaptureResult, ApiError> {
    let org_id = arrival.org.id.clone();
    let request = &capture.valid.request;
    if let Some(existing) =
        find_by_idempotency_key(&state.db, &org_id, &request.idempotency_key).await?
    {
        // The first request may still be waiting for its commit's sync.
        state.db.durable().await;
        return replay(&org_id, &existing, &capture);
    }

    let now = now_ms();
    let cdr_id = new_id(IdKind::Cdr);
    let package = package_data(&request.package_id, &capture.valid.sub_groups);
    let link = capture
        .valid
        .auto_share
        .map(|ttl| new_link(&state.public_url, &cdr_id, &org_id, ttl, now));
    let (share, link) = link.unzip();
    let reply = result(cdr_id.clone(), package.clone(), link);
    let object_key = EvidenceStore::capture_key(&cdr_id);
    let cdr = NewCdr {
        id: cdr_id.clone(),
        org_id: org_id.clone(),
        domain_id: arrival.domain.as_str().to_owned(),
        package_id: request.package_id.clone(),
        packages: std::iter::once(&package.package_id)
            .chain(package.sub_group_id_map.values())
            .cloned()
            .collect(),
        idempotency_key: request.idempotency_key.clone(),
        object_key: object_key.clone(),
        content_sha256: capture.sha256.clone(),
        size_bytes: i64::try_from(capture.body.len()).unwrap_or(i64::MAX),
        page_url: request.page.url.clone(),
        custom_json: capture.valid.custom_json.clone(),
        metadata: request.custom.as_ref().map(entries).unwrap_or_default(),
        received_ip: arrival.ip,
        user_agent: arrival.user_agent,
        created_at: now,
        facts_json: capture.valid.facts.json.clone(),
        leads: state.matcher.fingerprints(&capture.valid.facts.leads),
        reply_sealed: capture.reply_key.seal(&org_id, &cdr_id, &reply),
    };

    state.store.put(&object_key, capture.body.clone()).await?;
    let outcome = on_capture(arrival.org.auto_collect);
    match insert_capture(&state.db, &state.jobs, &cdr, outcome, share.as_ref()).await {
        Ok(Inserted::New) => {
            state.wakeup.jobs_enqueued();
            Ok(reply)
        }
        Ok(Inserted::Duplicate(existing)) => {
            state.db.durable().await;
            discard(state, &object_key).await;
            replay(&org_id, &existing, &capture)
        }
        Err(err) => {
            let exists = cdr_exists(&state.db, &cdr_id).await;
            match after_failed_insert(exists.as_ref().map_err(|_| ()).copied()) {
                AfterFailure::Answer => {
                    tracing::warn!(%cdr_id, error = %err, "the commit landed though it reported an error");
                    state.wakeup.jobs_enqueued();
                    Ok(reply)
                }
                AfterFailure::Discard => {
                    discard(state, &object_key).await;
                    Err(err.into())
                }
                AfterFailure::Keep => {
                    tracing::error!(%object_key, error = %err, "kept evidence whose row may exist");
                    Err(err.into())
                }
            }
        }
    }
}

/// What to do with stored evidence after inserting its CDR reported an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// The row exists: the commit landed and only its answer was lost; answer the capture.
    Answer,
    /// The row is known not to exist: delete the evidence and report the error.
    Discard,
    /// Whether the row exists is unknown: keep the evidence (an orphan file costs disk;
    /// deleting the evidence of a committed CDR would lose it) and report the error.
    Keep,
}

/// Decides from the re-check of the row (`Err`: the re-check failed too).
pub fn after_failed_insert(row_exists: Result<bool, ()>) -> AfterFailure {
    match row_exists {
        Ok(true) => AfterFailure::Answer,
        Ok(false) => AfterFailure::Discard,
        Err(()) => AfterFailure::Keep,
    }
}

/// Answers a capture whose idempotency key is already stored: the first answer when the
/// body is byte for byte the same (after decompression), `CONFLICT` otherwise. Never mints
/// a share link.
fn replay(
    org_id: &str,
    existing: &ExistingCdr,
    capture: &PreparedCapture,
) -> Result<CaptureResult, ApiError> {
    if existing.request_sha256 != capture.sha256 {
        return Err(ApiError::Conflict(format!(
            "idempotencyKey {:?} was already used for a different capture; a new capture \
             needs a new key",
            capture.valid.request.idempotency_key
        )));
    }
    match &existing.reply_sealed {
        Some(sealed) => capture
            .reply_key
            .open(org_id, &existing.id, sealed)
            .ok_or_else(|| ApiError::internal("a stored capture reply did not open")),
        // Stored before replies were kept: the CDR without its share link.
        None => Ok(result(
            existing.id.clone(),
            package_data(&existing.package_id, &capture.valid.sub_groups),
            None,
        )),
    }
}

fn result(cdr_id: String, package_data: PackageData, link: Option<ShareLink>) -> CaptureResult {
    CaptureResult {
        cdr_id,
        package_data,
        share_url: link.as_ref().map(|l| l.share_url.clone()),
        share_token: link.as_ref().map(|l| l.share_token.clone()),
        share_expires_at: link.map(|l| l.share_expires_at),
    }
}

/// Best-effort removal of evidence whose row was never committed.
async fn discard(state: &AppState, object_key: &str) {
    if let Err(err) = state.store.delete(object_key).await {
        tracing::warn!(%object_key, error = %err, "could not remove orphaned evidence");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_group_packages_are_derived_from_the_session_and_the_group() {
        let groups = SubGroupIds::new(vec!["buyer-a".into(), "buyer-b".into()]).unwrap();
        let first = package_data("pkg_session", &groups);
        let again = package_data("pkg_session", &groups);
        let other = package_data("pkg_other", &groups);
        assert_eq!(first, again);
        assert_ne!(
            first.sub_group_id_map["buyer-a"],
            other.sub_group_id_map["buyer-a"]
        );
        assert_ne!(
            first.sub_group_id_map["buyer-a"],
            first.sub_group_id_map["buyer-b"]
        );
        let id = &first.sub_group_id_map["buyer-a"];
        assert!(id.starts_with("pkg_") && id.len() == 4 + 24);
    }

    #[test]
    fn evidence_is_deleted_only_when_its_row_is_known_not_to_exist() {
        assert_eq!(after_failed_insert(Ok(true)), AfterFailure::Answer);
        assert_eq!(after_failed_insert(Ok(false)), AfterFailure::Discard);
        assert_eq!(after_failed_insert(Err(())), AfterFailure::Keep);
    }
}
