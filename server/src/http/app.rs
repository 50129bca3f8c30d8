//! The application: shared state and the router that ties the route modules together.
//!
//! Owns the order of the cross-cutting layers (request id outermost, so that every
//! envelope, including the fallbacks', carries it; then tracing) and the fallbacks that
//! turn unknown paths and wrong methods into envelopes. The OpenAPI document is rendered
//! here once, from the same route list the router is built from ([`routes::api`]). Tests
//! build the same router with [`app`] and serve it on port 0.

use std::path::PathBuf;
use std::sync::Arc;

use axum::{middleware, Extension, Router};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::db::Db;
use crate::evidence::store::EvidenceStore;
use crate::http::envelope::with_request_id;
use crate::http::error::{method_not_allowed, not_found};
use crate::http::guard::CaptureGuard;
use crate::http::openapi::finish;
use crate::http::routes;
use crate::http::routes::openapi::Document;
use crate::orgs::demo::DemoCredentials;

/// What every handler may use; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Metadata.
    pub db: Db,
    /// Evidence bytes.
    pub store: EvidenceStore,
    /// Base of absolute URLs handed out (share URLs, the SDK's URL), no trailing slash.
    pub public_url: Arc<str>,
    /// Folder served at `/sdk/v1/`.
    pub sdk_dir: PathBuf,
    /// Folder of the demo pages.
    pub www_dir: PathBuf,
    /// The demo orgs, when the server runs with `--demo`.
    pub demo: Option<Arc<DemoCredentials>>,
    /// Rate limits, concurrency and timeouts of `POST /v1/captures`.
    pub capture_guard: Arc<CaptureGuard>,
    /// The background queue's settings (ingest enqueues a CDR's first job).
    pub jobs: Arc<crate::jobs::JobsConfig>,
    /// Wakes this process's workers when a request enqueued a job.
    pub wakeup: crate::jobs::worker::Wakeup,
    /// What outbound requests (asset archive, webhooks) may reach.
    pub outbound: crate::net::NetPolicy,
    /// Whether evidence images and reports are rendered (`EC_RENDER`).
    pub render: bool,
    /// The match key and default phone region of lead fingerprints
    /// ([`crate::evidence::lead`]).
    pub matcher: Arc<crate::evidence::lead::Matcher>,
    /// The transparency log: its key and witnesses ([`crate::log`]).
    pub log: crate::log::LogState,
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let (api, doc) = routes::api(&state).split_for_parts();
    let doc = finish(doc, &state.public_url);
    let json = doc.to_json().expect("the OpenAPI document serializes");
    Router::new()
        .merge(api.layer(Extension(Document(json.into()))))
        .merge(routes::web::router(&state))
        .merge(crate::log::routes::router())
        .merge(crate::dashboard::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(TraceLayer::new_for_http().on_response(DefaultOnResponse::new().level(Level::INFO)))
        .layer(middleware::from_fn(with_request_id))
        .with_state(state)
}
