//! `/v1/cdrs/{cdrId}/snapshot`, `/image` and `/report`: downloading the evidence.
//!
//! Only orgs with download access (`paid` or `free`) get the bytes: no relation is
//! `NOT_FOUND`, a `saved` recipient or an owner that has not paid is `FORBIDDEN` with a
//! message that says how to collect. The snapshot is served so that nothing in it can
//! run: a CSP sandbox without `allow-scripts` (which also gives it an opaque origin, so
//! it cannot read this server's cookies or storage), no script sources at all, and
//! `nosniff`. The image and the report are made by background jobs (see
//! [`crate::evidence::artefacts`]); until they exist these endpoints answer `202` with
//! `Retry-After`, and with `EC_RENDER=off` they answer `FAILED_PRECONDITION`.

use axum::extract::State;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, RETRY_AFTER,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use expressconsent_protocol::{Failure, RenderPending, Success};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::cdrs::related;
use crate::db::cdrs::CdrRecord;
use crate::db::now_ms;
use crate::evidence;
use crate::evidence::artefacts;
use crate::http::app::AppState;
use crate::http::auth::AuthOrg;
use crate::http::envelope::Data;
use crate::http::error::ApiError;
use crate::http::query::ApiPath;
use crate::jobs::{self, JobKind, JobState, JobStatus};
use crate::sharing::rules::may_download;

/// The policy the snapshot is served under: sandboxed, no scripts, only passive
/// resources (images, styles, fonts) from where the page had them.
pub const SNAPSHOT_CSP: &str = "sandbox; default-src 'none'; img-src * data:; \
     style-src * 'unsafe-inline'; font-src * data:";

/// The evidence routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(snapshot))
        .routes(routes!(image))
        .routes(routes!(report))
        .routes(routes!(evidence_bytes))
}

/// The CDR, if the caller may download its evidence.
pub(crate) async fn downloadable(
    state: &AppState,
    auth: &AuthOrg,
    cdr_id: &str,
) -> Result<CdrRecord, ApiError> {
    let cdr = related(state, auth, cdr_id).await?;
    may_download(Some(cdr.access)).map_err(|refusal| ApiError::refused(cdr_id, refusal))?;
    Ok(cdr)
}

