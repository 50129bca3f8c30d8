//! `/v1/cdrs/{cdrId}`, `/share` and `/collect`: what an org does with a CDR it has a
//! relation to.
//!
//! A CDR the org has no relation to answers `NOT_FOUND` whether or not it exists; which
//! relation allows what is [`crate::sharing::rules`]' decision. The evidence downloads live in
//! [`super::evidence`].

use axum::extract::State;
use expressconsent_protocol::{
    ArchivedAsset, CdrDetails, CollectResult, ExpiresIn, Failure, ShareLink, ShareRequest, Success,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::access::collect as collect_cdr;
use crate::db::assets::load_manifest;
use crate::db::cdrs::{find_for_org, CdrRecord};
use crate::db::now_ms;
use crate::db::shares::mint;
use crate::evidence;
use crate::evidence::artefacts;
use crate::http::app::AppState;
use crate::http::auth::AuthOrg;
use crate::http::body::OptionalJsonBody;
use crate::http::envelope::Data;
use crate::http::error::ApiError;
use crate::http::query::ApiPath;
use crate::orgs::ids::{is_id, IdKind};
use crate::sharing::links::new_link;
use crate::sharing::rules::{may_download, Refusal};

/// The CDR routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_cdr))
        .routes(routes!(share))
        .routes(routes!(collect))
}

/// The CDR with the caller's relation, or the refusal every CDR endpoint gives when the
/// caller has none (also for ids that cannot exist).
pub(crate) async fn related(
    state: &AppState,
    auth: &AuthOrg,
    cdr_id: &str,
) -> Result<CdrRecord, ApiError> {
    let none = || ApiError::refused(cdr_id, Refusal::NoRelation);
    if !is_id(IdKind::Cdr, cdr_id) {
        return Err(none());
    }
    find_for_org(&state.db, &auth.org_id, cdr_id)
        .await?
        .ok_or_else(none)
}

/// A CDR's metadata, the consent facts derived at ingest and the caller's access. Reads
/// the stored facts; the snapshot is not parsed again.
#[utoipa::path(
    get,
    path = "/v1/cdrs/{cdrId}",
    tag = "cdrs",
    security(("apiKey" = [])),
    params(("cdrId" = String, Path, description = "The CDR (`cdr_…`).")),
    responses(
        (status = 200, description = "Any relation (paid, free, saved or owner) may read the metadata.", body = Success<CdrDetails>),
        (status = 401, description = "UNAUTHENTICATED: missing, malformed, unknown or revoked API key.", body = Failure),
        (status = 404, description = "NOT_FOUND: no such CDR, or the org has no relation to it.", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn get_cdr(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiPath(cdr_id): ApiPath<String>,
) -> Result<Data<CdrDetails>, ApiError> {
    let cdr = related(&state, &auth, &cdr_id).await?;
    let facts = evidence::facts::for_cdr(&state.db, &state.store, &cdr.id, &cdr.object_key).await?;
    let custom = cdr
        .custom_json
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(ApiError::internal)?;
    let assets = load_manifest(&state.db, &cdr.id)
        .await?
        .assets
        .into_iter()
        .map(|a| ArchivedAsset {
            url: a.url,
            status: a.status.as_str().to_owned(),
            http_status: a.http_status,
            content_type: a.content_type,
            sha256: a.sha256,
            size: a.size,
        })
        .collect();
    let image = artefacts::image_info(&state.store, &cdr.id)
        .await
        .map_err(ApiError::internal)?;
    let (log_index, proof_url) =
        crate::log::proof::locate(&state.db, &state.public_url, &cdr.id).await?;
    Ok(Data(CdrDetails {
        log_index,
        proof_url,
        is_owner: cdr.org_id == auth.org_id,
        can_download: may_download(Some(cdr.access)).is_ok(),
        access: cdr.access,
        cdr_id: cdr.id,
        org_id: cdr.org_id,
        domain_id: cdr.domain_id,
        package_id: cdr.package_id,
        created_at: cdr.created_at,
        page_url: cdr.page_url,
        custom,
        content_sha256: cdr.content_sha256,
        size_bytes: cdr.size_bytes,
        received_ip: cdr.received_ip,
        user_agent: cdr.user_agent,
        facts,
        assets,
        image,
    }))
}

/// Mints a share link; the capturing org (paid or not) and orgs with download access may.
#[utoipa::path(
    post,
    path = "/v1/cdrs/{cdrId}/share",
    tag = "sharing",
    security(("apiKey" = [])),
    params(("cdrId" = String, Path, description = "The CDR (`cdr_…`).")),
    request_body(content = Option<ShareRequest>, description = "Optional; `expiresInMs` defaults to 30 days, at most 2 years."),
    responses(
        (status = 200, description = "A new share link. Recipients get free access if this org has paid when they claim it.", body = Success<ShareLink>),
        (status = 400, description = "INVALID_ARGUMENT: bad JSON or `expiresInMs` out of range.", body = Failure),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 403, description = "FORBIDDEN: the org only saved the CDR; it must collect it first.", body = Failure),
        (status = 404, description = "NOT_FOUND: no such CDR, or no relation to it.", body = Failure),
        (status = 413, description = "PAYLOAD_TOO_LARGE", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn share(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiPath(cdr_id): ApiPath<String>,
    OptionalJsonBody(body): OptionalJsonBody<ShareRequest>,
) -> Result<Data<ShareLink>, ApiError> {
    if !is_id(IdKind::Cdr, &cdr_id) {
        return Err(ApiError::refused(&cdr_id, Refusal::NoRelation));
    }
    let ttl =
        ExpiresIn::from_request(body.expires_in_ms).map_err(|e| ApiError::InvalidArgument(e.0))?;
    let (row, link) = new_link(&state.public_url, &cdr_id, &auth.org_id, ttl, now_ms());
    match mint(&state.db, &row).await? {
        Ok(()) => Ok(Data(link)),
        Err(refusal) => Err(ApiError::refused(&cdr_id, refusal)),
    }
}

/// Pays for the CDR: bills the org once and grants download access. Idempotent: an org
/// that already has access (paid or free) is not billed again.
#[utoipa::path(
    post,
    path = "/v1/cdrs/{cdrId}/collect",
    tag = "sharing",
    security(("apiKey" = [])),
    params(("cdrId" = String, Path, description = "The CDR (`cdr_…`).")),
    responses(
        (status = 200, description = "`billed` says whether this call wrote the org's one billing event for the CDR.", body = Success<CollectResult>),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 404, description = "NOT_FOUND: no such CDR, or no relation to it (claim a share link first).", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn collect(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiPath(cdr_id): ApiPath<String>,
) -> Result<Data<CollectResult>, ApiError> {
    if !is_id(IdKind::Cdr, &cdr_id) {
        return Err(ApiError::refused(&cdr_id, Refusal::NoRelation));
    }
    let collected = collect_cdr(&state.db, &auth.org_id, &cdr_id)
        .await?
        .map_err(|refusal| ApiError::refused(&cdr_id, refusal))?;
    Ok(Data(CollectResult {
        cdr_id,
        access: collected.access,
        billed: collected.billed,
        already_collected: collected.already_collected,
    }))
}
