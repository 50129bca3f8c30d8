//! Entry points for the cargo-fuzz targets in `fuzz/` (the `fuzzing` feature only).
//!
//! Owns nothing of its own: each function runs exactly the code a route runs on untrusted
//! input, so that the fuzzer exercises the real path rather than a copy. The server never
//! calls these; they exist so that private steps need not become public API.

use axum::body::Body;
use axum::extract::{FromRequest as _, Request};
use axum::http::header::CONTENT_ENCODING;
use axum::http::Method;
use expressconsent_protocol::{CaptureRequest, MAX_CAPTURE_BYTES};

use crate::body::{parse_json, LimitedBytes};
use crate::error::ApiError;
use crate::ingest::{validate, ValidCapture};

/// What `POST /v1/captures` does with a body before anything is stored: the byte limit,
/// `Content-Encoding` (`encoding`, empty for none), JSON parsing and every limit of
/// [`validate`]. The same steps, in the same order, as [`crate::routes::captures`].
pub async fn capture_body(encoding: &str, raw: &[u8]) -> Result<ValidCapture, ApiError> {
    let mut request = Request::builder().method(Method::POST).uri("/v1/captures");
    if !encoding.is_empty() {
        request = request.header(CONTENT_ENCODING, encoding);
    }
    let request = request
        .body(Body::from(raw.to_vec()))
        .map_err(|err| ApiError::InvalidArgument(err.to_string()))?;
    let LimitedBytes(body) = LimitedBytes::<MAX_CAPTURE_BYTES>::from_request(request, &()).await?;
    validate(parse_json::<CaptureRequest>(&body)?)
}
