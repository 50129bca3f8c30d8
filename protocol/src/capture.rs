//! The capture upload (`POST /v1/captures?cid=…`) and its result.
//!
//! Everything the SDK observed is sent; the server derives its own conclusions (for
//! instance the consent mechanism) from the snapshot rather than trusting client claims.

#[allow(unused_imports)]
use crate::prelude::*;
use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The body of `POST /v1/captures`. The org is named by the `cid` query parameter so that a
/// CORS preflight, which has no body, can already be answered per org.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CaptureRequest {
    /// Unique per capture attempt; a retry with the same key yields the same CDR. 1 to
    /// 128 characters, not all blank.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 128,
            pattern = r"[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
        )
    )]
    pub idempotency_key: String,
    /// The per-tab session this capture belongs to (`pkg_…`). 1 to 128 characters, not
    /// all blank.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 128,
            pattern = r"[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
        )
    )]
    pub package_id: String,
    /// Sub-group packages this capture joins (at most 5, unique, none blank).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_items = 5))]
    pub sub_group_ids: Vec<String>,
    /// Mint a share link during the upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_share: Option<AutoShare>,
    /// Caller-supplied metadata, at most 16 KiB as JSON; top-level keys are filterable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
    /// Where and on what the page was shown.
    pub page: PageInfo,
    /// What the page looked like at submit.
    pub snapshot: Snapshot,
    /// Every element tagged `data-ec-disclosure`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub disclosures: Vec<Disclosure>,
    /// Every element tagged `data-ec-consent-checkbox`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub consent_checkboxes: Vec<ConsentCheckbox>,
    /// The element and event that caused the capture, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Trigger>,
    /// The `highlightTarget` option: the `data-expressconsent-highlight-label` value of the
    /// element to outline in the evidence image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub highlight_target: Option<String>,
    /// How the form was filled in since the page loaded.
    #[serde(default)]
    pub telemetry: Telemetry,
    /// Version of the SDK that made the capture.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub sdk_version: String,
}

/// `autoShare` after the SDK normalised `true` to `{}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AutoShare {
    /// Lifetime of the link in milliseconds: 1 to 63,072,000,000 (two years of 365
    /// days); absent means 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 63_072_000_000_u64))]
    pub expires_in_ms: Option<u64>,
}

/// Environment of the page at capture time.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct PageInfo {
    /// `location.href`.
    #[cfg_attr(feature = "openapi", schema(max_length = 8192))]
    pub url: String,
    /// `document.title`.
    #[cfg_attr(feature = "openapi", schema(max_length = 1024))]
    pub title: String,
    /// `document.referrer`.
    #[cfg_attr(feature = "openapi", schema(max_length = 8192))]
    pub referrer: String,
    /// `navigator.userAgent`.
    #[cfg_attr(feature = "openapi", schema(max_length = 1024))]
    pub user_agent: String,
    /// `navigator.language`.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub language: String,
    /// IANA time zone of the browser, e.g. `America/New_York`.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub time_zone: String,
    /// Layout viewport in CSS pixels.
    pub viewport: Size,
    /// Screen size in CSS pixels.
    pub screen: Size,
    /// `window.devicePixelRatio`.
    pub device_pixel_ratio: f64,
    /// Client clock at capture, epoch milliseconds.
    pub captured_at: f64,
    /// Client clock when the page started loading, epoch milliseconds.
    pub loaded_at: f64,
}

/// A width and height in CSS pixels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct Size {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// The serialized page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct Snapshot {
    /// One HTML document with live form state, scripts and handlers removed.
    pub html: String,
    /// Window scroll offset at capture.
    pub scroll_x: f64,
    /// Window scroll offset at capture.
    pub scroll_y: f64,
    /// Every scrolled element (the root element's offset is the window's), in the document
    /// order of the elements of `html` that carry `data-ec-scroll-x`/`data-ec-scroll-y` (shadow roots included,
    /// iframe documents not: theirs are in their `srcdoc`). A viewer restores them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_items = 1000))]
    pub element_scrolls: Vec<ScrollOffset>,
    /// What the snapshot could not reproduce (a cross-origin style sheet kept as a link, a
    /// tainted canvas, a cross-origin iframe), one human-readable line each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub warnings: Vec<String>,
}

/// A scroll offset in CSS pixels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct ScrollOffset {
    /// `scrollLeft`.
    pub x: f64,
    /// `scrollTop`.
    pub y: f64,
}

