//! `GET /v1/org` and `PATCH /v1/org`: the caller's own settings.
//!
//! Only `autoCollect` can be changed through the API for now; any other field is refused
//! as `INVALID_ARGUMENT` (webhook settings come with webhooks). The name and the domains
//! are managed by the operator's CLI and `POST /v1/domains`.

use axum::extract::State;
use expressconsent_protocol::{Failure, OrgPatch, OrgSettings, Success};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::orgs::{domains, set_auto_collect, settings};
use crate::http::app::AppState;
use crate::http::auth::AuthOrg;
use crate::http::body::JsonBody;
use crate::http::envelope::Data;
use crate::http::error::ApiError;

/// The org routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_org, patch_org))
}

async fn current(state: &AppState, org_id: &str) -> Result<OrgSettings, ApiError> {
    let row = settings(&state.db, org_id)
        .await?
        // The key authenticated a moment ago, and orgs are never deleted.
        .ok_or_else(|| ApiError::internal(format!("org {org_id} of a live key is missing")))?;
    let domains = domains(&state.db, org_id).await?;
    Ok(OrgSettings {
        org_id: row.id,
        name: row.name,
        auto_collect: row.auto_collect,
        domains: domains.iter().map(|h| h.as_str().to_owned()).collect(),
        created_at: row.created_at,
    })
}

/// The org's settings.
#[utoipa::path(
    get,
    path = "/v1/org",
    tag = "org",
    security(("apiKey" = [])),
    responses(
        (status = 200, description = "The settings.", body = Success<OrgSettings>),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
async fn get_org(
    State(state): State<AppState>,
    auth: AuthOrg,
) -> Result<Data<OrgSettings>, ApiError> {
    current(&state, &auth.org_id).await.map(Data)
}

/// Changes settings; fields left out stay as they are.
#[utoipa::path(
    patch,
    path = "/v1/org",
    tag = "org",
    security(("apiKey" = [])),
    request_body = OrgPatch,
    responses(
        (status = 200, description = "The settings after the change.", body = Success<OrgSettings>),
        (status = 400, description = "INVALID_ARGUMENT: bad JSON, a wrong type or a field that cannot be changed.", body = Failure),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 413, description = "PAYLOAD_TOO_LARGE", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
async fn patch_org(
    State(state): State<AppState>,
    auth: AuthOrg,
    JsonBody(patch): JsonBody<OrgPatch>,
) -> Result<Data<OrgSettings>, ApiError> {
    if let Some(on) = patch.auto_collect {
        set_auto_collect(&state.db, &auth.org_id, on).await?;
    }
    current(&state, &auth.org_id).await.map(Data)
}
