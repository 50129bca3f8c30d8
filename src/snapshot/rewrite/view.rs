//! What makes the snapshot, opened with scripts off, show what the consumer saw where they
//! saw it: scroll positions, video frames, `blob:` sources and external SVG sprites.
//!
//! - **Scroll.** No attribute scrolls an element, but CSS can place a scroll container's
//!   initial position: an element with `scroll-initial-target: nearest` (Chromium 133+)
//!   is scrolled to, start-aligned, when its container is first laid out. Each scrolled
//!   container gets an invisible absolutely positioned mark at its offset (and
//!   `position: relative` when it was static, so that the mark is placed in it): in a
//!   declarative shadow root of its own that slots the container's children, where the
//!   element may host one, so that `:nth-child` rules still match the same children; else
//!   as its first child. The window's mark is `<body>`'s, at the window's offset.
//! - **Video.** A `<video>` gets its current frame as its `poster` (shown until playback
//!   starts) and loses `autoplay`, so it shows the frame the consumer saw, not frame 0.
//! - **`blob:` URLs** die with the page: `src` and `poster` values become `data:` URLs.
//! - **Sprites.** `<use href="sprite.svg#icon">` is refused across origins, and a snapshot
//!   is opened from another origin; a same-origin sprite file's content is copied once per
//!   tree into a hidden `<svg>` (through the same rewrite, so nothing in it can run) and
//!   the reference becomes `#icon`.

use super::super::html;
use super::attrs::{add_style, attr_value, remove_attr, set_attr_text, Attrs};
use super::open::Open;
use super::page::Inert;
use super::Pass;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::text::{after, before, concat, find_any};

/// Elements that cannot hold a scroll mark: void, raw text, form controls, replaced
/// elements, and table parts (whose children the parser moves out).
const NO_MARK: [&str; 14] = [
    "textarea", "select", "iframe", "canvas", "video", "audio", "object", "table", "tbody",
    "thead", "tfoot", "tr", "colgroup", "template",
];

/// Elements that may host a shadow root (besides custom elements).
const SHADOW_HOSTS: [&str; 17] = [
    "article",
    "aside",
    "blockquote",
    "body",
    "div",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "main",
    "nav",
    "p",
    "section",
];

/// The mark's style: invisible, no box, out of flow.
const MARK_STYLE: &str = "position:absolute;width:0;height:0;margin:0;padding:0;border:0;\
pointer-events:none;scroll-margin:0;scroll-snap-align:start;\
scroll-initial-target:nearest";

/// What the view rules carry through one pass.
#[derive(Default)]
pub(super) struct View {
    /// The window's offset, once `<html>` (or `<body>`) said it was scrolled.
    window: Option<(f64, f64)>,
    /// `(tree, file URL, rewritten content)` of each sprite copied, in order.
    sprites: Vec<(usize, String, Option<String>)>,
}