/// One element tagged `data-ec-disclosure`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct Disclosure {
    /// The attribute's value; empty when the page has one untagged disclosure.
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub id: String,
    /// The rendered text, at most 5,000 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub text: String,
    /// Rendered (has a box, not `display:none`/`visibility:hidden`).
    pub rendered: bool,
    /// Intersects the viewport at capture.
    pub in_viewport: bool,
    /// Effective opacity (product of the element's and its ancestors').
    pub opacity: f64,
    /// Computed font size in CSS pixels.
    pub font_size_px: f64,
    /// Text/background contrast ratio (1–21), when it could be computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contrast_ratio: Option<f64>,
}

/// One element tagged `data-ec-consent-checkbox`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct ConsentCheckbox {
    /// The disclosure id of `data-ec-consent-for`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub consent_for: Option<String>,
    /// Checked (or `aria-checked="true"`) at capture.
    pub checked: bool,
}

/// The element and event that caused the capture.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct Trigger {
    /// Lower-case tag name of the target.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub tag_name: String,
    /// Visible label of the control (text or value), trimmed.
    #[cfg_attr(feature = "openapi", schema(max_length = 1024))]
    pub text: String,
    /// A CSS path from the document root to the target.
    #[cfg_attr(feature = "openapi", schema(max_length = 1024))]
    pub selector: String,
    /// Event type (`submit`, `click`, …).
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub event_type: String,
    /// `event.isTrusted`: dispatched by the user agent, not by script.
    pub is_trusted: bool,
    /// The target (or the form's submitter) carries `data-ec-submit`.
    pub is_tagged_submit: bool,
    /// Client clock of the event, epoch milliseconds.
    pub time: f64,
    /// The page passed no `triggerEvent`: the SDK took the last trusted press of a
    /// `data-ec-submit` control it saw since load.
    #[serde(skip_serializing_if = "core::ops::Not::not")]
    pub auto_detected: bool,
    /// The page's `triggerEvent` was not a DOM `Event` (e.g. a plain object shaped like
    /// one), so `isTrusted` is recorded `false` whatever it claimed.
    #[serde(skip_serializing_if = "core::ops::Not::not")]
    pub not_an_event: bool,
}

/// Interaction signals collected from page load to submit.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct Telemetry {
    /// Milliseconds from page load to capture.
    pub time_on_page_ms: f64,
    /// Any pointer (mouse/pen) activity seen.
    pub pointer_activity: bool,
    /// Any touch activity seen.
    pub touch_activity: bool,
    /// Per field, keyed by the field's name or id.
    #[cfg_attr(feature = "openapi", schema(schema_with = telemetry_fields_schema))]
    pub fields: BTreeMap<String, FieldTelemetry>,
}

/// The schema of `Telemetry.fields`: an object of at most 500 fields whose names have at
/// most 256 characters (utoipa's field attributes have no `max_properties`).
#[cfg(feature = "openapi")]
fn telemetry_fields_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::PartialSchema as _;
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(FieldTelemetry::schema()))
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(crate::MAX_FIELD_NAME_CHARS)),
        ))
        .max_properties(Some(crate::MAX_TELEMETRY_FIELDS))
        .description(Some("Per field, keyed by the field's name or id."))
        .build()
}

/// How one field was filled in.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct FieldTelemetry {
    /// `typed`, `pasted`, `autofilled`, `programmatic` or empty when untouched.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub fill_method: String,
    /// Key presses in the field, 0 to 4,294,967,295 (a `u32`: the document says so, as
    /// `int32` would mean at most 2,147,483,647).
    #[cfg_attr(feature = "openapi", schema(format = Int64, maximum = 4294967295.0))]
    pub keystrokes: u32,
    /// Milliseconds from first focus to capture, when it was focused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focus_to_submit_ms: Option<f64>,
}

/// What `captureCDR` resolves with (and `POST /v1/captures` answers in `data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CaptureResult {
    /// The new CDR's id.
    pub cdr_id: String,
    /// The session package and its sub-groups.
    pub package_data: PackageData,
    /// Absolute share URL, with `autoShare`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_url: Option<String>,
    /// The token of `shareUrl`, with `autoShare`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_token: Option<String>,
    /// Expiry of `shareUrl`, epoch milliseconds, with `autoShare`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_expires_at: Option<i64>,
}

/// The session package a capture belongs to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PackageData {
    /// The per-tab session package (`pkg_…`).
    pub package_id: String,
    /// Sub-group id → its package id.
    pub sub_group_id_map: BTreeMap<String, String>,
}
