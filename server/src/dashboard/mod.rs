//! The web dashboard at `/dashboard/`: server-rendered pages for people (generators and
//! buyers) who sign in with an email and a password.
//!
//! | module | owns |
//! |---|---|
//! | [`session`] | who is signed in: the session cookie, the [`session::SignedIn`] extractor, CSRF-checked forms |
//! | [`layout`] | the page shell (navigation, styles, script) every page shares |
//! | [`pages`] | one module per page: CDRs, one CDR, claim, packages, billing, settings |
//!
//! Pages are HTML rendered on the server with maud (templates checked by the compiler, no
//! template files to ship, no build step for users) and a little progressive JavaScript
//! served from this binary; nothing comes from a CDN. Every page reads through the same
//! database functions and rules as the API, so what a person sees is what the org's API
//! key would get.

pub mod layout;
pub mod pages;
pub mod session;

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::http::app::AppState;

/// The dashboard's routes, mounted at the root of the server.
///
/// Every response is kept out of caches (pages show evidence and the CSRF token; a shared
/// computer's back button must not show them after sign-out) and may not be framed by
/// another site (clickjacking). A route may set its own values instead (the static files
/// are cacheable).
pub fn router() -> Router<AppState> {
    let header =
        |name, value| SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value));
    Router::new()
        .route("/dashboard", get(|| async { Redirect::to("/dashboard/") }))
        .route("/dashboard/static/app.css", get(stylesheet))
        .route("/dashboard/static/app.js", get(script))
        .merge(session::router())
        .merge(pages::router())
        .layer(header(CACHE_CONTROL, "no-store"))
        .layer(header(X_FRAME_OPTIONS, "DENY"))
        .layer(header(
            CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             frame-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; \
             form-action 'self'",
        ))
        .layer(header(X_CONTENT_TYPE_OPTIONS, "nosniff"))
}

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", include_str!("static/app.css"))
}

async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("static/app.js"),
    )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}
