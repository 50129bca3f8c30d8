//! Bodies of the CDR endpoints: a CDR's metadata, collecting it, and listing an org's CDRs.

#[allow(unused_imports)]
use crate::prelude::*;
use serde::{Deserialize, Serialize};

use crate::capture::{ConsentCheckbox, Disclosure, Telemetry, Trigger};
use crate::share::Access;

/// `GET /v1/cdrs/:cdrId`: what an org with any relation to a CDR may know about it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CdrDetails {
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
    /// The `custom` object given to `captureCDR`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
    /// Hex SHA-256 of the stored evidence, computed by the server at ingest.
    pub content_sha256: String,
    /// Size of the stored evidence in bytes.
    pub size_bytes: i64,
    /// The IP address the upload came from.
    pub received_ip: String,
    /// The upload's `User-Agent` header.
    pub user_agent: String,
    /// Every `data-ec-disclosure` on the page, as captured, with the consent mechanism the
    /// server derived for it.
    pub disclosures: Vec<DisclosureFacts>,
    /// Every `data-ec-consent-checkbox` on the page, as captured.
    pub consent_checkboxes: Vec<ConsentCheckbox>,
    /// The element and event that caused the capture, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Trigger>,
    /// How the form was filled in.
    pub telemetry: Telemetry,
    /// The calling org's relation to the CDR.
    pub access: Access,
    /// Whether the calling org captured the CDR.
    pub is_owner: bool,
    /// Whether the calling org may download the evidence (`paid` or `free`).
    pub can_download: bool,
}

/// One disclosure as captured, and what the server concluded from the captured DOM.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DisclosureFacts {
    /// The SDK's measurements: id, text, visibility, font size, contrast.
    #[serde(flatten)]
    pub captured: Disclosure,
    /// How the consumer consented to this disclosure, derived by the server.
    pub consent_mechanism: ConsentMechanism,
}

/// How consent to one disclosure was given, as the server derives it from the captured DOM
/// (rules in `server/src/consent.rs` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentMechanism {
    /// The bound checkbox was checked at a trusted submit of a visible disclosure.
    Checkbox,
    /// No checkbox; a `data-ec-submit` control was pressed by a trusted event while the
    /// disclosure was visible.
    ClickThrough,
    /// A bound checkbox was not checked.
    Unchecked,
    /// No trusted submit, or the disclosure was not visible.
    NotDetected,
}

/// `POST /v1/cdrs/:cdrId/collect` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CollectResult {
    /// The collected CDR.
    pub cdr_id: String,
    /// The caller's relation afterwards: `paid`, or `free` when it already had free access.
    pub access: Access,
    /// Whether this call wrote the one billing event of this org for this CDR.
    pub billed: bool,
    /// The caller already had download access (or a concurrent call billed it); nothing
    /// was billed by this call.
    pub already_collected: bool,
}

/// One CDR in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CdrSummary {
    /// `cdr_…`.
    pub cdr_id: String,
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
    /// The calling org's relation to the CDR.
    pub access: Access,
}

/// `GET /v1/domains/:domainId/cdrs` result: one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CdrPage {
    /// At most `pageSize` CDRs, in the requested order.
    pub cdrs: Vec<CdrSummary>,
    /// Pass as `pageToken` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// The order of a list by creation time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Oldest first.
    Asc,
    /// Newest first (the default).
    #[default]
    Desc,
}
