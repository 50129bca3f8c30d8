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
    /// The CDR's index in the transparency log (`/log/`); null until it is sequenced,
    /// within about a second of ingest.
    #[serde(default)]
    pub log_index: Option<u64>,
    /// The CDR's `c2sp.org/tlog-proof@v1` document (`GET /v1/cdrs/{cdrId}/proof`), an
    /// absolute URL; null until it is sequenced.
    #[serde(default)]
    pub proof_url: Option<String>,
    /// The consent facts the server derived from the captured DOM at ingest.
    #[serde(flatten)]
    pub facts: ConsentFacts,
    /// The calling org's relation to the CDR.
    pub access: Access,
    /// Whether the calling org captured the CDR.
    pub is_owner: bool,
    /// Whether the calling org may download the evidence (`paid` or `free`).
    pub can_download: bool,
    /// The stylesheets, fonts and images the snapshot references, as the server archived
    /// them after ingest (empty until archiving has run). What the evidence image and the
    /// report show is rendered from these bytes, never fetched again.
    pub assets: Vec<ArchivedAsset>,
    /// The evidence image once rendered (`GET /v1/cdrs/{cdrId}/image`): its size and where
    /// the trigger (and highlighted element) are outlined; `null` until then.
    pub image: Option<ImageInfo>,
}

/// The rendered evidence image: the full page at the captured viewport width and device
/// pixel ratio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImageInfo {
    /// Width in pixels (viewport width × device pixel ratio).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The page was taller than 16,384 device pixels and the image stops there.
    pub truncated: bool,
    /// The outlined boxes in image pixels (outline included): the trigger control, then
    /// the `highlightTarget` element, those that were found.
    pub outlined: Vec<OutlinedBox>,
}

/// A rectangle in image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutlinedBox {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// `202` answer of the image and report endpoints while the artefact is being made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RenderPending {
    /// Always `pending`.
    pub status: String,
    /// When to ask again, in seconds (also the `Retry-After` header).
    pub retry_after_seconds: u64,
}

/// One URL a snapshot (or one of its stylesheets) referenced, and what the archive did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ArchivedAsset {
    /// The URL as referenced, resolved, without its fragment.
    pub url: String,
    /// `archived`, `refused` (an address the server may not fetch), `failed` (network or
    /// HTTP error), `too_large` (over 5 MiB) or `skipped` (over the CDR's budget).
    pub status: String,
    /// The final HTTP status, when an answer came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The answer's `Content-Type`, when archived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Hex SHA-256 of the archived bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Their size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// What the server derived from a capture's DOM once, at ingest, and stored with the CDR.
/// The SDK's own lists are only a cross-check: where they disagree with the snapshot, the
/// snapshot wins and `discrepancies` says so.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct ConsentFacts {
    /// Every `data-ec-disclosure` element of the snapshot (at most 50), in document order,
    /// with the consent mechanism the server derived for it.
    pub disclosures: Vec<DisclosureFacts>,
    /// Every `data-ec-consent-checkbox` of the snapshot (at most 50), in document order,
    /// with its state as the markup shows it.
    pub consent_checkboxes: Vec<ConsentCheckbox>,
    /// The element and event that caused the capture, when the SDK recorded one, and what
    /// the snapshot says about that element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<TriggerFacts>,
    /// How the form was filled in, as the SDK observed it.
    pub telemetry: Telemetry,
    /// Where the SDK's report disagrees with the snapshot (empty when they agree).
    pub discrepancies: Vec<Discrepancy>,
}

/// One disclosure of the snapshot and what the server concluded from it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DisclosureFacts {
    /// `id` and `text` as the snapshot's markup has them; visibility, font size and
    /// contrast as the SDK measured them (only a browser can).
    #[serde(flatten)]
    pub captured: Disclosure,
    /// The SDK reported measurements for this disclosure. When `false` the SDK's list
    /// left it out, its measurements are zero and it counts as not seen.
    pub measured: bool,
    /// How the consumer consented to this disclosure, derived by the server.
    pub consent_mechanism: ConsentMechanism,
}

/// The recorded trigger, checked against the snapshot.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct TriggerFacts {
    /// What the SDK recorded.
    #[serde(flatten)]
    pub reported: Trigger,
    /// `selector` finds an element in the snapshot.
    pub in_snapshot: bool,
    /// That element is, or is inside, a `data-ec-submit` control of the snapshot.
    pub submit_control: bool,
}

/// One disagreement between the SDK's report and the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Discrepancy {
    /// What disagrees.
    pub kind: DiscrepancyKind,
    /// The disclosure id, the checkbox's `data-ec-consent-for` or the trigger's selector.
    pub subject: String,
    /// The disagreement in words.
    pub message: String,
}

/// The kinds of [`Discrepancy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DiscrepancyKind {
    /// A disclosure of the snapshot that the SDK's list left out.
    DisclosureNotReported,
    /// A disclosure in the SDK's list that the snapshot does not have.
    DisclosureNotInSnapshot,
    /// The SDK's text of a disclosure is not the snapshot's (compared without whitespace
    /// and case).
    DisclosureTextDiffers,
    /// A consent checkbox whose state in the SDK's list is not the markup's.
    CheckboxStateDiffers,
    /// A consent checkbox of the snapshot that the SDK's list left out.
    CheckboxNotReported,
    /// A consent checkbox in the SDK's list that the snapshot does not have.
    CheckboxNotInSnapshot,
    /// The trigger's selector finds no element in the snapshot.
    TriggerNotInSnapshot,
    /// The SDK says the trigger is a `data-ec-submit` control; the snapshot says not.
    TriggerNotSubmitControl,
    /// More `data-ec-disclosure` or `data-ec-consent-checkbox` elements than are listed.
    TooManyTagged,
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
    /// No trusted submit found in the snapshot, or the disclosure was not seen.
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
