//! What the rewriter asks of the live page, and the answers it gets back.
//!
//! The [`Page`] trait is the only way the rewrite pass learns anything the markup does not
//! say; the `live` module answers it from the browser and the unit tests from a
//! scripted page. Nothing here reads the page itself.

#[allow(unused_imports)]
use crate::prelude::*;

/// A form field's live state, as the page reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// An `<input>`: its `type` property, `value` and `checked`.
    Input {
        /// `input.type`, normalised by the browser (`text` for unknown types).
        kind: String,
        /// `input.value`.
        value: String,
        /// `input.checked`.
        checked: bool,
    },
    /// A `<textarea>`'s value.
    TextArea(String),
    /// An `<option>`'s `selected`.
    Option(bool),
    /// A field the live page says is private (a card field, or under `data-ec-mask`,
    /// through shadow roots), whatever its markup said: nothing of it is written. The markup and the page disagree only when the serialization left
    /// elements out (children a script put in a void or raw-text element), which moves
    /// positions; this keeps a secret from landing in another field.
    Private,
    /// A `<select>` (its state is its options') or a field that could not be read.
    Other,
}

/// What a `<link rel=stylesheet>` becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkSheet {
    /// Its rules as CSS text with absolute URLs, to inline as a `<style>`.
    Inline(String),
    /// Unreadable (cross-origin or not loaded): kept as a link with an absolute URL.
    Keep,
}

/// A canvas as it is laid out and what it shows.
///
/// With scripts off a browser renders a `<canvas>` as its fallback content, not as a
/// 300×150 drawing surface; so the snapshot gives it its live size and, as its only
/// content, an `<img>` of its pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Canvas {
    /// `toDataURL()`, unless the canvas shows cross-origin pixels.
    pub pixels: Option<String>,
    /// Computed `width` and `height`, e.g. `300px`.
    pub width: String,
    /// Computed `height`.
    pub height: String,
    /// Computed `display` is `inline` (a canvas's default): it becomes `inline-block`,
    /// which lays out like the replaced element it was.
    pub inline: bool,
}

/// What the rewriter needs from the live page. Trees are numbered: 0 is the document,
/// shadow roots get the numbers [`Page::shadow_root`] hands out. `nth` counts elements of
/// one kind within one tree; `index` counts all elements of a tree.
pub trait Page {
    /// The tree of the open shadow root hosted by element `index` of `tree`.
    fn shadow_root(&mut self, tree: usize, index: usize) -> Option<usize>;
    /// The scroll offset of element `index` of `tree`, when it is scrolled.
    fn scroll(&mut self, tree: usize, index: usize) -> Option<(f64, f64)>;
    /// The n-th of `input, textarea, select, option` in `tree`.
    fn field(&mut self, tree: usize, nth: usize) -> Field;
    /// The rules of the n-th `<style>` of `tree` as CSS text, when readable.
    fn style(&mut self, tree: usize, nth: usize) -> Option<String>;
    /// The n-th `<link>` of `tree`, known to be a style sheet.
    fn link_sheet(&mut self, tree: usize, nth: usize) -> LinkSheet;
    /// The URL the n-th `<img>` of `tree` shows (`currentSrc`), when it chose one.
    fn current_src(&mut self, tree: usize, nth: usize) -> Option<String>;
    /// The n-th `<canvas>` of `tree`: its size and pixels.
    fn canvas(&mut self, tree: usize, nth: usize) -> Option<Canvas>;
    /// The snapshot of the n-th `<iframe>`'s document, when it is same-origin.
    fn iframe(&mut self, tree: usize, nth: usize) -> Option<String>;
    /// The adopted style sheets of `tree` as CSS text.
    fn adopted(&mut self, tree: usize) -> Option<String>;
    /// Whether `text` is the whole text (`textContent`) of element `index` of `tree`: tells
    /// a raw-text element's own text from elements a script put in it.
    ///
    /// A page that cannot tell answers `false` (the default): the pass then treats the
    /// text as out of step and masks everything after it.
    fn is_whole_text(&mut self, tree: usize, index: usize, text: &str) -> bool {
        let _ = (tree, index, text);
        false
    }
    /// How many elements `tree` has, to check that the text and the page stayed in step.
    fn element_count(&self, tree: usize) -> usize;
    /// Records something the snapshot could not reproduce.
    fn warn(&mut self, warning: String);

    // What the snapshot needs to show the page where and as the consumer saw it. Each has
    // an answer that means "nothing to add", so a page that cannot tell changes nothing.

    /// Whether element `index` of `tree` is laid out `position: static`.
    fn is_static(&mut self, _tree: usize, _index: usize) -> bool {
        false
    }
    /// The computed `width` and `height` of element `index` of `tree` (`120px`).
    fn box_size(&mut self, _tree: usize, _index: usize) -> Option<(String, String)> {
        None
    }
    /// Where, in document coordinates, an absolutely positioned child of `<body>` has its
    /// origin: `(0, 0)` unless `<body>` or `<html>` is positioned.
    fn root_origin(&mut self) -> (f64, f64) {
        (0.0, 0.0)
    }
    /// The frame that `<video>` element `index` of `tree` shows, as a `data:` image URL.
    fn video_frame(&mut self, _tree: usize, _index: usize) -> Option<String> {
        None
    }
    /// The contents of a `blob:` URL as a `data:` URL, when it is still alive and small
    /// enough.
    fn blob(&mut self, _url: &str) -> Option<String> {
        None
    }
    /// The picture `<img>` element `index` of `tree` shows, as a `data:` PNG URL.
    fn image_pixels(&mut self, _tree: usize, _index: usize) -> Option<String> {
        None
    }
    /// The content of a same-origin SVG sprite file (the serialized children of its root
    /// `<svg>`), when it can be read.
    fn sprite(&mut self, _url: &str) -> Option<String> {
        None
    }
}

/// A page that answers nothing: for markup that is not the live page's (a sprite file) and
/// for the fuzz targets, which have no live page.
pub struct Inert;

impl Page for Inert {
    fn shadow_root(&mut self, _: usize, _: usize) -> Option<usize> {
        None
    }
    fn scroll(&mut self, _: usize, _: usize) -> Option<(f64, f64)> {
        None
    }
    fn field(&mut self, _: usize, _: usize) -> Field {
        Field::Other
    }
    fn style(&mut self, _: usize, _: usize) -> Option<String> {
        None
    }
    fn link_sheet(&mut self, _: usize, _: usize) -> LinkSheet {
        LinkSheet::Keep
    }
    fn current_src(&mut self, _: usize, _: usize) -> Option<String> {
        None
    }
    fn canvas(&mut self, _: usize, _: usize) -> Option<Canvas> {
        None
    }
    fn iframe(&mut self, _: usize, _: usize) -> Option<String> {
        None
    }
    fn adopted(&mut self, _: usize) -> Option<String> {
        None
    }
    fn element_count(&self, _: usize) -> usize {
        0
    }
    fn warn(&mut self, _: String) {}
}
