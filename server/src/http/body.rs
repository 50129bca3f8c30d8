//! Request bodies: read with a byte limit, decompressed, parsed as JSON.
//!
//! Owns how a body turns into a value or into an envelope error: larger than the limit →
//! 413 `PAYLOAD_TOO_LARGE`; slower than its timeout (captures) → 408 `REQUEST_TIMEOUT`;
//! not a JSON object, or the wrong shape → 400 `INVALID_ARGUMENT` with serde's message
//! (which names the field and position). Unlike axum's `Json`, it does not
//! insist on a JSON content type, because a browser may send `text/plain` to skip a CORS
//! preflight.

use std::io::Read as _;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use serde::de::DeserializeOwned;

use crate::http::error::ApiError;

/// The limit of every JSON body except captures.
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// The raw body, decompressed (`gzip` or `deflate`), at most `LIMIT` bytes both before and
/// after decompression.
#[derive(Debug)]
pub struct LimitedBytes<const LIMIT: usize>(pub Bytes);

impl<S: Send + Sync, const LIMIT: usize> FromRequest<S> for LimitedBytes<LIMIT> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, raw) = read_raw(request, LIMIT, None).await?;
        decode(&parts.headers, raw, LIMIT).map(Self)
    }
}

/// Reads a body as sent (still compressed), at most `limit` bytes and, with a `timeout`,
/// within that time: a slow or stalled body is 408 `REQUEST_TIMEOUT` rather than a
/// connection and a buffer held forever.
pub async fn read_raw(
    request: Request,
    limit: usize,
    timeout: Option<Duration>,
) -> Result<(Parts, Bytes), ApiError> {
    let (parts, body) = request.into_parts();
    // Refuse before reading when the client announces the size.
    let announced = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok());
    if announced
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|len| len > limit)
    {
        return Err(too_large(limit));
    }
    let collect = Limited::new(body, limit).collect();
    let collected = match timeout {
        Some(timeout) => tokio::time::timeout(timeout, collect).await.map_err(|_| {
            ApiError::RequestTimeout(format!(
                "the request body did not arrive within {} ms",
                timeout.as_millis()
            ))
        })?,
        None => collect.await,
    };
    let raw = match collected {
        Ok(collected) => collected.to_bytes(),
        Err(err) if err.is::<LengthLimitError>() => return Err(too_large(limit)),
        Err(_) => {
            return Err(ApiError::InvalidArgument(
                "the request body was cut off".into(),
            ))
        }
    };
    Ok((parts, raw))
}

/// Undoes `Content-Encoding`, bounding the output so a small bomb cannot fill memory.
pub fn decode(headers: &HeaderMap, raw: Bytes, limit: usize) -> Result<Bytes, ApiError> {
    let encoding = headers
        .get(CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let reader: Box<dyn std::io::Read> = match encoding.trim().to_ascii_lowercase().as_str() {
        "" | "identity" => return Ok(raw),
        "gzip" | "x-gzip" => Box::new(flate2::read::GzDecoder::new(&raw[..])),
        "deflate" => Box::new(flate2::read::ZlibDecoder::new(&raw[..])),
        other => {
            return Err(ApiError::InvalidArgument(format!(
                "unsupported Content-Encoding {other:?}; send gzip, deflate or no encoding"
            )))
        }
    };
    let mut out = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| ApiError::InvalidArgument(format!("the body is not valid {encoding} data")))?;
    if out.len() > limit {
        return Err(too_large(limit));
    }
    Ok(out.into())
}

fn too_large(limit: usize) -> ApiError {
    ApiError::PayloadTooLarge(format!("the request body is larger than {limit} bytes"))
}

/// Parses JSON bytes into `T`, naming what was wrong. Every request body of the API is a
/// JSON object: serde's derive would also take a struct from an array of its fields in
/// order (`[false]` for `{"autoCollect": false}`), so anything whose first token is not
/// `{` is refused here, for every route at once, and nested structs are read only from
/// objects too ([`crate::http::json`]).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(ApiError::InvalidArgument(
            "the request body must be a JSON object ({ … })".into(),
        ));
    }
    crate::http::json::from_slice(bytes)
        .map_err(|err| ApiError::InvalidArgument(format!("invalid JSON body: {}", plain(&err))))
}

/// serde's message without the Rust type it names ("expected struct PageInfo" → "expected
/// a JSON object"): the field and position it also gives are what the client needs.
fn plain(err: &serde_json::Error) -> String {
    let message = err.to_string();
    let Some((before, after)) = message.split_once("expected struct ") else {
        return message;
    };
    let rest = after.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
    format!("{before}expected a JSON object{rest}")
}

/// A required JSON body of at most [`MAX_JSON_BYTES`].
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let LimitedBytes(bytes) =
            LimitedBytes::<MAX_JSON_BYTES>::from_request(request, state).await?;
        parse_json(&bytes).map(Self)
    }
}

/// An optional JSON body of at most [`MAX_JSON_BYTES`]: an empty (or all-whitespace) body
/// means `T::default()`, so `curl -X POST` without `-d` works.
#[derive(Debug)]
pub struct OptionalJsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let LimitedBytes(bytes) =
            LimitedBytes::<MAX_JSON_BYTES>::from_request(request, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(T::default()));
        }
        parse_json(&bytes).map(Self)
    }
}
