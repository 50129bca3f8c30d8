//! The body of `GET /v1/packages/:packageId`: one consumer session's CDRs.

#[allow(unused_imports)]
use crate::prelude::*;
use serde::{Deserialize, Serialize};

use crate::share::Access;

/// A session package (or sub-group package) as one org may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PackageDetails {
    /// `pkg_…`, the session's or a sub-group's.
    pub package_id: String,
    /// The package's CDRs that the calling org has any relation to, oldest first: the
    /// session's timeline of consent steps.
    pub cdrs: Vec<PackageCdr>,
}

/// One step of a package's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PackageCdr {
    /// `cdr_…`.
    pub cdr_id: String,
    /// The registered domain the page was on.
    pub domain_id: String,
    /// The page's URL as the SDK reported it.
    pub page_url: String,
    /// Receive time, epoch milliseconds.
    pub created_at: i64,
    /// Milliseconds since the first CDR of this list.
    pub offset_ms: i64,
    /// The calling org's relation to this CDR.
    pub access: Access,
}
