//! HTTP: the log's static-cacheable files under `/log/` (C2SP tlog-tiles: `checkpoint`,
//! `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`), its verifier key at `/log/key`,
//! and `GET /v1/cdrs/{cdrId}/proof` (in the OpenAPI document). The `/log/` layout is the
//! specification's, not this API's, so it is documented in the README rather than in the
//! OpenAPI document; the files need no key: the log is public by design and holds no
//! personal data.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use expressconsent_protocol::{Failure, RenderPending, Success};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::tiles::{self, STORE_PREFIX};
use super::{proof, LogError};
use crate::db::log as queries;
use crate::http::app::AppState;
use crate::http::auth::AuthOrg;
use crate::http::envelope::Data;
use crate::http::error::ApiError;
use crate::http::query::ApiPath;
use crate::http::routes::cdrs::related;

/// Full tiles never change (tlog-tiles: cache them for good).
pub const FULL_TILE_CACHE: &str = "public, max-age=31536000, immutable";
/// Partial tiles grow; the checkpoint moves.
pub const PARTIAL_TILE_CACHE: &str = "public, max-age=10";
/// The checkpoint must be fetched fresh.
pub const CHECKPOINT_CACHE: &str = "no-cache";

impl From<LogError> for ApiError {
    fn from(err: LogError) -> Self {
        ApiError::Internal(Box::new(err))
    }
}

/// `/log/…`: no key, not in the OpenAPI document.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/log/checkpoint", get(checkpoint))
        .route("/log/key", get(key))
        .route("/log/tile/{*path}", get(tile))
}

/// `/v1/cdrs/{cdrId}/proof`.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(cdr_proof))
}

fn not_found() -> ApiError {
    ApiError::NotFound("no such log file".into())
}

async fn checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let latest = queries::latest_checkpoint(&state.db)
        .await?
        .ok_or_else(not_found)?;
    Ok((
        [
            (CONTENT_TYPE, "text/plain; charset=utf-8"),
            (CACHE_CONTROL, CHECKPOINT_CACHE),
        ],
        latest.note,
    )
        .into_response())
}

async fn key(State(state): State<AppState>) -> Response {
    (
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{}\n", state.log.keys.verifier_key()),
    )
        .into_response()
}

async fn tile(
    State(state): State<AppState>,
    Path(path): Path<String>,
) -> Result<Response, ApiError> {
    let path = format!("tile/{path}");
    let tile = tiles::parse(&path).ok_or_else(not_found)?;
    let bytes = state
        .store
        .get_optional(&format!("{STORE_PREFIX}{path}"))
        .await?
        .ok_or_else(not_found)?;
    let cache = match tiles::is_full(&tile) {
        true => FULL_TILE_CACHE,
        false => PARTIAL_TILE_CACHE,
    };
    Ok((
        [
            (CONTENT_TYPE, "application/octet-stream"),
            (CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response())
}

/// The CDR's transparency-log proof.
#[utoipa::path(
    get,
    path = "/v1/cdrs/{cdrId}/proof",
    tag = "cdrs",
    security(("apiKey" = [])),
    params(("cdrId" = String, Path, description = "The CDR (`cdr_…`).")),
    responses(
        (status = 200, description = "A `c2sp.org/tlog-proof@v1` document: the entry (in `extra`, base64), its index, the inclusion proof, and the latest checkpoint with the witnesses' cosignatures. Verify it with `expressconsent-server verify` or by the C2SP specifications alone (docs/verifying.md). Any relation (paid, free, saved or owner) may read it.", content_type = "text/plain", body = String),
        (status = 202, description = "Not in a published checkpoint yet (CDRs are sequenced within about a second): ask again after `Retry-After` seconds.", body = Success<RenderPending>,
            headers(("Retry-After" = u64, description = "Seconds to wait before asking again."))),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 404, description = "NOT_FOUND: no such CDR, or no relation to it.", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn cdr_proof(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiPath(cdr_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    related(&state, &auth, &cdr_id).await?;
    match proof::proof_for(&state.db, &cdr_id).await? {
        Some(bundle) => Ok((
            [
                (CONTENT_TYPE, "text/plain; charset=utf-8"),
                (CACHE_CONTROL, "private, no-cache"),
            ],
            bundle.text,
        )
            .into_response()),
        None => Ok((
            StatusCode::ACCEPTED,
            [(RETRY_AFTER, "1")],
            Data(RenderPending {
                status: "pending".into(),
                retry_after_seconds: 1,
            }),
        )
            .into_response()),
    }
}
