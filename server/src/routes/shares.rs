//! `POST /v1/shares/{token}`: a buyer claims a share link with its own API key.
//!
//! The decision (free, paid, saved, already claimed) is [`crate::rules::on_claim`]'s;
//! this module maps the stored outcome to the wire.

use axum::extract::{Path, State};
use axum::routing::post;
use axum::Router;
use expressconsent_protocol::{ClaimRequest, ClaimResult};

use crate::app::AppState;
use crate::auth::AuthOrg;
use crate::body::OptionalJsonBody;
use crate::db::shares::{claim as claim_share, ClaimOutcome};
use crate::envelope::Data;
use crate::error::ApiError;
use crate::ids::secret_hash;
use crate::links::is_plausible_token;

/// The share routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/v1/shares/{token}", post(claim))
}

async fn claim(
    State(state): State<AppState>,
    auth: AuthOrg,
    Path(token): Path<String>,
    OptionalJsonBody(body): OptionalJsonBody<ClaimRequest>,
) -> Result<Data<ClaimResult>, ApiError> {
    let unknown = || ApiError::NotFound("unknown share link".into());
    if !is_plausible_token(&token) {
        return Err(unknown());
    }
    let collect = body.collect.unwrap_or(true);
    match claim_share(&state.db, &auth.org_id, &secret_hash(&token), collect).await? {
        ClaimOutcome::UnknownToken => Err(unknown()),
        ClaimOutcome::Expired(at) => Err(ApiError::Gone(format!(
            "this share link expired at {at} (epoch ms); ask the sender for a new one"
        ))),
        ClaimOutcome::Claimed(claim) => Ok(Data(ClaimResult {
            claimed: true,
            already_claimed: claim.already_claimed,
            cdr_id: claim.cdr_id,
            domain_id: claim.domain_id,
            share_event_id: claim.share_event_id,
            access: claim.access,
        })),
    }
}
