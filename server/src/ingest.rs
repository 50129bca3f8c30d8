//! Ingesting a capture: validate, store the evidence, record the CDR.
//!
//! Owns the order that keeps storage and database consistent: the evidence bytes are
//! written to the object store first, then the CDR, the owner's relation, its billing
//! event and any auto-share link are inserted in one transaction; if that fails the
//! object is deleted again. HTTP concerns (cid, origin, body limits) are settled by
//! [`crate::routes::captures`] before this runs.

use std::collections::BTreeMap;

use bytes::Bytes;
use expressconsent_protocol::{
    check_custom_size, CaptureRequest, CaptureResult, ExpiresIn, PackageData, ShareLink,
    SubGroupIds, MAX_DISCLOSURE_CHARS,
};

use crate::app::AppState;
use crate::db::cdrs::{find_by_idempotency_key, insert_capture, Inserted, NewCdr};
use crate::db::now_ms;
use crate::db::orgs::Org;
use crate::db::shares::insert_share;
use crate::error::ApiError;
use crate::evidence::{derive_at_ingest, StoredFacts};
use crate::host::Host;
use crate::ids::{new_id, sha256_hex, IdKind};
use crate::links::new_link;
use crate::metadata::entries;
use crate::rules::on_capture;
use crate::store::EvidenceStore;

/// Longest idempotency key or package id accepted.
pub const MAX_KEY_CHARS: usize = 128;

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

/// Checks the limits of SPEC §2 that the SDK also checks; the server never trusts them.
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
    for disclosure in &request.disclosures {
        let chars = disclosure.text.chars().count();
        if chars > MAX_DISCLOSURE_CHARS {
            return Err(invalid(format!(
                "disclosure {:?} has {chars} characters; at most {MAX_DISCLOSURE_CHARS} are kept",
                disclosure.id
            )));
        }
    }
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
    if value.trim().is_empty() || chars > MAX_KEY_CHARS {
        return Err(ApiError::InvalidArgument(format!(
            "{field} must be 1 to {MAX_KEY_CHARS} characters; got {chars}"
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
    /// The peer address.
    pub ip: String,
    /// The `User-Agent` header.
    pub user_agent: String,
}

/// Stores a validated capture (`body` is the exact JSON received) and answers the SDK.
/// A retry with the same idempotency key gets the first CDR back, with a fresh share link
/// when it asks for one.
pub async fn ingest(
    state: &AppState,
    arrival: Arrival,
    capture: ValidCapture,
    body: Bytes,
) -> Result<CaptureResult, ApiError> {
    let org_id = arrival.org.id.clone();
    let request = &capture.request;
    if let Some(existing) =
        find_by_idempotency_key(&state.db, &org_id, &request.idempotency_key).await?
    {
        return replay(state, &org_id, &existing.id, &existing.package_id, &capture).await;
    }

    let now = now_ms();
    let cdr_id = new_id(IdKind::Cdr);
    let package = package_data(&request.package_id, &capture.sub_groups);
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
        content_sha256: sha256_hex(&body),
        size_bytes: i64::try_from(body.len()).unwrap_or(i64::MAX),
        page_url: request.page.url.clone(),
        custom_json: capture.custom_json.clone(),
        metadata: request.custom.as_ref().map(entries).unwrap_or_default(),
        received_ip: arrival.ip,
        user_agent: arrival.user_agent,
        created_at: now,
        facts_json: capture.facts.json.clone(),
    };
    let link = capture
        .auto_share
        .map(|ttl| new_link(&state.public_url, &cdr_id, &org_id, ttl, now));

    state.store.put(&object_key, body).await?;
    let outcome = on_capture(arrival.org.auto_collect);
    let inserted =
        insert_capture(&state.db, &cdr, outcome, link.as_ref().map(|(row, _)| row)).await;
    match inserted {
        Ok(Inserted::New) => Ok(result(cdr_id, package, link.map(|(_, link)| link))),
        Ok(Inserted::Duplicate(existing)) => {
            discard(state, &object_key).await;
            replay(state, &org_id, &existing.id, &existing.package_id, &capture).await
        }
        Err(err) => {
            discard(state, &object_key).await;
            Err(err.into())
        }
    }
}

/// Answers a retried capture from the CDR that the first attempt stored.
async fn replay(
    state: &AppState,
    org_id: &str,
    cdr_id: &str,
    package_id: &str,
    capture: &ValidCapture,
) -> Result<CaptureResult, ApiError> {
    let link = match capture.auto_share {
        Some(ttl) => {
            let (row, link) = new_link(&state.public_url, cdr_id, org_id, ttl, now_ms());
            let mut conn = state.db.pool().acquire().await?;
            insert_share(&mut conn, &row).await?;
            Some(link)
        }
        None => None,
    };
    Ok(result(
        cdr_id.to_owned(),
        package_data(package_id, &capture.sub_groups),
        link,
    ))
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
}
