//! `/v1/cdrs/{cdrId}/snapshot`, `/image` and `/report`: downloading the evidence.
//!
//! Only orgs with download access (`paid` or `free`) get the bytes: no relation is
//! `NOT_FOUND`, a `saved` recipient or an owner that has not paid is `FORBIDDEN` with a
//! message that says how to collect. The snapshot is served so that nothing in it can
//! run: a CSP sandbox without `allow-scripts` (which also gives it an opaque origin, so
//! it cannot read this server's cookies or storage), no script sources at all, and
//! `nosniff`. Rendering the image and the report comes later; until then those two
//! endpoints make the same checks and answer `FAILED_PRECONDITION`.

use axum::extract::State;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::response::{IntoResponse, Response};
use expressconsent_protocol::Failure;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::cdrs::related;
use crate::db::cdrs::CdrRecord;
use crate::evidence;
use crate::http::app::AppState;
use crate::http::auth::AuthOrg;
use crate::http::error::ApiError;
use crate::http::query::ApiPath;
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
}

/// The CDR, if the caller may download its evidence.
async fn downloadable(
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
async fn snapshot(
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

/// The PNG evidence image, trigger outlined (not rendered yet).
#[utoipa::path(
    get,
    path = "/v1/cdrs/{cdrId}/image",
    tag = "evidence",
    security(("apiKey" = [])),
    params(("cdrId" = String, Path, description = "The CDR (`cdr_…`).")),
    responses(
        (status = 200, description = "The full-page PNG (once rendering is available).", content_type = "image/png", body = Vec<u8>),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 403, description = "FORBIDDEN: saved or unpaid; collect first.", body = Failure),
        (status = 404, description = "NOT_FOUND: no such CDR, or no relation to it.", body = Failure),
        (status = 412, description = "FAILED_PRECONDITION: rendering is not available yet.", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
async fn image(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiPath(cdr_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    downloadable(&state, &auth, &cdr_id).await?;
    Err(not_rendered("image"))
}

/// The PDF report (not rendered yet).
#[utoipa::path(
    get,
    path = "/v1/cdrs/{cdrId}/report",
    tag = "evidence",
    security(("apiKey" = [])),
    params(("cdrId" = String, Path, description = "The CDR (`cdr_…`).")),
    responses(
        (status = 200, description = "The PDF report (once rendering is available).", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 403, description = "FORBIDDEN: saved or unpaid; collect first.", body = Failure),
        (status = 404, description = "NOT_FOUND: no such CDR, or no relation to it.", body = Failure),
        (status = 412, description = "FAILED_PRECONDITION: rendering is not available yet.", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
async fn report(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiPath(cdr_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    downloadable(&state, &auth, &cdr_id).await?;
    Err(not_rendered("report"))
}

fn not_rendered(what: &str) -> ApiError {
    ApiError::FailedPrecondition(format!(
        "rendering is not available yet: this server cannot produce the {what}; the snapshot \
         (GET …/snapshot) is available"
    ))
}
