//! The dashboard's pages, one module each.

use axum::Router;

use crate::http::app::AppState;

/// Every page behind sign-in.
pub fn router() -> Router<AppState> {
    Router::new()
}