/// The captured page as one HTML document that re-renders with scripts off.
#[utoipa::path(
    get,
    path = "/v1/cdrs/{cdrId}/snapshot",
    tag = "evidence",
    security(("apiKey" = [])),
    params(("cdrId" = String, Path, description = "The CDR (`cdr_…`).")),
    responses(
        (status = 200, description = "The snapshot, served with `Content-Security-Policy: sandbox; default-src 'none'; …` and `X-Content-Type-Options: nosniff` so that it can never run script.", content_type = "text/html", body = String),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 403, description = "FORBIDDEN: saved or unpaid; collect first (POST /v1/cdrs/{cdrId}/collect).", body = Failure),
        (status = 404, description = "NOT_FOUND: no such CDR, or no relation to it.", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn snapshot(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiPath(cdr_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let cdr = downloadable(&state, &auth, &cdr_id).await?;
    let stored = evidence::load(&state.store, &cdr.object_key).await?;
    let headers = [
        (CONTENT_TYPE, "text/html; charset=utf-8"),
        (CONTENT_SECURITY_POLICY, SNAPSHOT_CSP),
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // Evidence is per-org and behind a key: no shared cache may keep it.
        (CACHE_CONTROL, "private, no-store"),
    ];
    Ok((headers, stored.snapshot.html).into_response())
}

/// The PNG evidence image: the full page as the consumer saw it, trigger outlined.
#[utoipa::path(
    get,
    path = "/v1/cdrs/{cdrId}/image",
    tag = "evidence",
    security(("apiKey" = [])),
    params(("cdrId" = String, Path, description = "The CDR (`cdr_…`).")),
    responses(
        (status = 200, description = "The full-page PNG at the captured viewport width and device pixel ratio, rendered from the snapshot and the assets archived at ingest, the trigger control outlined.", content_type = "image/png", body = Vec<u8>),
        (status = 202, description = "Not rendered yet: ask again after `Retry-After` seconds.", body = Success<RenderPending>,
            headers(("Retry-After" = u64, description = "Seconds to wait before asking again."))),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 403, description = "FORBIDDEN: saved or unpaid; collect first.", body = Failure),
        (status = 404, description = "NOT_FOUND: no such CDR, or no relation to it.", body = Failure),
        (status = 412, description = "FAILED_PRECONDITION: rendering is off on this server (`EC_RENDER=off`).", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn image(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiPath(cdr_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let cdr = downloadable(&state, &auth, &cdr_id).await?;
    rendering_on(&state)?;
    let ready = match artefacts::image_info(&state.store, &cdr.id)
        .await
        .map_err(ApiError::internal)?
    {
        Some(_) => {
            state
                .store
                .get_optional(&artefacts::image_key(&cdr.id))
                .await?
        }
        None => None,
    };
    let Some(png) = ready else {
        return pending(&state, &cdr.id).await;
    };
    let disposition = format!("inline; filename=\"{}.png\"", cdr.id);
    Ok((
        [
            (CONTENT_TYPE, "image/png".to_owned()),
            (X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            // Never changes once rendered; per org and behind a key: private caches only.
            (CACHE_CONTROL, "private, max-age=86400".to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        png,
    )
        .into_response())
}

/// The PDF/A-3b report: a summary page, then the evidence image across pages, with the
/// evidence itself embedded.
#[utoipa::path(
    get,
    path = "/v1/cdrs/{cdrId}/report",
    tag = "evidence",
    security(("apiKey" = [])),
    params(("cdrId" = String, Path, description = "The CDR (`cdr_…`).")),
    responses(
        (status = 200, description = "The PDF/A-3b report: ids, times in UTC, IP, user agent, URL, each disclosure with its consent mechanism, visibility, font size and contrast, checkboxes, trigger, field telemetry, the evidence hash and archived assets, the share history, then the evidence image; the evidence file embedded as an associated file (`evidence.json`).", content_type = "application/pdf", body = Vec<u8>),
        (status = 202, description = "The image it contains is not rendered yet: ask again after `Retry-After` seconds.", body = Success<RenderPending>,
            headers(("Retry-After" = u64, description = "Seconds to wait before asking again."))),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 403, description = "FORBIDDEN: saved or unpaid; collect first.", body = Failure),
        (status = 404, description = "NOT_FOUND: no such CDR, or no relation to it.", body = Failure),
        (status = 412, description = "FAILED_PRECONDITION: rendering is off on this server (`EC_RENDER=off`).", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn report(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiPath(cdr_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let cdr = downloadable(&state, &auth, &cdr_id).await?;
    rendering_on(&state)?;
    let Some(pdf) = artefacts::report(&state.db, &state.store, &cdr, state.log.keys.verifier_key())
        .await
        .map_err(ApiError::internal)?
    else {
        return pending(&state, &cdr.id).await;
    };
    let disposition = format!("attachment; filename=\"{}-report.pdf\"", cdr.id);
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            // The share history in it grows: always ask again.
            (CACHE_CONTROL, "private, no-cache".to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    )
        .into_response())
}

fn rendering_on(state: &AppState) -> Result<(), ApiError> {
    match state.render {
        true => Ok(()),
        false => Err(ApiError::FailedPrecondition(
            "rendering is off on this server (EC_RENDER=off): the image and the report are not \
             produced; the snapshot (GET …/snapshot) is available"
                .into(),
        )),
    }
}

/// `202 Accepted` while the image is being made, after making sure it is on its way: a
/// render queued or running, or the archive it waits for; otherwise (a CDR stored before
/// rendering existed, an image gone missing, a render that gave up) a render is queued now.
async fn pending(state: &AppState, cdr_id: &str) -> Result<Response, ApiError> {
    let now = now_ms();
    let active = |status: Option<JobStatus>| {
        status
            .filter(|s| matches!(s.state, JobState::Queued | JobState::Running))
            .map(|s| s.run_at)
    };
    let due = match active(jobs::status(&state.db, JobKind::RenderImage, cdr_id).await?) {
        Some(run_at) => Some(run_at),
        None => active(jobs::status(&state.db, JobKind::Archive, cdr_id).await?),
    };
    let due = match due {
        Some(run_at) => run_at,
        None => {
            jobs::ensure(&state.db, &state.jobs, JobKind::RenderImage, cdr_id).await?;
            state.wakeup.jobs_enqueued();
            now
        }
    };
    let retry_after = u64::try_from((due - now).max(0) / 1000)
        .unwrap_or(0)
        .clamp(1, 60);
    Ok((
        StatusCode::ACCEPTED,
        [(RETRY_AFTER, retry_after.to_string())],
        Data(RenderPending {
            status: "pending".into(),
            retry_after_seconds: retry_after,
        }),
    )
        .into_response())
}

/// The evidence exactly as stored: the body of the SDK's `POST /v1/captures` as the server
/// received it, after undoing any `Content-Encoding` — a UTF-8 JSON document (the
/// `CaptureRequest` schema: snapshot, disclosures, checkboxes, trigger, telemetry, page
/// info). Its SHA-256 is `contentSha256` and the CDR's transparency-log entry, so the
/// snapshot and every fact derived from it can be checked against the hash offline.
#[utoipa::path(
    get,
    path = "/v1/cdrs/{cdrId}/evidence",
    tag = "evidence",
    security(("apiKey" = [])),
    params(("cdrId" = String, Path, description = "The CDR (`cdr_…`).")),
    responses(
        (status = 200, description = "The stored evidence bytes (`application/json`, UTF-8): the capture request as received, decompressed. `SHA-256(body) == contentSha256`; `ETag` is that hash.", content_type = "application/json", body = expressconsent_protocol::CaptureRequest),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 403, description = "FORBIDDEN: saved or unpaid; collect first.", body = Failure),
        (status = 404, description = "NOT_FOUND: no such CDR, or no relation to it.", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn evidence_bytes(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiPath(cdr_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let cdr = downloadable(&state, &auth, &cdr_id).await?;
    let bytes = state.store.get(&cdr.object_key).await?;
    if crate::orgs::ids::sha256_hex(&bytes) != cdr.content_sha256 {
        // Never hand out bytes that are not the evidence the hash (and the log) stand for.
        return Err(ApiError::internal(format!(
            "stored evidence of {} does not match its contentSha256",
            cdr.id
        )));
    }
    let disposition = format!("attachment; filename=\"{}.evidence.json\"", cdr.id);
    Ok((
        [
            (CONTENT_TYPE, "application/json".to_owned()),
            (X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                CACHE_CONTROL,
                "private, max-age=86400, immutable".to_owned(),
            ),
            (CONTENT_DISPOSITION, disposition),
            (
                axum::http::header::ETAG,
                format!("\"{}\"", cdr.content_sha256),
            ),
        ],
        bytes,
    )
        .into_response())
}