impl<'a> Pass<'a, '_> {
    /// The view rules for one kept element (`index` of `tree`, when counted). Masked
    /// elements are left to the mask, which replaces what these would read.
    pub(super) fn view_rules(
        &mut self,
        open: &Open<'a>,
        attrs: &mut Attrs<'a>,
        tree: usize,
        index: Option<usize>,
    ) {
        let Some(index) = index.filter(|_| !open.masked) else {
            return;
        };
        if open.html_name() == "video" {
            self.video_state(attrs, tree, index);
        }
        if open.foreign && open.name == "use" {
            self.sprite_use(attrs, tree);
        }
        // Pictures and media only: a `blob:` document in a frame is captured as the frame's
        // snapshot, and its bytes as a `data:` URL could run script.
        let name = open.html_name();
        if matches!(
            name,
            "img" | "video" | "audio" | "source" | "track" | "input"
        ) {
            self.blob_sources(name, attrs, tree, index);
        }
    }

    /// Element `index` of `tree` is scrolled to `(x, y)`: the mark to write right after
    /// its start tag, if it can have one.
    pub(super) fn scroll_mark(
        &mut self,
        name: &str,
        attrs: &mut Attrs<'a>,
        (tree, index): (usize, usize),
        (x, y): (f64, f64),
    ) -> Option<String> {
        if tree == 0 && matches!(name, "html" | "body") {
            self.view.window = Some((x, y));
            return None;
        }
        if name.is_empty() || html::VOID.contains(&name) || NO_MARK.contains(&name) {
            return None;
        }
        if self.page.is_static(tree, index) {
            add_style(attrs, "position:relative");
        }
        let shadow = self.hosts_mark(name, tree, index);
        Some(mark(x, y, shadow))
    }

    /// After `<body>`'s start tag (element `index` of the document): the window's mark,
    /// when the window was scrolled.
    pub(super) fn window_mark(&mut self, index: Option<usize>) -> Option<String> {
        let (x, y) = self.view.window.take()?;
        let (left, top) = self.page.root_origin();
        let shadow = index.is_some_and(|index| self.hosts_mark("body", 0, index));
        Some(mark(x - left, y - top, shadow))
    }

    /// Whether element `index` of `tree`, named `name`, can hold its mark in a shadow root
    /// of its own: an element that may host one and does not already.
    fn hosts_mark(&mut self, name: &str, tree: usize, index: usize) -> bool {
        (SHADOW_HOSTS.contains(&name) || find_any(name, b"-").is_some())
            && self.page.shadow_root(tree, index).is_none()
    }

    /// A `<video>` shows the frame it showed (unless masked) and does not start playing.
    pub(super) fn video_state(&mut self, attrs: &mut Attrs<'a>, tree: usize, index: usize) {
        remove_attr(attrs, "autoplay");
        if let Some(frame) = self.page.video_frame(tree, index) {
            set_attr_text(attrs, "poster", &frame);
        }
    }

    /// `src` and `poster` values that are `blob:` URLs become `data:` URLs; an `<img>`
    /// whose blob is gone keeps the picture it shows.
    pub(super) fn blob_sources(
        &mut self,
        name: &str,
        attrs: &mut Attrs<'a>,
        tree: usize,
        index: usize,
    ) {
        for attr in ["src", "poster"] {
            let Some(url) = attr_value(attrs, attr).filter(|v| v.starts_with("blob:")) else {
                continue;
            };
            let data = self.page.blob(&html::unescape(&url)).or_else(|| {
                (name == "img")
                    .then(|| self.page.image_pixels(tree, index))
                    .flatten()
            });
            match data {
                Some(data) => set_attr_text(attrs, attr, &data),
                None => {
                    remove_attr(attrs, attr);
                    self.page
                        .warn(concat(&["blob: source not captured: ", name]));
                }
            }
        }
    }

    /// An SVG `<use>` of another file's symbol: the file's content is copied into this
    /// tree and the reference points at the copy.
    pub(super) fn sprite_use(&mut self, attrs: &mut Attrs<'a>, tree: usize) {
        for attr in ["href", "xlink:href"] {
            let Some(url) = attr_value(attrs, attr) else {
                continue;
            };
            let url = html::unescape(&url).into_owned();
            let Some(hash) = find_any(&url, b"#").filter(|&at| at > 0) else {
                continue;
            };
            let file = before(&url, hash);
            let known = self
                .view
                .sprites
                .iter()
                .position(|s| s.0 == tree && s.1 == file);
            let copied = match known {
                Some(at) => self.view.sprites[at].2.is_some(),
                None => {
                    let content = self
                        .page
                        .sprite(file)
                        .map(|inner| sprite_copy(file, &inner));
                    let copied = content.is_some();
                    self.view.sprites.push((tree, file.to_owned(), content));
                    copied
                }
            };
            if copied {
                set_attr_text(attrs, attr, after(&url, hash));
            }
        }
    }

    /// Writes the sprites copied into `tree`, before the end of its `<body>` or shadow root.
    pub(super) fn emit_sprites(&mut self, tree: usize) {
        for (_, _, content) in self.view.sprites.iter().filter(|s| s.0 == tree) {
            if let Some(content) = content {
                self.out.push_str(content);
            }
        }
    }
}

/// An invisible mark at `(x, y)` that its scroll container starts scrolled to. In a
/// shadow root of its own (`shadow`), with a `<slot>` for the container's children, it
/// leaves the page's own elements as they were: a new first child would shift every
/// `:nth-child` and `:first-child` rule.
fn mark(x: f64, y: f64, shadow: bool) -> String {
    let mut out = String::new();
    if shadow {
        out.push_str("<template shadowrootmode=\"open\">");
    }
    out.push_str("<i data-ec-scroll-mark=\"\" style=\"");
    out.push_str(MARK_STYLE);
    out.push_str(";left:");
    html::push_pixels(&mut out, x);
    out.push_str("px;top:");
    html::push_pixels(&mut out, y);
    out.push_str("px\"></i>");
    if shadow {
        out.push_str("<slot></slot></template>");
    }
    out
}

/// A sprite file's content as a hidden `<svg>`, rewritten like the page (no script, no
/// handlers, absolute URLs against the file's own URL).
fn sprite_copy(file: &str, inner: &str) -> String {
    let mut source = String::from("<svg data-ec-sprite=\"");
    html::push_attr_escaped(&mut source, file);
    source.push_str(
        "\" aria-hidden=\"true\" style=\"position:absolute;width:0;height:0;overflow:hidden\">",
    );
    source.push_str(inner);
    source.push_str("</svg>");
    super::fragment(&source, file, &mut Inert)
}

#[cfg(test)]
mod tests;
