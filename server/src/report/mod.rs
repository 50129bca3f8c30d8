//! The PDF report: one CDR's evidence as a PDF/A-3b document a compliance officer or a
//! court can read, and that carries the evidence itself.
//!
//! [`build_report`] is a pure function of its inputs (no database, no clock, no network):
//! a summary (the record, each disclosure with its `consentMechanism`, visibility, font
//! size and contrast, the checkbox states, the trigger, field telemetry, the content hash
//! and archived assets, the share history), then the evidence image scaled to the page
//! width and cut into one slice per page, and the evidence file embedded unchanged as
//! `evidence.json`, a PDF/A-3 associated file with `AFRelationship /Source`, so the report
//! alone carries the proof. Callers (the job queue, the HTTP endpoint) decide when to build
//! and where to keep the bytes.
//!
//! | module | owns |
//! |---|---|
//! | [`data`] | the values printed and the attachments |
//! | `text` | paragraph layout: shaping, bidi, line breaks, font fallback (parley) |
//! | `flow` | pagination into per-page display lists; no text leaves its page |
//! | `summary` | what the summary says, in which order, and the image's pages |
//! | `image` | decoding the PNG and slicing it |
//! | `pdf` | writing PDF/A-3b with krilla: glyphs, images, XMP, associated files |
//!
//! Why these crates: **krilla** (the PDF writer behind typst's PDF export) has a PDF/A-3b
//! validator that refuses non-conforming content while the document is written, embeds
//! files with an `AFRelationship`, writes the XMP packet with the PDF/A identification,
//! and subsets and embeds fonts. typst as a library would add a markup language and a
//! compiler to drive the same writer. **parley** lays out text (see `text`); **png**
//! decodes the image; **chrono** prints instants in UTC.
//!
//! Fonts come from the system through fontconfig; the report asks for Noto first (Debian's
//! `fonts-noto-core` and `fonts-noto-cjk`, installed by `scripts/setup.sh`) and falls back
//! by script, so Spanish, Japanese, Arabic (shaped, right to left) and other scripts print
//! as the page showed them. Colour emoji: Noto Color Emoji is a bitmap (CBDT) font; krilla
//! draws its glyphs as a Type 3 font of PNG images, which its PDF/A-3b validator accepts,
//! with a ToUnicode map, so they print in colour and extract as their characters (poppler
//! reads them as a separate block, as their glyph box is taller than the line).
//!
//! Conformance: krilla's validator is the check at build time; the tests read the
//! document back with poppler (`pdftotext`, `pdfimages`, `pdfdetach`, `pdfinfo`). veraPDF,
//! the reference PDF/A validator, is not run: it is a Java application that Debian does not
//! package and this machine cannot download.

pub mod data;
mod flow;
mod image;
mod pdf;
mod summary;
mod text;

pub use data::{
    Attachment, Relationship, ReportAsset, ReportCheckbox, ReportData, ReportDisclosure,
    ReportField, ReportLog, ReportShareEvent, ReportTrigger,
};

/// The name the evidence file has inside the report.
pub const EVIDENCE_NAME: &str = "evidence.json";

/// Why a report could not be built. The messages are for logs; HTTP answers say only that
/// the report is unavailable.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The evidence image is not a PNG the report can read (or is too large to decode).
    #[error("evidence image: {0}")]
    Image(String),
    /// The PDF writer refused the document (a PDF/A-3b rule, a font it cannot embed, a
    /// duplicate attachment name).
    #[error("PDF: {0}")]
    Pdf(String),
}

/// Builds the report: the summary of `data`, the PNG `image` across pages, `evidence_json`
/// embedded as [`EVIDENCE_NAME`] (relationship Source), and `attachments` after it.
pub fn build_report(
    data: &ReportData,
    evidence_json: &[u8],
    image_png: &[u8],
    attachments: &[Attachment],
) -> Result<Vec<u8>, ReportError> {
    let image = image::decode(image_png).map_err(ReportError::Image)?;
    let mut ts = text::Typesetter::new();
    let (flow, slices) = summary::compose(&mut ts, data, &image);
    let evidence = Attachment {
        name: EVIDENCE_NAME.to_owned(),
        mime: "application/json".to_owned(),
        description: format!(
            "The evidence of CDR {} exactly as the server received it",
            data.cdr_id
        ),
        bytes: evidence_json.to_vec(),
        relationship: Relationship::Source,
    };
    let all: Vec<Attachment> = std::iter::once(evidence)
        .chain(attachments.iter().cloned())
        .collect();
    pdf::write(&mut ts, flow, &image, &slices, data, &all).map_err(ReportError::Pdf)
}
