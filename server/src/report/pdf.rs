//! Writing the pages as PDF/A-3b with krilla: glyphs parley positioned, image slices, XMP
//! metadata, and the attached files as PDF/A-3 associated files.
//!
//! krilla's PDF/A-3b validator runs while the document is written and refuses what the
//! standard forbids (unembedded fonts, device colour without an output intent, attachments
//! without a MIME type, description or date, …), so a document that comes out of
//! [`write`] conforms as far as a writer can check; semantic duties (the relationship of
//! each attachment is true, the metadata describes the document) are this module's.

use std::collections::HashMap;
use std::ops::Range;

use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};
use parley::PositionedLayoutItem;

use super::data::{Attachment, Relationship, ReportData};
use super::flow::{Flow, Op, BODY_WIDTH, MARGIN, PAGE_HEIGHT, PAGE_WIDTH};
use super::image::Decoded;
use super::summary::utc;
use super::text::{Color, Paragraph, Style, Typesetter, MUTED};

/// Writes the document. `slices` are the (top row, rows) of each image slice, in the order
/// the flow's image operations name them.
pub(crate) fn write(
    ts: &mut Typesetter,
    flow: Flow,
    image: &Decoded,
    slices: &[(u32, u32)],
    data: &ReportData,
    attachments: &[Attachment],
) -> Result<Vec<u8>, String> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_B)
        .finish()
        .map_err(|e| format!("{e:?}"))?;
    let settings = SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    document.set_metadata(metadata(data));
    for attachment in attachments {
        document
            .embed_file(embedded(attachment, data)?)
            .ok_or_else(|| format!("two attachments are named {}", attachment.name))?;
    }

    let images = slices
        .iter()
        .map(|&(top, rows)| Image::from_custom(image.slice(top, rows), false))
        .collect::<Result<Vec<Image>, String>>()?;
    let mut fonts = Fonts::default();
    let total = flow.pages.len();
    for (index, ops) in flow.pages.iter().enumerate() {
        let footer = footer(ts, data, index + 1, total);
        let size = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("page size")?;
        let mut page = document.start_page_with(size);
        let mut surface = page.surface();
        for op in ops {
            match *op {
                Op::Text {
                    paragraph,
                    line,
                    x,
                    y,
                } => draw_line(
                    &mut surface,
                    &mut fonts,
                    &flow.paragraphs[paragraph],
                    line,
                    x,
                    y,
                ),
                Op::Rule { x, y, width, color } => {
                    let mut path = PathBuilder::new();
                    path.push_rect(Rect::from_xywh(x, y, width, 0.5).ok_or("rule")?);
                    surface.set_fill(Some(fill(color)));
                    surface.draw_path(&path.finish().ok_or("rule")?);
                }
                Op::Image {
                    slice,
                    x,
                    y,
                    width,
                    height,
                } => {
                    surface.push_transform(&Transform::from_translate(x, y));
                    let size = Size::from_wh(width, height).ok_or("image size")?;
                    surface.draw_image(images[slice].clone(), size);
                    surface.pop();
                }
            }
        }
        draw_line(
            &mut surface,
            &mut fonts,
            &footer,
            0,
            MARGIN,
            PAGE_HEIGHT - 34.0,
        );
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| e.to_string())
}

/// Title, creation date and language for the XMP packet and the document information.
fn metadata(data: &ReportData) -> Metadata {
    Metadata::new()
        .title(format!("Consent evidence report: CDR {}", data.cdr_id))
        .description(format!(
            "Consent evidence for {} captured at {}",
            data.page_url,
            utc(data.captured_at_ms)
        ))
        .creator("ExpressConsent".to_owned())
        .language("en".to_owned())
        .creation_date(date(data.generated_at_ms))
        .document_id(data.cdr_id.clone())
}

