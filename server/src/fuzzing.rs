//! Entry points for the cargo-fuzz targets in `fuzz/` (the `fuzzing` feature only).
//!
//! Owns nothing of its own: each function runs exactly the code the server runs on
//! untrusted input, so that the fuzzer exercises the real path rather than a copy. The
//! server never calls these; they exist so that private steps need not become public API.

use axum::http::header::CONTENT_ENCODING;
use axum::http::{HeaderMap, HeaderValue};
use bytes::Bytes;
use expressconsent_protocol::ConsentFacts;
use scraper::Html;

use crate::evidence::consent::{derive, Claims};
use crate::evidence::ingest::{prepare_capture, PreparedCapture};
use crate::evidence::StoredCapture;
use crate::http::error::ApiError;

/// What `POST /v1/captures` does with a body once it has arrived, before anything is
/// stored: `Content-Encoding` (`encoding`, empty for none) within the capture limit, JSON
/// parsing, every limit, the snapshot check and the consent facts — [`prepare_capture`],
/// the very function the route runs on a blocking thread.
pub fn capture_body(encoding: &str, raw: &[u8]) -> Result<PreparedCapture, ApiError> {
    let mut headers = HeaderMap::new();
    if !encoding.is_empty() {
        let value = HeaderValue::from_str(encoding)
            .map_err(|_| ApiError::InvalidArgument("bad Content-Encoding".into()))?;
        headers.insert(CONTENT_ENCODING, value);
    }
    prepare_capture(&headers, Bytes::copy_from_slice(raw))
}

/// The consent facts of `capture` as ingest derives them: its snapshot parsed by html5ever,
/// then judged against what the SDK claimed.
pub fn consent_facts(capture: &StoredCapture) -> ConsentFacts {
    let dom = Html::parse_document(&capture.snapshot.html);
    derive(
        &dom,
        &Claims {
            disclosures: &capture.disclosures,
            consent_checkboxes: &capture.consent_checkboxes,
            trigger: capture.trigger.as_ref(),
            telemetry: &capture.telemetry,
        },
    )
}
