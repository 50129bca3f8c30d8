//! The DOM snapshot: one HTML document that re-renders, with scripts off, like the page the
//! consumer saw at submit.
//!
//! How it is made, in three steps that each cross from wasm to the page only a few times:
//!
//! 1. [`live`] finds the page's trees (the document and every open shadow root) with
//!    batched native calls, and their scrolled elements: in the document, those
//!    [`scrolls`] saw scroll since the SDK started;
//! 2. the browser serializes the whole page in one call (`getHTML` with those shadow roots,
//!    which become declarative `<template shadowrootmode>`);
//! 3. [`rewrite`] reads that text once and writes the snapshot: live form state, style
//!    sheets from the CSSOM (including `insertRule` rules and adopted sheets), absolute
//!    URLs, canvas pixels, same-origin iframes as sandboxed `srcdoc`, scroll offsets; no
//!    scripts, inline handlers, `javascript:` URLs or refresh. Privacy is decided there.
//!
//! Measured on a 10,000-node page in Chromium this is several times faster than copying
//! the DOM (`importNode` + `outerHTML`) and fixing up the copy; see `bench/`.
//!
//! The live page is only read, never changed. Never captured: password fields,
//! payment-card fields (`autocomplete="cc-*"`), hidden inputs' values and anything under
//! `data-ec-mask`, in shadow roots and iframes too.

mod css;
mod fields;
mod html;
mod live;
mod media;
mod privacy;
// Public only for the fuzz targets (`rewrite_for_fuzzing` in lib.rs).
#[cfg(feature = "fuzzing")]
pub mod rewrite;
#[cfg(not(feature = "fuzzing"))]
mod rewrite;
mod scrolls;
mod sheets;
mod url;

#[allow(unused_imports)]
use crate::prelude::*;
use expressconsent_protocol::{ScrollOffset, Snapshot};
use web_sys::Document;

use crate::dom;
use crate::error::SdkError;
use crate::text::concat;

pub use media::preserve_webgl;
pub use privacy::{mask_text, MASK};
pub use scrolls::watch as watch_scrolls;

/// Serializes the current page, its scroll offsets and what could not be reproduced.
pub fn capture() -> Result<Snapshot, SdkError> {
    let window = dom::window()?;
    let rendered = render(&dom::document()?, 0)?;
    let mut element_scrolls = Vec::with_capacity(rendered.scrolls.len());
    for &(x, y) in &rendered.scrolls {
        element_scrolls.push(ScrollOffset { x, y });
    }
    Ok(Snapshot {
        html: rendered.html,
        scroll_x: dom::get_number(&window, "scrollX"),
        scroll_y: dom::get_number(&window, "scrollY"),
        element_scrolls,
        warnings: rendered.warnings,
    })
}

/// The snapshot HTML of `document`.
pub fn serialize(document: &Document) -> Result<String, SdkError> {
    Ok(render(document, 0)?.html)
}

/// One document's snapshot; `depth` counts the iframes it is nested in.
struct Rendered {
    html: String,
    scrolls: Vec<(f64, f64)>,
    warnings: Vec<String>,
}

fn render(document: &Document, depth: u32) -> Result<Rendered, SdkError> {
    let base = dom::get_string(document, "baseURI");
    let mut page = live::LivePage::open(document, base.clone(), depth);
    let source = page.source()?;
    let rewritten = rewrite::rewrite(&source, &base, &mut page);
    // A page without a doctype renders in quirks mode; keeping it so keeps its layout.
    let doctype = if dom::get_string(document, "compatMode") == "BackCompat" {
        ""
    } else {
        "<!DOCTYPE html>"
    };
    Ok(Rendered {
        html: concat(&[doctype, &rewritten.html]),
        scrolls: rewritten.scrolls,
        warnings: page.warnings,
    })
}
