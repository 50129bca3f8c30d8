//! Bodies of the dashboard's API: every CDR an org has a relation to (`GET /v1/cdrs`),
//! finding CDRs by a lead's email or phone (`POST /v1/cdrs/search`) and checking a lead
//! against one CDR (`POST /v1/cdrs/:cdrId/match`).

#[allow(unused_imports)]
use crate::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cdr::ConsentMechanism;
use crate::share::Access;

/// One CDR in the org's list: what [`crate::CdrSummary`] has, plus who owns it and how
/// consent was given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RelatedCdrSummary {
    /// `cdr_…`.
    pub cdr_id: String,
    /// The capturing org (`cid_…`), which owns the CDR.
    pub org_id: String,
    /// The registered domain the page was on.
    pub domain_id: String,
    /// The session package.
    pub package_id: String,
    /// Receive time, epoch milliseconds.
    pub created_at: i64,
    /// The page's URL as the SDK reported it.
    pub page_url: String,
    /// The `custom` object, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
    /// The calling org's relation to the CDR (as in [`crate::CdrSummary`]).
    pub access: Access,
    /// The same relation under the name the `relation` filter uses.
    pub relation: Access,
    /// Whether the calling org captured the CDR.
    pub is_owner: bool,
    /// The distinct consent mechanisms the server derived for the CDR's disclosures, in
    /// the order first met (empty when the page had no tagged disclosure).
    pub consent_mechanisms: Vec<ConsentMechanism>,
}

/// `GET /v1/cdrs` and `POST /v1/cdrs/search` result: one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RelatedCdrPage {
    /// At most `pageSize` CDRs, in the requested order.
    pub cdrs: Vec<RelatedCdrSummary>,
    /// Pass as `pageToken` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// `POST /v1/cdrs/search` body. Personal data travels in the body, never in a URL.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LeadSearch {
    /// The lead's email address (compared trimmed and lower-cased).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 320))]
    pub email: Option<String>,
    /// The lead's phone number, in any usual spelling (`+1 555 201 8890`,
    /// `(555) 201-8890`); numbers without a country code are read in the server's default
    /// region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub phone: Option<String>,
    /// Rows per page, 1–100; default 20.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
    pub page_size: Option<u32>,
    /// `nextPageToken` of the previous page of the same search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_token: Option<String>,
}

/// `POST /v1/cdrs/:cdrId/match` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LeadMatchRequest {
    /// The lead's email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 320))]
    pub email: Option<String>,
    /// The lead's phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub phone: Option<String>,
}

/// `POST /v1/cdrs/:cdrId/match` result: for each kind asked, whether the CDR's form held
/// that value. `null`: not asked, or the CDR has no value of that kind (no such field, or
/// the field was masked).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LeadMatch {
    /// `true`: one of the CDR's email fields held this address.
    pub email: Option<bool>,
    /// `true`: one of the CDR's phone fields held this number.
    pub phone: Option<bool>,
}
