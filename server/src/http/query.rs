//! The URL's parts: path parameters and query strings, parsed into typed values.
//!
//! Owns how they turn into a value or into an envelope error, so that no request gets
//! axum's plain-text rejections. A query parameter of the wrong type (`pageSize=abc`,
//! `order=sideways`) is `INVALID_ARGUMENT` with serde's message, which names the
//! parameter; unknown parameters are ignored. A path parameter that cannot be read (not
//! valid UTF-8 once percent-decoded, e.g. `/v1/cdrs/%FF%FE`) names nothing this server
//! could hold, so it is `NOT_FOUND`, like an id of the wrong shape.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use expressconsent_protocol::SortOrder;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::http::error::ApiError;
use crate::http::pagination::{List, PageRequest};

/// A query string parsed into `T`.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(value)| Self(value))
            .map_err(|rejection| {
                ApiError::InvalidArgument(format!("invalid query: {}", rejection.body_text()))
            })
    }
}

/// A path parameter parsed into `T` (usually `String`), answering `NOT_FOUND` in the
/// envelope when it cannot be.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| Self(value))
            .map_err(|rejection| {
                tracing::debug!(%rejection, "unreadable path parameter");
                ApiError::NotFound("nothing is at this path: it is not valid UTF-8".into())
            })
    }
}

/// `pageSize`, `order` and `pageToken` of a paginated list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct PageQuery {
    /// Rows per page, 1–100; default 20.
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
    /// `desc` (newest first, the default) or `asc`.
    #[param(inline)]
    pub order: Option<SortOrder>,
    /// `nextPageToken` of the previous page, with the same `order`.
    pub page_token: Option<String>,
}

impl PageQuery {
    /// The checked page request for `list`.
    pub fn page(&self, list: List) -> Result<PageRequest, ApiError> {
        PageRequest::parse(list, self.page_size, self.order, self.page_token.as_deref())
            .map_err(ApiError::InvalidArgument)
    }
}