/// A krilla date in UTC; out-of-range instants print as the epoch rather than fail.
fn date(ms: i64) -> DateTime {
    use chrono::{Datelike, Timelike};
    let t = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms).unwrap_or_default();
    DateTime::new(u16::try_from(t.year()).unwrap_or(1970))
        .month(t.month() as u8)
        .day(t.day() as u8)
        .hour(t.hour() as u8)
        .minute(t.minute() as u8)
        .second(t.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

fn embedded(attachment: &Attachment, data: &ReportData) -> Result<EmbeddedFile, String> {
    let mime_type = MimeType::new(&attachment.mime).ok_or_else(|| {
        format!(
            "the attachment {} has an invalid MIME type",
            attachment.name
        )
    })?;
    Ok(EmbeddedFile {
        path: attachment.name.clone(),
        mime_type: Some(mime_type),
        description: Some(attachment.description.clone()),
        association_kind: match attachment.relationship {
            Relationship::Source => AssociationKind::Source,
            Relationship::Data => AssociationKind::Data,
            Relationship::Supplement => AssociationKind::Supplement,
        },
        data: attachment.bytes.clone().into(),
        modification_date: Some(date(data.received_at_ms)),
        compress: None,
        location: None,
    })
}

fn footer(ts: &mut Typesetter, data: &ReportData, page: usize, total: usize) -> Paragraph {
    let text = format!(
        "ExpressConsent consent evidence report · CDR {} · page {page} of {total}",
        data.cdr_id
    );
    ts.paragraph(&text, Style::body(7.5).colored(MUTED), BODY_WIDTH)
}

fn fill(color: Color) -> Fill {
    Fill {
        paint: rgb::Color::new(color[0], color[1], color[2]).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

/// krilla fonts by parley's font blob id and collection index, so that each font file is
/// embedded (and subset) once.
#[derive(Default)]
struct Fonts(HashMap<(u64, u32), Option<Font>>);

impl Fonts {
    fn get(&mut self, font: &parley::FontData) -> Option<Font> {
        let (blob, id) = font.data.clone().into_raw_parts();
        self.0
            .entry((id, font.index))
            .or_insert_with(|| Font::new(blob.into(), font.index))
            .clone()
    }
}

/// Draws line `line` of `paragraph` with the paragraph's origin at (`x`, `y`).
fn draw_line(
    surface: &mut Surface<'_>,
    fonts: &mut Fonts,
    paragraph: &Paragraph,
    line: usize,
    x: f32,
    y: f32,
) {
    let Some(line) = paragraph.layout.lines().nth(line) else {
        return;
    };
    for item in line.items() {
        let PositionedLayoutItem::GlyphRun(glyph_run) = item else {
            continue;
        };
        let run = glyph_run.run();
        // krilla refuses only font files it cannot parse; fontique found this one by
        // parsing it, so this does not happen with the system's fonts.
        let Some(font) = fonts.get(run.font()) else {
            continue;
        };
        let size = run.font_size();
        // A ligature's glyphs belong to its first cluster; its text is all of its
        // clusters', so that copied or extracted text has every character.
        let mut ranges: HashMap<usize, Range<usize>> = HashMap::new();
        let mut last_start = None;
        for cluster in run.clusters() {
            let range = cluster.text_range();
            if cluster.is_ligature_continuation() {
                if let Some(start) = last_start.and_then(|s| ranges.get_mut(&s)) {
                    start.end = start.end.max(range.end);
                }
            } else {
                last_start = Some(range.start);
                ranges.insert(range.start, range);
            }
        }
        let mut glyphs = Vec::new();
        for cluster in run.visual_clusters() {
            let range = cluster.text_range();
            let text_range = ranges.get(&range.start).cloned().unwrap_or(range);
            for glyph in cluster.glyphs() {
                glyphs.push(KrillaGlyph::new(
                    GlyphId::new(glyph.id),
                    glyph.advance / size,
                    glyph.x / size,
                    glyph.y / size,
                    0.0,
                    text_range.clone(),
                    None,
                ));
            }
        }
        if glyphs.is_empty() {
            continue;
        }
        surface.set_fill(Some(fill(glyph_run.style().brush)));
        let origin = Point::from_xy(x + glyph_run.offset(), y + glyph_run.baseline());
        surface.draw_glyphs(origin, &glyphs, font, &paragraph.text, size, false);
    }
}
