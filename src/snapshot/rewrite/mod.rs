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
//! element becomes lives beside it: [`attrs`] (handlers, script URLs, absolute URLs),
//! [`forms`] (form state and its privacy), [`embeds`] (sheets, canvases, images, iframes)
//! [`open`] (what an element means for its content) and [`trees`] (matching elements to
//! the live page).

mod attrs;
mod embeds;
mod forms;
mod mask;
mod open;
mod page;
mod trees;
mod view;

#[allow(unused_imports)]
use crate::prelude::*;
use attrs::{plain_attrs, safe_attrs, set_attr, Attrs};
use open::{Open, Role};
use trees::Counters;

use super::html::{self, StartTag};
use crate::text::{after, before, slice};

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
            scrolls: Vec::new(),
            view: view::View::default(),
        }
    }
}

impl<'a> Pass<'a, '_> {
    fn run(&mut self) {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() {
            let rest = after(self.src, self.pos);
            if rest.starts_with("<!--") {
                let end = html::find(rest, "-->").map_or(rest.len(), |e| e + 3);
                self.pending_root = None;
                self.emit_raw(before(rest, end));
                self.pos += end;
            } else if rest.starts_with("</") {
                let end = rest.find('>').map_or(rest.len(), |e| e + 1);
                let name = rest
                    .get(2..end.saturating_sub(1))
                    .unwrap_or("")
                    .trim_ascii();
                self.pos += end;
                self.end_tag(name);
            } else if rest.starts_with('<')
                && rest.as_bytes().get(1).is_some_and(u8::is_ascii_alphabetic)
            {
                match html::start_tag(self.src, self.pos) {
                    Some((tag, end)) => {
                        self.pos = end;
                        self.start_tag(tag);
                    }
                    None => self.pos = bytes.len(),
                }
            } else {
                let len = after(rest, 1).find('<').map_or(rest.len(), |e| e + 1);
                self.pending_root = None;
                self.text(before(rest, len));
                self.pos += len;
            }
        }
        while let Some(open) = self.stack.pop() {
            self.close(open);
        }
    }

    fn emit_raw(&mut self, text: &str) {
        if self.suppressed == 0 {
            self.out.push_str(text);
        }
    }

    fn text(&mut self, text: &str) {
        let Some(top) = self.stack.last() else {
            return self.emit_raw(text);
        };
        if self.suppressed > 0 || top.replaced_text {
            return;
        }
        let raw = top.has_raw_text();
        if top.masked && !matches!(top.name, "style" | "script") {
            if raw {
                // Raw text is unescaped, so escape it first: masking reads escaped text.
                let mut escaped = String::new();
                html::push_text_escaped(&mut escaped, text);
                html::push_masked(&mut self.out, &escaped);
            } else {
                html::push_masked(&mut self.out, text);
            }
        } else {
            self.out.push_str(text);
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
        let (name, html_name, void) = (open.name, open.html_name(), open.is_void());
        let (index, nth) = match self.uncounted {
            0 => {
                let (index, nth) = self.counters[tree].count(name);
                (Some(index), nth)
            }
            _ => (None, None),
        };
        if self.suppressed > 0 || open.suppresses {
            return self.push_or_skip(open, void);
        }

        // The document's own <base> comes first in <head>, so relative URLs that this pass
        // does not see (inside CSS text of unreadable sheets, say) still resolve.
        if tree == 0 && self.stack.len() == 1 && !self.head_done {
            self.head_done = true;
            if name == "head" {
                self.emit_tag(name, plain_attrs(&tag));
                self.emit_base();
                return self.push_or_skip(open, void);
            }
            self.out.push_str("<head>");
            self.emit_base();
            self.out.push_str("</head>");
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
        self.emit_tag(name, attrs);
        if let Some(text) = after_tag {
            self.out.push_str(&text);
        }
        if tree == 0 && html_name == "body" {
            mark = self.window_mark(index);
        }
        if let Some(mark) = mark {
            self.out.push_str(&mark);
        }
        self.push_or_skip(open, void);
    }

    /// Opens `open` (unless void) and, for raw-text elements, consumes their text now.
    fn push_or_skip(&mut self, open: Open<'a>, void: bool) {
        if void {
            return;
        }
        let raw = open.has_raw_text() && !self.stack.last().is_some_and(|o| o.foreign_content);
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
            let end = html::raw_text_end(self.src, self.pos, name);
            let text = slice(self.src, self.pos, end);
            self.pos = end;
            self.text(text);
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
        if self.suppressed > 0 {
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
        self.out.push_str(open.name);
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
            self.out.push(' ');
            self.out.push_str(&name);
            self.out.push_str("=\"");
            self.out.push_str(value.as_deref().unwrap_or(""));
            self.out.push('"');
        }
        self.out.push('>');
    }
}

#[cfg(test)]
mod tests;
