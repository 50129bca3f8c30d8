//! Paragraph layout for the report: shaping, bidi, line breaking and font fallback.
//!
//! Parley (linebender) does this work: HarfRust shapes each run, bidi reorders mixed
//! left-to-right and right-to-left text, lines break by UAX #14 (and anywhere inside a word
//! too long for its column, so a URL or hash never runs off the page), and fontique picks a
//! font per run: the families below first, then fontconfig's choice for the run's script.
//! Hand-written fallback would mishandle exactly the text a court may look at (Arabic
//! joining, CJK line breaking). krilla's own text API shapes a single run with one font and
//! does neither bidi nor fallback, so it is only used to write the glyphs parley positioned.

use parley::style::{FontFamily, FontWeight, LineHeight, OverflowWrap, StyleProperty};
use parley::{Alignment, AlignmentOptions, FontContext, Layout, LayoutContext};

/// A text colour, sRGB.
pub(crate) type Color = [u8; 3];

/// Body text.
pub(crate) const INK: Color = [0x1a, 0x1a, 0x1a];
/// Labels and captions.
pub(crate) const MUTED: Color = [0x55, 0x5d, 0x66];
/// Findings a reader must not miss (contrast below WCAG AA, not visible, unchecked).
pub(crate) const WARN: Color = [0xb0, 0x1c, 0x1c];

/// Proportional text: Noto covers Latin, Greek and Cyrillic, then the scripts a lead form
/// is most often written in, then emoji; any other script falls through to fontconfig.
const SANS: &str = "\"Noto Sans\", \"Noto Sans CJK JP\", \"Noto Sans Arabic\", \
                    \"Noto Sans Hebrew\", \"Noto Sans Devanagari\", \"Noto Sans Thai\", \
                    \"DejaVu Sans\", \"Noto Sans Symbols\", \"Noto Sans Symbols 2\", \"Noto Color Emoji\"";
/// Hashes and ids, so that equal lengths line up and 0/O, 1/l differ.
const MONO: &str = "\"Noto Sans Mono\", \"DejaVu Sans Mono\", \"Noto Sans\", \
                    \"Noto Sans CJK JP\", \"Noto Sans Arabic\", \"DejaVu Sans\"";

/// How a paragraph looks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// Font size in points.
    pub size: f32,
    /// Bold weight.
    pub bold: bool,
    /// Monospaced family.
    pub mono: bool,
    /// Colour.
    pub color: Color,
}

impl Style {
    /// Body text of the given size.
    pub(crate) const fn body(size: f32) -> Self {
        Self {
            size,
            bold: false,
            mono: false,
            color: INK,
        }
    }
    /// Bold text of the given size.
    pub(crate) const fn bold(size: f32) -> Self {
        Self {
            size,
            bold: true,
            mono: false,
            color: INK,
        }
    }
    /// Monospaced text of the given size.
    pub(crate) const fn mono(size: f32) -> Self {
        Self {
            size,
            bold: false,
            mono: true,
            color: INK,
        }
    }
    /// The same style in another colour.
    pub(crate) const fn colored(self, color: Color) -> Self {
        Self { color, ..self }
    }
}

/// A laid-out paragraph and its text (glyphs map back to it, so that the PDF's text can be
/// extracted and searched); coordinates in points, origin at its top left.
pub(crate) struct Paragraph {
    /// Lines and glyphs.
    pub layout: Layout<Color>,
    /// The text the glyphs were shaped from.
    pub text: String,
}

/// The font database and parley's scratch space, shared by every paragraph of one report.
pub(crate) struct Typesetter {
    fonts: FontContext,
    scratch: LayoutContext<Color>,
}

impl Typesetter {
    /// Loads the system's font list (fontconfig), once per report.
    pub(crate) fn new() -> Self {
        Self {
            fonts: FontContext::new(),
            scratch: LayoutContext::new(),
        }
    }

    /// Lays `text` out in lines at most `width` points wide. Paragraphs whose first strong
    /// character is right-to-left start at the right edge.
    pub(crate) fn paragraph(&mut self, text: &str, style: Style, width: f32) -> Paragraph {
        let mut builder = self
            .scratch
            .ranged_builder(&mut self.fonts, text, 1.0, false);
        let family = if style.mono { MONO } else { SANS };
        builder.push_default(StyleProperty::FontFamily(FontFamily::Source(family.into())));
        builder.push_default(StyleProperty::FontSize(style.size));
        let weight = if style.bold {
            FontWeight::BOLD
        } else {
            FontWeight::NORMAL
        };
        builder.push_default(StyleProperty::FontWeight(weight));
        builder.push_default(StyleProperty::Brush(style.color));
        builder.push_default(StyleProperty::LineHeight(LineHeight::FontSizeRelative(1.3)));
        builder.push_default(StyleProperty::OverflowWrap(OverflowWrap::Anywhere));
        let mut layout = builder.build(text);
        layout.break_all_lines(Some(width));
        layout.align(Alignment::Start, AlignmentOptions::default());
        Paragraph {
            layout,
            text: text.to_owned(),
        }
    }
}
