//! `GET /v1/openapi.json`: the document of [`crate::http::openapi`], public.
//!
//! Served as the bare OpenAPI JSON, not inside the envelope, so that tools (code
//! generators, Swagger UI) can read it directly.

use std::sync::Arc;

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::Extension;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::app::AppState;

/// The rendered document, put in the request extensions by [`crate::http::app::app`] once the
/// router (and with it the document) is complete.
#[derive(Debug, Clone)]
pub struct Document(pub Arc<str>);

/// The document route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi_json))
}

/// This OpenAPI document.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of the API.", content_type = "application/json", body = Object))
)]
async fn openapi_json(Extension(Document(json)): Extension<Document>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], json.to_string())
}
