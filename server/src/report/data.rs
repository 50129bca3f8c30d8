//! What a report shows: plain values, already derived from the CDR, its consent facts, the
//! archive and the share history. The caller fills these in; the report only lays them out,
//! so nothing here reads a database or a clock.

/// Everything the summary pages print.
#[derive(Debug, Clone, Default)]
pub struct ReportData {
    /// The CDR's id.
    pub cdr_id: String,
    /// The capturing org's id.
    pub org_id: String,
    /// The domain's id.
    pub domain_id: String,
    /// The domain's host name.
    pub domain: String,
    /// The page's URL at capture.
    pub page_url: String,
    /// The page's title at capture.
    pub page_title: String,
    /// The SDK's clock at capture, epoch milliseconds (printed in UTC, ISO 8601).
    pub captured_at_ms: i64,
    /// The server's clock when the capture arrived, epoch milliseconds.
    pub received_at_ms: i64,
    /// When this report is produced, epoch milliseconds: printed, and the PDF's creation
    /// date. A parameter rather than a clock read, so the same data gives the same document.
    pub generated_at_ms: i64,
    /// The consumer's IP address as the server saw it.
    pub ip: String,
    /// The consumer's user agent.
    pub user_agent: String,
    /// Each disclosure, in document order.
    pub disclosures: Vec<ReportDisclosure>,
    /// Each consent checkbox, in document order.
    pub checkboxes: Vec<ReportCheckbox>,
    /// The element and event that caused the capture, when recorded.
    pub trigger: Option<ReportTrigger>,
    /// How each field was filled in.
    pub fields: Vec<ReportField>,
    /// Milliseconds from page load to capture.
    pub time_on_page_ms: f64,
    /// Any pointer activity was seen.
    pub pointer_activity: bool,
    /// The SHA-256 of the evidence's content, hex.
    pub content_sha256: String,
    /// The archived assets.
    pub assets: Vec<ReportAsset>,
    /// Who received the CDR, when, and how.
    pub shares: Vec<ReportShareEvent>,
    /// The transparency log entry, when the CDR has one.
    pub log: Option<ReportLog>,
}

/// One disclosure and what the server concluded about it.
#[derive(Debug, Clone, Default)]
pub struct ReportDisclosure {
    /// The `data-ec-disclosure` value (may be empty).
    pub id: String,
    /// The rendered text.
    pub text: String,
    /// The derived `consentMechanism` (`checkbox`, `click_through`, `unchecked`,
    /// `not_detected`).
    pub consent_mechanism: String,
    /// Rendered and in the viewport at capture.
    pub visible: bool,
    /// Computed font size in CSS pixels.
    pub font_size_px: f64,
    /// Text/background contrast ratio, when it could be computed; below 4.5 is flagged as
    /// under WCAG AA.
    pub contrast_ratio: Option<f64>,
}

/// One consent checkbox.
#[derive(Debug, Clone, Default)]
pub struct ReportCheckbox {
    /// The disclosure id it consents to, if bound.
    pub consent_for: Option<String>,
    /// Checked at capture.
    pub checked: bool,
}

/// The element and event that caused the capture.
#[derive(Debug, Clone, Default)]
pub struct ReportTrigger {
    /// Lower-case tag name.
    pub tag_name: String,
    /// The control's visible label.
    pub text: String,
    /// A CSS path to the element.
    pub selector: String,
    /// The event type (`submit`, `click`, …).
    pub event_type: String,
    /// Dispatched by the user agent, not by script.
    pub is_trusted: bool,
}

/// How one form field was filled in.
#[derive(Debug, Clone, Default)]
pub struct ReportField {
    /// The field's name or id.
    pub name: String,
    /// `typed`, `pasted`, `autofilled`, `programmatic`, or empty when untouched.
    pub fill_method: String,
    /// Key presses in the field.
    pub keystrokes: u32,
    /// Milliseconds from first focus to capture, when it was focused.
    pub focus_to_submit_ms: Option<f64>,
}

/// One archived asset.
#[derive(Debug, Clone, Default)]
pub struct ReportAsset {
    /// The URL the page referenced.
    pub url: String,
    /// What fetching it gave: an HTTP status, or a short reason it was not stored.
    pub status: String,
    /// The stored bytes' SHA-256, hex; `None` when nothing was stored.
    pub sha256: Option<String>,
}

/// One event of the share history.
#[derive(Debug, Clone, Default)]
pub struct ReportShareEvent {
    /// The org that claimed (or minted, or collected).
    pub org_id: String,
    /// When, epoch milliseconds.
    pub at_ms: i64,
    /// The relation it gained or the outcome (`paid`, `free`, `saved`, …).
    pub relation: String,
}

/// The CDR's transparency log entry.
#[derive(Debug, Clone, Default)]
pub struct ReportLog {
    /// The entry's index in the log.
    pub index: u64,
    /// The size of the tree the proof leads to.
    pub tree_size: u64,
    /// That tree's root hash, base64 (as the checkpoint writes it).
    pub root_hash: String,
    /// How many witnesses cosigned the checkpoint.
    pub witnesses: usize,
    /// The signed checkpoint, as text.
    pub checkpoint: String,
    /// The log's signed-note verifier key, for the verify command printed.
    pub verifier_key: String,
}

/// How an attached file relates to the report (PDF/A-3's `AFRelationship`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// The report was produced from this file.
    Source,
    /// Data the report's content was derived from.
    Data,
    /// Something that supplements the report (e.g. an inclusion proof).
    Supplement,
}

/// A file embedded in the report beside the evidence.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// File name as readers list it (`proof.json`).
    pub name: String,
    /// MIME type (`application/json`).
    pub mime: String,
    /// A human-readable description (PDF/A-3 requires one).
    pub description: String,
    /// The file's bytes, embedded unchanged.
    pub bytes: Vec<u8>,
    /// How it relates to the report.
    pub relationship: Relationship,
}
