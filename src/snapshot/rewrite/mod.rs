//! The one pass over the browser's serialization of the page that turns it into the
//! snapshot.
//!
//! The browser serializes the whole page, open shadow roots included, in one native call;
//! this pass then reads that text once, start tag by start tag, and asks the live page (the
//! [`Page`] trait) only about the few elements whose state is not in their markup: form
//! fields, style sheets, canvases, iframes, shadow hosts and scrolled elements. It never
//! calls into the browser per node, which is what makes it fast.
//!
//! Elements are matched to the live page by position: within one tree (the document or one
//! shadow root) the n-th `<input>` of the text is the n-th `input` that `querySelectorAll`
//! returns, since both are in document order. The contents of `<template>` elements are in
//! neither, and shadow roots are separate trees, so the pass keeps one set of counters per
//! tree and stops counting inside templates.
//!
//! This file owns the pass itself: the token loop, the stack of open elements, the trees
//! and counters, scroll marks and what is written around the document. What each kind of
//! element becomes lives beside it: [`content`] (text, raw text, masked text, and where
//! text and page go out of step), [`attrs`] (handlers, script URLs, absolute URLs),
//! [`forms`] (form state and its privacy), [`embeds`] (sheets, canvases, images, iframes)
//! [`open`] (what an element means for its content) and [`trees`] (matching elements to
//! the live page).

mod attrs;
mod content;
mod embeds;
mod forms;
mod mask;
mod open;
mod page;
mod trees;
mod view;

#[allow(unused_imports)]
use crate::prelude::*;
use alloc::borrow::Cow;
use attrs::{safe_attrs, set_attr, Attrs};
use open::{Open, Role};
use trees::Counters;

use super::html::{self, StartTag};
use crate::text::{after, before, find_any, slice};

pub use forms::is_card_autocomplete;
#[cfg(feature = "fuzzing")]
pub use page::Inert;
pub use page::{Canvas, Field, LinkSheet, Page};

/// The rewritten document and the scroll offsets it records.
pub struct Rewritten {
    /// The snapshot HTML (without doctype).
    pub html: String,
    /// `(x, y)` of each element given `data-ec-scroll-x`/`-y`, in document order.
    pub scrolls: Vec<(f64, f64)>,
}

/// Rewrites `source` (the serialization of one document, starting at `<html>`) into the
/// snapshot, resolving URLs against `base`.
pub fn rewrite(source: &str, base: &str, page: &mut dyn Page) -> Rewritten {
    let mut pass = Pass::new(source, base, page);
    pass.run();
    Rewritten {
        html: pass.out,
        scrolls: pass.scrolls,
    }
}

/// Rewrites markup that is not a document (a sprite file's `<svg>`) by the same rules,
/// without the `<head>` and `<base>` a document gets.
fn fragment(source: &str, base: &str, page: &mut dyn Page) -> String {
    let mut pass = Pass::new(source, base, page);
    pass.head_done = true;
    pass.run();
    pass.out
}

struct Pass<'a, 'p> {
    src: &'a str,
    pos: usize,
    out: String,
    base: &'a str,
    page: &'p mut dyn Page,
    stack: Vec<Open<'a>>,
    /// Trees entered, innermost last.
    trees: Vec<usize>,
    counters: Vec<Counters>,
    /// Open elements that suppress output.
    suppressed: usize,
    /// Open regular templates.
    uncounted: usize,
    /// The shadow root whose template must come next.
    pending_root: Option<usize>,
    head_done: bool,
    adopted_done: bool,
    /// The text and the page's tree went out of step inside a masked element: everything
    /// after is masked.
    mask_rest: bool,
    scrolls: Vec<(f64, f64)>,
    /// Scroll marks, video frames, sprites ([`view`]).
    view: view::View,
}

impl<'a, 'p> Pass<'a, 'p> {
    fn new(src: &'a str, base: &'a str, page: &'p mut dyn Page) -> Self {
        Self {
            src,
            pos: 0,
            out: String::with_capacity(src.len() + src.len() / 8),
            base,
            page,
            stack: Vec::new(),
            trees: vec![0],
            counters: vec![Counters::default()],
            suppressed: 0,
            uncounted: 0,
            pending_root: None,
            head_done: false,
            adopted_done: false,
            mask_rest: false,
            scrolls: Vec::new(),
            view: view::View::default(),
        }
    }
}

