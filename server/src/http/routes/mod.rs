//! HTTP routes, one module per resource, each with a `router()`.
//!
//! Handlers here translate between HTTP and the modules that do the work (`ingest`,
//! `db`, `rules`); they hold no business rules of their own. Every `/v1` route is
//! registered through [`api`], so it is in the OpenAPI document.

pub mod billing;
pub mod captures;
pub mod cdrs;
pub mod domains;
pub mod evidence;
pub mod openapi;
pub mod org;
pub mod packages;
pub mod related;
pub mod shares;
pub mod web;

use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;

use crate::http::app::AppState;
use crate::http::openapi::ApiDoc;

/// Every API route, with its documentation.
pub fn api(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(captures::router(state))
        .merge(shares::router())
        .merge(cdrs::router())
        .merge(related::router())
        .merge(evidence::router())
        .merge(domains::router())
        .merge(billing::router())
        .merge(org::router())
        .merge(packages::router())
        .merge(crate::log::routes::api())
        .merge(openapi::router())
}
