//! `GET /v1/billing/events`: the caller's billing ledger.
//!
//! One row per CDR the org paid for, ever: the database refuses a second row for the same
//! org and CDR, so this list is also the proof that nothing was billed twice.

use axum::extract::State;
use expressconsent_protocol::{BillingEvent, BillingEventPage, Failure, Success};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::billing::list;
use crate::http::app::AppState;
use crate::http::auth::AuthOrg;
use crate::http::envelope::Data;
use crate::http::error::ApiError;
use crate::http::pagination::{Cursor, List};
use crate::http::query::{ApiQuery, PageQuery};

/// The billing routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(billing_events))
}

/// The org's billing ledger, newest first by default.
#[utoipa::path(
    get,
    path = "/v1/billing/events",
    tag = "billing",
    security(("apiKey" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "One page; follow `nextPageToken` until it is absent.", body = Success<BillingEventPage>),
        (status = 400, description = "INVALID_ARGUMENT: pageSize outside 1–100, bad order or pageToken.", body = Failure),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn billing_events(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Data<BillingEventPage>, ApiError> {
    let page = query.page(List::BillingEvents)?;
    let rows = list(&state.db, &auth.org_id, &page).await?;
    let (rows, next_page_token) = page.finish(List::BillingEvents, rows, |row| Cursor {
        created_at: row.created_at,
        id: row.id.clone(),
    });
    let events = rows
        .into_iter()
        .map(|row| BillingEvent {
            billing_event_id: row.id,
            cdr_id: row.cdr_id,
            reason: row.reason,
            created_at: row.created_at,
        })
        .collect();
    Ok(Data(BillingEventPage {
        events,
        next_page_token,
    }))
}
