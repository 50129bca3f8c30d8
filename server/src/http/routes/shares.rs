//! `POST /v1/shares/{token}`: a buyer claims a share link with its own API key.
//!
//! The decision (free, paid, saved, already claimed) is [`crate::sharing::rules::on_claim`]'s;
//! this module maps the stored outcome to the wire.

use axum::extract::State;
use expressconsent_protocol::{ClaimRequest, ClaimResult, Failure, Success};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::shares::{claim as claim_share, ClaimOutcome};
use crate::http::app::AppState;
use crate::http::auth::AuthOrg;
use crate::http::body::OptionalJsonBody;
use crate::http::envelope::Data;
use crate::http::error::ApiError;
use crate::http::query::ApiPath;
use crate::orgs::ids::secret_hash;
use crate::sharing::links::is_plausible_token;

/// The share routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(claim))
}

/// Claims a share link for the caller's org. If the link's minter had paid for the CDR
/// the caller gets free access (even with `collect: false`); otherwise `collect` (default
/// `true`) bills the caller once and `collect: false` only saves the CDR. Claiming again
/// is safe: an org that already holds the CDR in any relation (paid, free, saved, or its
/// unpaid owner) gets `alreadyClaimed: true`, and `access` says what it holds now — a
/// saved org that claims again with `collect` pays (once) and gets `paid`. Never billed
/// twice.
#[utoipa::path(
    post,
    path = "/v1/shares/{token}",
    tag = "sharing",
    security(("apiKey" = [])),
    params(("token" = String, Path, description = "The token at the end of a `shareUrl`.")),
    request_body(content = Option<ClaimRequest>, description = "Optional; `collect` defaults to `true`."),
    responses(
        (status = 200, description = "The claim was recorded as a share event.", body = Success<ClaimResult>),
        (status = 400, description = "INVALID_ARGUMENT: bad JSON or unknown field.", body = Failure),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 404, description = "NOT_FOUND: unknown share link.", body = Failure),
        (status = 410, description = "GONE: the share link has expired.", body = Failure),
        (status = 413, description = "PAYLOAD_TOO_LARGE", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn claim(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiPath(token): ApiPath<String>,
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
        ClaimOutcome::Claimed(claim) => {
            let (log_index, proof_url) =
                crate::log::proof::locate(&state.db, &state.public_url, &claim.cdr_id).await?;
            Ok(Data(ClaimResult {
                log_index,
                proof_url,
                claimed: true,
                already_claimed: claim.already_claimed,
                cdr_id: claim.cdr_id,
                domain_id: claim.domain_id,
                share_event_id: claim.share_event_id,
                access: claim.access,
            }))
        }
    }
}
