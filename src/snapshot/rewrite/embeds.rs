//! Elements whose look is not in their markup: style sheets, canvases, responsive images
//! and iframes.
//!
//! Style sheets come from the CSSOM (`insertRule` rules leave a `<style>` empty), readable
//! `<link>` sheets are inlined, a canvas becomes an image of its pixels at its live size,
//! an `<img srcset>` shows the candidate the consumer's browser chose, and a same-origin
//! iframe carries its own snapshot as a sandboxed `srcdoc`.

use super::super::html::{self, StartTag};
use super::attrs::{add_style, attr_value, rename_attr, set_attr, set_attr_text, Attrs};
use super::open::Open;
use super::page::LinkSheet;
use super::Pass;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::text::{concat, split_byte};

impl<'a> Pass<'a, '_> {
    /// A `<link rel=stylesheet>` whose rules are readable is written as a `<style>` in its
    /// place; returns whether it was.
    pub(super) fn inline_link(
        &mut self,
        tag: &StartTag<'_>,
        attrs: &Attrs<'a>,
        tree: usize,
        nth: usize,
    ) -> bool {
        let LinkSheet::Inline(css) = self.page.link_sheet(tree, nth) else {
            return false;
        };
        self.out.push_str("<style");
        if let Some(media) = tag.attr("media") {
            self.out.push_str(" media=\"");
            html::push_attr_value(&mut self.out, media);
            self.out.push('"');
        }
        if let Some(href) = attr_value(attrs, "href") {
            self.out.push_str(" data-ec-href=\"");
            html::push_attr_value(&mut self.out, &href);
            self.out.push('"');
        }
        self.out.push('>');
        html::push_raw_css(&mut self.out, &css);
        self.out.push_str("</style>");
        true
    }

    /// A `<style>`'s rules from the CSSOM, as its new text: raw in HTML, escaped like other
    /// text in SVG.
    pub(super) fn style_text(
        &mut self,
        open: &mut Open<'a>,
        tree: usize,
        nth: usize,
    ) -> Option<String> {
        let css = self.page.style(tree, nth)?;
        let mut text = String::new();
        if open.foreign {
            html::push_text_escaped(&mut text, &css);
        } else {
            html::push_raw_css(&mut text, &css);
        }
        open.replaced_text = true;
        Some(text)
    }

    /// A `<canvas>` gets its live size and, instead of its fallback content, an `<img>`
    /// of its pixels (none when masked).
    pub(super) fn canvas(
        &mut self,
        attrs: &mut Attrs<'a>,
        open: &mut Open<'a>,
        tree: usize,
        nth: usize,
    ) -> Option<String> {
        let canvas = self.page.canvas(tree, nth)?;
        let display = if canvas.inline {
            ";display:inline-block"
        } else {
            ""
        };
        add_style(
            attrs,
            &concat(&["width:", &canvas.width, ";height:", &canvas.height, display]),
        );
        open.hides_content = true;
        let pixels = canvas.pixels.filter(|_| !open.masked)?;
        let mut img =
            String::from("<img alt=\"\" style=\"display:block;width:100%;height:100%\" src=\"");
        html::push_attr_escaped(&mut img, &pixels);
        img.push_str("\">");
        Some(img)
    }

    /// An `<img srcset>` shows the candidate the consumer's browser picked, which depends
    /// on its cache as well as its screen; the list is kept aside as `data-ec-srcset`.
    pub(super) fn chosen_image(&mut self, attrs: &mut Attrs<'a>, tree: usize, nth: usize) {
        if let Some(current) = self.page.current_src(tree, nth) {
            set_attr_text(attrs, "src", &current);
            rename_attr(attrs, "srcset", "data-ec-srcset");
        }
    }

    /// An `<iframe>` is sandboxed, and carries its document's snapshot when same-origin
    /// and not masked.
    pub(super) fn iframe(
        &mut self,
        attrs: &mut Attrs<'a>,
        open: &mut Open<'a>,
        tree: usize,
        nth: usize,
    ) {
        let document = if open.masked {
            None
        } else {
            self.page.iframe(tree, nth)
        };
        if let Some(document) = document {
            set_attr_text(attrs, "srcdoc", &document);
        }
        set_attr(attrs, "sandbox", String::new());
        open.replaced_text = true;
    }
}

/// A `<frameset>`, written as a `<div>`, lays out its frames in a grid of its `rows` and
/// `cols` (`*` shares the rest, a bare number is pixels); the outermost fills the window.
pub(super) fn frameset_layout(attrs: &mut Attrs<'_>, parent: Option<&str>) {
    let mut css = String::from("display:grid;width:100%;height:");
    css.push_str(
        if parent.is_some_and(|p| p.eq_ignore_ascii_case("frameset")) {
            "100%"
        } else {
            "100vh"
        },
    );
    for (attr, property) in [
        ("rows", ";grid-template-rows:"),
        ("cols", ";grid-template-columns:"),
    ] {
        let Some(list) = attr_value(attrs, attr) else {
            continue;
        };
        css.push_str(property);
        for track in split_byte(&html::unescape(&list), b',') {
            let track = track.trim();
            let mut number = track;
            while let Some(shorter) = number
                .strip_suffix("*")
                .or_else(|| number.strip_suffix("%"))
            {
                number = shorter;
            }
            // Only digits and dots reach the style: the value cannot break out of it.
            if !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                continue;
            }
            css.push(' ');
            match track.strip_prefix(number) {
                Some("*") => {
                    css.push_str(if number.is_empty() { "1" } else { number });
                    css.push_str("fr");
                }
                Some("%") => {
                    css.push_str(number);
                    css.push('%');
                }
                _ => {
                    css.push_str(if number.is_empty() { "0" } else { number });
                    css.push_str("px");
                }
            }
        }
    }
    add_style(attrs, &css);
}

/// A `<link>` whose `rel` includes `stylesheet`.
pub(super) fn is_stylesheet(tag: &StartTag<'_>) -> bool {
    tag.attr("rel").is_some_and(|rel| {
        rel.split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case("stylesheet"))
    })
}
