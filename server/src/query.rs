//! Query strings: the `?…` of list endpoints, parsed into typed structs.
//!
//! Owns how a query string turns into a value or into an envelope error: a parameter of
//! the wrong type (`pageSize=abc`, `order=sideways`) is `INVALID_ARGUMENT` with serde's
//! message, which names the parameter. Unknown parameters are ignored.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use expressconsent_protocol::SortOrder;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::pagination::{List, PageRequest};

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
