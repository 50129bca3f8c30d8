//! The API's error type and its one mapping to HTTP.
//!
//! Owns how every failure looks on the wire: `{ ok: false, error: { code, message,
//! requestId } }` with the status of [`ErrorCode::http_status`]. Internal failures are
//! logged with their cause and answered with a generic message, so database or storage
//! details never reach a client.

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use expressconsent_protocol::{ErrorBody, ErrorCode, Failure};

use crate::http::envelope::current_request_id;
use crate::sharing::rules::Refusal;

/// A failure of a request, as the client will see it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401: no API key, or one that does not authenticate.
    #[error("{0}")]
    Unauthenticated(String),
    /// 403: the caller is known (or the origin is checked) but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 400: malformed request or a broken limit.
    #[error("{0}")]
    InvalidArgument(String),
    /// 404: nothing there, or nothing the caller has a relation to.
    #[error("{0}")]
    NotFound(String),
    /// 405: the path exists, the method does not.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 409: the request conflicts with what is stored (an idempotency key reused for a
    /// different capture).
    #[error("{0}")]
    Conflict(String),
    /// 410: an expired share link.
    #[error("{0}")]
    Gone(String),
    /// 412: the resource is not in a state that allows this yet.
    #[error("{0}")]
    FailedPrecondition(String),
    /// 413: the body is larger than the endpoint accepts.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 408: the request body did not arrive in time.
    #[error("{0}")]
    RequestTimeout(String),
    /// 429: too many requests; try again after `retry_after_secs`.
    #[error("{message}")]
    RateLimited {
        /// What was limited.
        message: String,
        /// Seconds until a request may succeed (the `Retry-After` header).
        retry_after_secs: u64,
    },
    /// 500: the cause is logged, never returned.
    #[error("internal error: {0}")]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::InvalidArgument(_) => ErrorCode::InvalidArgument,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::MethodNotAllowed(_) => ErrorCode::MethodNotAllowed,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::Gone(_) => ErrorCode::Gone,
            Self::FailedPrecondition(_) => ErrorCode::FailedPrecondition,
            Self::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            Self::RequestTimeout(_) => ErrorCode::RequestTimeout,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// What the client hears when the rules refuse it something about `cdr_id`. No
    /// relation is `NOT_FOUND`, worded so it does not reveal whether the CDR exists; a
    /// relation without download access is `FORBIDDEN` and says how to get it.
    pub fn refused(cdr_id: &str, refusal: Refusal) -> Self {
        let collect =
            format!("collect it with POST /v1/cdrs/{cdr_id}/collect (this bills your org once)");
        match refusal {
            Refusal::NoRelation => Self::NotFound(format!("no CDR {cdr_id} for this org")),
            Refusal::NotCollected => Self::Forbidden(format!(
                "{cdr_id} is saved to your org but not collected; {collect} to download or \
                 share it"
            )),
            Refusal::OwnerUnpaid => Self::Forbidden(format!(
                "your org captured {cdr_id} with auto-collect off and has not paid for it; \
                 {collect} to download it"
            )),
        }
    }

    /// Wraps any failure the client cannot act on.
    pub fn internal(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(err.into())
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        Self::internal(err)
    }
}

impl From<object_store::Error> for ApiError {
    fn from(err: object_store::Error) -> Self {
        Self::internal(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.code();
        let retry_after = match &self {
            Self::RateLimited {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        };
        let message = match self {
            Self::Internal(cause) => {
                tracing::error!(error = %cause, "request failed");
                "the server failed to handle this request; quote the requestId to support"
                    .to_owned()
            }
            other => other.to_string(),
        };
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = Failure {
            ok: false,
            error: ErrorBody {
                code,
                message,
                request_id: current_request_id(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        response
    }
}

/// Fallback for unknown paths.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint; the API lives under /v1".into())
}

/// Fallback for a known path called with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed("this endpoint does not accept that method".into())
}
