//! The CDR list: every CDR the org captured or received, newest first, with filters and a
//! search by the consumer's phone number or email.

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::html;

use crate::dashboard::layout::{self, Nav};
use crate::dashboard::session::SignedIn;
use crate::http::app::AppState;

/// `/dashboard/` and the search form.
pub fn router() -> Router<AppState> {
    Router::new().route("/dashboard/", get(index))
}

async fn index(user: SignedIn) -> Response {
    layout::page(&user, "CDRs", Nav::Cdrs, html! {}).into_response()
}
