//! The request id and the success side of the JSON envelope.
//!
//! Owns the per-request id: a middleware mints it, keeps it in a task-local for the
//! duration of the request (so that both [`Data`] and [`crate::http::error::ApiError`] can put
//! it in their bodies without threading it through every handler), names the tracing span
//! after it and echoes it in the `x-request-id` response header.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Json, Response};
use expressconsent_protocol::Success;
use serde::Serialize;
use tracing::Instrument as _;

use crate::orgs::ids::{new_id, IdKind};

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served, or `"-"` outside of one (which only happens for
/// responses built by layers outside the middleware, e.g. CORS preflights).
pub fn current_request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "-".to_owned())
}

/// Middleware: mints the request id and runs the rest of the stack inside its scope.
pub async fn with_request_id(request: Request, next: Next) -> Response {
    let id = new_id(IdKind::Request);
    let span = tracing::info_span!("request", id = %id);
    let mut response = REQUEST_ID
        .scope(id.clone(), next.run(request).instrument(span))
        .await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// A successful answer: `{ "ok": true, "data": …, "requestId": "…" }` with status 200.
#[derive(Debug)]
pub struct Data<T>(pub T);

impl<T: Serialize> IntoResponse for Data<T> {
    fn into_response(self) -> Response {
        Json(Success {
            ok: true,
            data: self.0,
            request_id: current_request_id(),
        })
        .into_response()
    }
}
