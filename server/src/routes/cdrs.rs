//! `/v1/cdrs/{cdrId}/…`: what an org does with a CDR it has a relation to.
//!
//! For now: minting a share link. A CDR the org has no relation to answers `NOT_FOUND`
//! whether or not it exists.

use axum::extract::{Path, State};
use axum::routing::post;
use axum::Router;
use expressconsent_protocol::{ExpiresIn, ShareLink, ShareRequest};

use crate::app::AppState;
use crate::auth::AuthOrg;
use crate::body::OptionalJsonBody;
use crate::db::now_ms;
use crate::db::shares::mint;
use crate::envelope::Data;
use crate::error::ApiError;
use crate::ids::{is_id, IdKind};
use crate::links::new_link;
use crate::rules::MintRefusal;

/// The CDR routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/v1/cdrs/{cdr_id}/share", post(share))
}

async fn share(
    State(state): State<AppState>,
    auth: AuthOrg,
    Path(cdr_id): Path<String>,
    OptionalJsonBody(body): OptionalJsonBody<ShareRequest>,
) -> Result<Data<ShareLink>, ApiError> {
    let not_found = || ApiError::NotFound(format!("no CDR {cdr_id} for this org"));
    if !is_id(IdKind::Cdr, &cdr_id) {
        return Err(not_found());
    }
    let ttl =
        ExpiresIn::from_request(body.expires_in_ms).map_err(|e| ApiError::InvalidArgument(e.0))?;
    let (row, link) = new_link(&state.public_url, &cdr_id, &auth.org_id, ttl, now_ms());
    match mint(&state.db, &row).await? {
        Ok(()) => Ok(Data(link)),
        Err(MintRefusal::NoRelation) => Err(not_found()),
        Err(MintRefusal::NotCollected) => Err(ApiError::Forbidden(format!(
            "{cdr_id} is saved but not collected; collect it (POST /v1/cdrs/{cdr_id}/collect) \
             before sharing it"
        ))),
    }
}
