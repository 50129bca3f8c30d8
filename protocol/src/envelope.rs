//! The JSON envelope around every API response, and the stable error codes.

#[allow(unused_imports)]
use crate::prelude::*;
use serde::{Deserialize, Serialize};

/// A successful response: `{ "ok": true, "data": …, "requestId": "…" }`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Success<T> {
    /// Always `true`.
    pub ok: bool,
    /// The payload.
    pub data: T,
    /// Identifies the request in the server's logs.
    pub request_id: String,
}

/// A failed response: `{ "ok": false, "error": { "code", "message", "requestId" } }`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// Always `false`.
    pub ok: bool,
    /// What went wrong.
    pub error: ErrorBody,
}

/// The body of a [`Failure`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Stable, machine-readable code.
    pub code: ErrorCode,
    /// A human message: what was wrong and how to fix it. Never internals.
    pub message: String,
    /// Identifies the request in the server's logs.
    pub request_id: String,
}

/// Either side of the envelope, for clients that read responses.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Envelope<T> {
    /// `ok: true`.
    Success(Success<T>),
    /// `ok: false`.
    Failure(Failure),
}

/// The stable error codes of the API, each with one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// 401: no API key, a malformed one, or one that is unknown or revoked.
    Unauthenticated,
    /// 403: the caller is known but may not do this.
    Forbidden,
    /// 400: the request is malformed or breaks a limit.
    InvalidArgument,
    /// 404: no such thing, or nothing the caller has a relation to.
    NotFound,
    /// 405: the path exists but not with this method.
    MethodNotAllowed,
    /// 408: the request body did not arrive in time; sending it again may succeed.
    RequestTimeout,
    /// 409: the request conflicts with existing state.
    Conflict,
    /// 410: the share link has expired.
    Gone,
    /// 413: the body is larger than the endpoint accepts.
    PayloadTooLarge,
    /// 412: the state of the resource does not allow this yet.
    FailedPrecondition,
    /// 429: too many requests; `Retry-After` says when to try again.
    RateLimited,
    /// 500: the server failed; details are in its logs only.
    Internal,
}

impl ErrorCode {
    /// The HTTP status that carries this code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::InvalidArgument => 400,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::RequestTimeout => 408,
            Self::Conflict => 409,
            Self::Gone => 410,
            Self::PayloadTooLarge => 413,
            Self::FailedPrecondition => 412,
            Self::RateLimited => 429,
            Self::Internal => 500,
        }
    }

    /// The code as it appears on the wire, e.g. `"INVALID_ARGUMENT"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::InvalidArgument => "INVALID_ARGUMENT",
            Self::NotFound => "NOT_FOUND",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::RequestTimeout => "REQUEST_TIMEOUT",
            Self::Conflict => "CONFLICT",
            Self::Gone => "GONE",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::FailedPrecondition => "FAILED_PRECONDITION",
            Self::RateLimited => "RATE_LIMITED",
            Self::Internal => "INTERNAL",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_wire_names() {
        for code in [
            ErrorCode::InvalidArgument,
            ErrorCode::PayloadTooLarge,
            ErrorCode::Gone,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn an_envelope_reads_either_side() {
        let ok: Envelope<u8> =
            serde_json::from_str(r#"{"ok":true,"data":7,"requestId":"r"}"#).unwrap();
        assert!(matches!(ok, Envelope::Success(Success { data: 7, .. })));
        let err: Envelope<u8> = serde_json::from_str(
            r#"{"ok":false,"error":{"code":"GONE","message":"m","requestId":"r"}}"#,
        )
        .unwrap();
        assert!(matches!(err, Envelope::Failure(f) if f.error.code == ErrorCode::Gone));
    }
}