impl<'a> Pass<'a, '_> {
    /// The token loop. It reads the text the way the HTML tokenizer does, so that what it
    /// writes is read back the same: every `<` either opens a tag, an end tag, a comment or
    /// a bogus comment (both left out: they show nothing), or is a `<` character of the
    /// text, written escaped. Offsets only ever move past ASCII bytes or to the result of a
    /// search for one, so they always fall on character boundaries.
    fn run(&mut self) {
        while self.pos < self.src.len() {
            let rest = after(self.src, self.pos);
            let bytes = rest.as_bytes();
            let next = bytes.get(1).copied().unwrap_or(0);
            if rest.starts_with("<!--") {
                self.pending_root = None;
                self.pos += html::comment_end(rest);
            } else if rest.starts_with("</") && bytes.get(2).is_some_and(u8::is_ascii_alphabetic) {
                let end = html::find(rest, ">").map_or(rest.len(), |e| e + 1);
                let tag = slice(rest, 2, end);
                let name_end = find_any(tag, b" \t\n\r\x0c/>").unwrap_or(tag.len());
                self.pos += end;
                self.end_tag(before(tag, name_end));
            } else if rest.starts_with("<") && next.is_ascii_alphabetic() {
                match html::start_tag(self.src, self.pos) {
                    Some((tag, end)) => {
                        self.pos = end;
                        self.start_tag(tag);
                    }
                    // A tag cut off by the end of the text: its `<` is text.
                    None => self.less_than(),
                }
            } else if rest.starts_with("<") && matches!(next, b'!' | b'?' | b'/') {
                self.pending_root = None;
                self.pos += html::bogus_comment_end(rest);
            } else if rest.starts_with("<") {
                self.less_than();
            } else {
                let len = html::find(rest, "<").unwrap_or(rest.len());
                self.pending_root = None;
                self.text(before(rest, len));
                self.pos += len;
            }
        }
        while let Some(open) = self.stack.pop() {
            self.close(open);
        }
    }

    fn start_tag(&mut self, tag: StartTag<'a>) {
        if let Some(root) = self.pending_root.take() {
            if tag.name == "template" && tag.attr("shadowrootmode").is_some() {
                return self.enter_shadow_root(&tag, root);
            }
        }
        let tree = self.tree();
        let mut open = Open::new(&tag, self.stack.last());
        open.masked |= self.mask_rest;
        let (name, html_name, void) = (open.name, open.html_name(), open.is_void());
        let (index, nth) = match self.uncounted {
            0 => {
                let (index, nth) = self.counters[tree].count(name);
                (Some(index), nth)
            }
            _ => (None, None),
        };
        if self.suppressed > 0 || open.suppresses {
            return self.push_or_skip(open, void, index);
        }

        // The document's own <base> comes first in <head>, so relative URLs that this pass
        // does not see (inside CSS text of unreadable sheets, say) still resolve.
        if tree == 0 && self.stack.len() == 1 && !self.head_done {
            self.head_done = true;
            if name == "head" {
                self.emit_tag(name, safe_attrs(&tag, self.base));
                self.emit_base();
                return self.push_or_skip(open, void, index);
            }
            self.out.push_str("<head>");
            self.emit_base();
            self.out.push_str("</head>");
        }

        if open.drops_tag {
            return self.push_or_skip(open, void, index);
        }
        let mut attrs = safe_attrs(&tag, self.base);
        let masked = open.masked;
        let after_tag = match (html_name, nth) {
            ("input", Some(nth)) => {
                self.input_state(&tag, &mut attrs, tree, nth, masked);
                None
            }
            ("textarea", Some(nth)) => self.textarea_text(&tag, &mut open, tree, nth),
            ("select" | "datalist", _) => {
                open.role = forms::list_role(&tag, masked);
                None
            }
            ("option", Some(nth)) => {
                self.option_state(&mut attrs, tree, nth, masked);
                None
            }
            ("link", Some(nth)) if embeds::is_stylesheet(&tag) => {
                if self.inline_link(&tag, &attrs, tree, nth) {
                    return;
                }
                None
            }
            // An SVG <style> too: same sheet rules, but its text is escaped like other text.
            ("style", Some(nth)) | ("", Some(nth)) if name == "style" => {
                self.style_text(&mut open, tree, nth)
            }
            ("canvas", Some(nth)) => self.canvas(&mut attrs, &mut open, tree, nth),
            ("img", Some(nth)) if tag.attr("srcset").is_some() => {
                self.chosen_image(&mut attrs, tree, nth);
                None
            }
            ("source", _) if self.stack.last().is_some_and(|o| o.name == "picture") => {
                attrs::rename_attr(&mut attrs, "srcset", "data-ec-srcset");
                None
            }
            ("iframe", Some(nth)) => {
                self.iframe(&mut attrs, &mut open, tree, nth);
                None
            }
            // A field a script put in SVG or MathML is no field once parsed, but its markup
            // may still hold a secret (a hidden input's value).
            _ if open.foreign
                && ["input", "option"]
                    .iter()
                    .any(|field| name.eq_ignore_ascii_case(field)) =>
            {
                for state in ["value", "checked", "selected"] {
                    attrs::remove_attr(&mut attrs, state);
                }
                None
            }
            // A frameset page's frames become sandboxed iframes (a `<frame>` cannot be
            // sandboxed) laid out as the frameset laid them out.
            ("frame", _) => {
                set_attr(&mut attrs, "sandbox", String::new());
                attrs::add_style(&mut attrs, "width:100%;height:100%");
                None
            }
            ("frameset", _) => {
                embeds::frameset_layout(&mut attrs, self.stack.last().map(|o| o.name));
                None
            }
            // An <iframe> in SVG or MathML is no frame, but a parser that reads it as one
            // must find it sandboxed too.
            _ if name.eq_ignore_ascii_case("iframe") => {
                set_attr(&mut attrs, "sandbox", String::new());
                None
            }
            _ => None,
        };
        self.view_rules(&open, &mut attrs, tree, index);
        if masked {
            self.mask_attrs(name, &mut attrs, tree, index);
        }
        let mut mark = None;
        if let Some(index) = index {
            if let Some((x, y)) = self.page.scroll(tree, index) {
                let pixels = |px| {
                    let mut text = String::new();
                    html::push_pixels(&mut text, px);
                    text
                };
                set_attr(&mut attrs, "data-ec-scroll-x", pixels(x));
                set_attr(&mut attrs, "data-ec-scroll-y", pixels(y));
                self.scrolls.push((x, y));
                mark = self.scroll_mark(html_name, &mut attrs, (tree, index), (x, y));
            }
            self.pending_root = self.page.shadow_root(tree, index);
        }
        self.emit_tag(written_name(name), attrs);
        if html_name == "frame" {
            self.out.push_str("</iframe>");
        }
        if let Some(text) = after_tag {
            self.out.push_str(&text);
        } else if matches!(html_name, "pre" | "listing")
            && after(self.src, self.pos).starts_with("\n")
        {
            // The parser drops a newline right after the start tag, and the serializer
            // does not double it: doubling keeps the consumer's blank first line.
            self.out.push('\n');
        }
        if tree == 0 && html_name == "body" {
            mark = self.window_mark(index);
        }
        if let Some(mark) = mark {
            self.out.push_str(&mark);
        }
        self.push_or_skip(open, void, index);
    }

    /// Opens `open` (unless void) and, for raw-text elements, consumes their text now.
    fn push_or_skip(&mut self, open: Open<'a>, void: bool, index: Option<usize>) {
        if void {
            return;
        }
        let raw = open.has_raw_text();
        let name = open.name;
        if open.suppresses {
            self.suppressed += 1;
        }
        if open.uncounts {
            self.uncounted += 1;
        }
        if open.hides_content {
            self.suppressed += 1;
        }
        self.stack.push(open);
        if raw {
            self.raw_text(name, index);
        }
    }

    fn end_tag(&mut self, name: &str) {
        self.pending_root = None;
        let Some(depth) = self
            .stack
            .iter()
            .rposition(|o| o.name.eq_ignore_ascii_case(name))
        else {
            return;
        };
        while self.stack.len() > depth {
            let Some(open) = self.stack.pop() else { break };
            self.close(open);
        }
    }

    fn close(&mut self, open: Open<'a>) {
        if open.hides_content {
            self.suppressed -= 1;
        }
        if open.suppresses {
            self.suppressed -= 1;
            if open.uncounts {
                self.uncounted -= 1;
            }
            return;
        }
        if self.suppressed > 0 || open.drops_tag {
            return;
        }
        match open.role {
            Role::ShadowRoot(tree) => {
                self.emit_sprites(tree);
                self.emit_adopted(tree);
                self.check_count(tree);
                self.trees.pop();
            }
            _ if self.trees.len() == 1
                && (open.name == "body" || (open.name == "html" && !self.adopted_done)) =>
            {
                self.adopted_done = true;
                self.emit_sprites(0);
                self.emit_adopted(0);
            }
            _ => {}
        }
        if self.trees.len() == 1 && open.name == "html" {
            self.check_count(0);
        }
        self.out.push_str("</");
        self.out.push_str(written_name(open.name));
        self.out.push('>');
    }

    fn emit_adopted(&mut self, tree: usize) {
        if let Some(css) = self.page.adopted(tree) {
            self.out.push_str("<style data-ec-adopted=\"\">");
            html::push_raw_css(&mut self.out, &css);
            self.out.push_str("</style>");
        }
    }

    fn emit_base(&mut self) {
        self.out.push_str("<base href=\"");
        html::push_attr_escaped(&mut self.out, self.base);
        self.out.push_str("\">");
    }

    fn emit_tag(&mut self, name: &str, attrs: Attrs<'_>) {
        self.out.push('<');
        self.out.push_str(name);
        for (name, value) in attrs {
            // A value a rule wrote (a live image source, say) passes the same gate as the
            // page's own did in `safe_attrs`; `srcdoc` is a document, checked as one.
            if let Some(Cow::Owned(value)) = &value {
                if name != "srcdoc" && attrs::is_script_value(&name, value) {
                    continue;
                }
            }
            self.out.push(' ');
            self.out.push_str(&name);
            self.out.push_str("=\"");
            html::push_attr_value(&mut self.out, value.as_deref().unwrap_or(""));
            self.out.push('"');
        }
        self.out.push('>');
    }
}

/// The name an element is written under: a frameset page's `<frame>`s and `<frameset>`s
/// become sandboxable iframes and the boxes that lay them out.
fn written_name(name: &str) -> &str {
    if name.eq_ignore_ascii_case("frame") {
        "iframe"
    } else if name.eq_ignore_ascii_case("frameset") {
        "div"
    } else {
        name
    }
}

#[cfg(test)]
mod checker_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod prop_tests;
#[cfg(test)]
mod safety_tests;
#[cfg(test)]
mod tests;
