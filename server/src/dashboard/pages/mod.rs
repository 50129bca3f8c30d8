//! The dashboard's pages, one module each.
//!
//! Pages call the same handlers as the API (`crate::http::routes`), acting for the signed-in
//! user's org, so the dashboard can never grant what an API key of that org would not get:
//! one set of access and billing rules, one org-isolation check. Their errors become HTML
//! pages here ([`problem`]).

pub mod billing;
pub mod cdr;
pub mod claim;
pub mod list;
pub mod packages;
pub mod settings;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use maud::html;

use crate::dashboard::layout::{self, Nav};
use crate::dashboard::session::SignedIn;
use crate::http::app::AppState;
use crate::http::auth::AuthOrg;
use crate::http::error::ApiError;

/// Every page behind sign-in.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(list::router())
        .merge(cdr::router())
        .merge(claim::router())
        .merge(packages::router())
        .merge(billing::router())
        .merge(settings::router())
}

/// The API identity of a signed-in user: its org.
pub(crate) fn as_org(user: &SignedIn) -> AuthOrg {
    AuthOrg {
        org_id: user.org_id.clone(),
    }
}

/// An API error as a dashboard page, with the API's status and message (internal causes are
/// logged, never shown).
pub(crate) fn problem(user: &SignedIn, nav: Nav, err: ApiError) -> Response {
    let status =
        StatusCode::from_u16(err.code().http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (title, message) = match err {
        ApiError::NotFound(_) => (
            "Not found",
            "There is nothing here for your organization. It may not exist, or it belongs to \
             another organization."
                .to_owned(),
        ),
        ApiError::Internal(cause) => {
            tracing::error!(error = %cause, "dashboard page failed");
            (
                "Something went wrong",
                "The server could not show this page. Try again; if it keeps failing, tell \
                 your operator the time it happened."
                    .to_owned(),
            )
        }
        other => ("Not possible", other.to_string()),
    };
    let body = html! {
        (layout::flash(layout::FlashKind::Problem, &message))
        p { a href="/dashboard/" { "Back to the CDR list" } }
    };
    (status, layout::page(user, title, nav, body)).into_response()
}

/// `Some(text)` for a form field with something in it, trimmed.
pub(crate) fn filled(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}
