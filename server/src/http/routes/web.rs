//! Public, unauthenticated routes: the SDK files, the demo pages and the health check.
//!
//! The SDK is served with `Access-Control-Allow-Origin: *` because the loader, embedded on
//! lead generators' pages, imports the ES module and fetches the wasm cross-origin; the
//! files are public and carry no credentials, so any origin may read them. The build writes
//! each SDK file also gzipped (zopfli) and brotli-compressed beside it (`sdk.js.gz`,
//! `sdk.js.br`); a browser that accepts either gets the smaller file, with
//! `Content-Encoding` set, and one that accepts neither gets the plain file (with
//! `Vary: Accept-Encoding` for caches in between).

use axum::extract::State;
use axum::handler::HandlerWithoutStateExt as _;
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, VARY};
use axum::http::HeaderValue;
use axum::response::{Html, Redirect};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::http::app::AppState;
use crate::http::envelope::Data;
use crate::http::error::ApiError;

/// The public routes; the folders come from the state.
pub fn router(state: &AppState) -> Router<AppState> {
    let sdk = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        // The body depends on Accept-Encoding; a cache in front must know.
        .layer(SetResponseHeaderLayer::overriding(
            VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
        .service(
            ServeDir::new(&state.sdk_dir)
                .precompressed_br()
                .precompressed_gzip()
                .not_found_service(missing_file.into_service()),
        );
    let www = ServeDir::new(&state.www_dir).not_found_service(missing_file.into_service());
    Router::new()
        .route("/healthz", get(health))
        .route("/", get(|| async { Redirect::to("/demo/") }))
        .route("/demo", get(|| async { Redirect::to("/demo/") }))
        .route("/demo/", get(demo_page))
        .nest_service("/sdk/v1", sdk)
        .nest_service("/www", www)
}

async fn health() -> Data<Value> {
    Data(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn missing_file() -> ApiError {
    ApiError::NotFound("no such file".into())
}

/// `demo.html` with the SDK's absolute URL and the demo generator's cid filled in.
async fn demo_page(State(state): State<AppState>) -> Result<Html<String>, ApiError> {
    let demo = state.demo.as_ref().ok_or_else(|| {
        ApiError::NotFound("the demo is off; start the server with --demo (or EC_DEMO=1)".into())
    })?;
    let path = state.www_dir.join("demo.html");
    let template = tokio::fs::read_to_string(&path).await.map_err(|err| {
        tracing::warn!(path = %path.display(), error = %err, "cannot read the demo page");
        ApiError::NotFound("demo.html is missing from the www folder (EC_WWW_DIR)".into())
    })?;
    let sdk_src = format!("{}/sdk/v1/sdk.js", state.public_url);
    Ok(Html(
        template
            .replace("{{EC_SDK_SRC}}", &sdk_src)
            .replace("{{EC_CID}}", &demo.generator.org_id),
    ))
}
