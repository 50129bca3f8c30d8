//! `GET /v1/packages/:packageId`: a consumer session's CDRs as one org may see them.

use axum::extract::State;
use expressconsent_protocol::{Failure, PackageCdr, PackageDetails, Success};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::packages::visible_cdrs;
use crate::evidence::ingest::MAX_KEY_CHARS;
use crate::http::app::AppState;
use crate::http::auth::AuthOrg;
use crate::http::envelope::Data;
use crate::http::error::ApiError;
use crate::http::query::ApiPath;

/// The package routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(package))
}

/// The CDRs of a session (or sub-group) package that the org has any relation to, oldest
/// first, each with its offset from the first.
#[utoipa::path(
    get,
    path = "/v1/packages/{packageId}",
    tag = "cdrs",
    security(("apiKey" = [])),
    params(("packageId" = String, Path, description = "A session's `packageId` or a sub-group's id from `subGroupIdMap`.")),
    responses(
        (status = 200, description = "The visible CDRs of the package, in time order.", body = Success<PackageDetails>),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 404, description = "NOT_FOUND: no such package, or none of its CDRs is related to this org.", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn package(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiPath(package_id): ApiPath<String>,
) -> Result<Data<PackageDetails>, ApiError> {
    let missing = || ApiError::NotFound(format!("no package {package_id} for this org"));
    // Ingest refuses package ids that are empty, too long or hold NUL: none can exist.
    if package_id.is_empty()
        || package_id.chars().count() > MAX_KEY_CHARS
        || package_id.contains('\0')
    {
        return Err(missing());
    }
    let rows = visible_cdrs(&state.db, &auth.org_id, &package_id).await?;
    let first = rows.first().ok_or_else(missing)?.created_at;
    let cdrs = rows
        .into_iter()
        .map(|row| PackageCdr {
            offset_ms: row.created_at - first,
            cdr_id: row.cdr_id,
            domain_id: row.domain_id,
            page_url: row.page_url,
            created_at: row.created_at,
            access: row.access,
        })
        .collect();
    Ok(Data(PackageDetails { package_id, cdrs }))
}
