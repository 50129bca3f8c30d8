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
//! Privacy is decided here, from the markup, before any live value is read: a field that
//! is a password, a hidden input, a payment-card field (`autocomplete="cc-…"`) or inside
//! `data-ec-mask` (through shadow roots too) never has its live value asked for, and its
//! markup value is dropped.

use std::borrow::Cow;

use super::css::{absolute_srcset, absolute_urls};
use super::html::{self, StartTag, RAW_TEXT, VOID};
use super::url::resolve;

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
    /// How many elements `tree` has, to check that the text and the page stayed in step.
    fn element_count(&self, tree: usize) -> usize;
    /// Records something the snapshot could not reproduce.
    fn warn(&mut self, warning: String);
}

/// The rewritten document and the scroll offsets it records.
pub struct Rewritten {
    /// The snapshot HTML (without doctype).
    pub html: String,
    /// `(x, y)` of each element given `data-ec-scroll-x`/`-y`, in document order.
    pub scrolls: Vec<(f64, f64)>,
}

/// Attributes whose value is a URL: resolved, and dropped when they would run script.
const URL_ATTRS: [&str; 9] = [
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "cite",
];

/// Rewrites `source` (the serialization of one document, starting at `<html>`) into the
/// snapshot, resolving URLs against `base`.
pub fn rewrite(source: &str, base: &str, page: &mut dyn Page) -> Rewritten {
    let mut pass = Pass {
        src: source,
        pos: 0,
        out: String::with_capacity(source.len() + source.len() / 8),
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
    };
    pass.run();
    Rewritten {
        html: pass.out,
        scrolls: pass.scrolls,
    }
}

/// Per-tree positions of the elements seen so far.
#[derive(Default, Clone)]
struct Counters {
    elements: usize,
    fields: usize,
    styles: usize,
    links: usize,
    canvases: usize,
    images: usize,
    iframes: usize,
}

/// What an open element means for its content.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Plain,
    /// The `<template shadowrootmode>` of a shadow root: its content is that tree.
    ShadowRoot(usize),
    /// A `<select>`/`<datalist>`, and whether its options are private.
    List {
        private: bool,
    },
}

struct Open<'a> {
    name: &'a str,
    role: Role,
    /// Content is in SVG/MathML (not HTML) unless at an integration point.
    foreign_content: bool,
    masked: bool,
    /// This element and its content are left out.
    suppresses: bool,
    /// A regular `<template>`: its content is not in `querySelectorAll`.
    uncounts: bool,
    /// Its text was replaced (style rules, a textarea's value), so the original is skipped.
    replaced_text: bool,
    /// Its content was replaced (a canvas's fallback), so the original is left out.
    hides_content: bool,
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
}

impl<'a> Pass<'a, '_> {
    fn run(&mut self) {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() {
            let rest = &self.src[self.pos..];
            if rest.starts_with("<!--") {
                let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
                self.pending_root = None;
                self.emit_raw(&rest[..end]);
                self.pos += end;
            } else if rest.starts_with("</") {
                let end = rest.find('>').map_or(rest.len(), |e| e + 1);
                let name = rest[2..end.saturating_sub(1)].trim();
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
                let len = rest[1..].find('<').map_or(rest.len(), |e| e + 1);
                self.pending_root = None;
                self.text(&rest[..len]);
                self.pos += len;
            }
        }
        while let Some(open) = self.stack.pop() {
            self.close(open);
        }
    }

    fn tree(&self) -> usize {
        *self.trees.last().unwrap_or(&0)
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
        let raw = !top.foreign_content && RAW_TEXT.contains(&top.name);
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
        let parent_foreign = self.stack.last().is_some_and(|o| o.foreign_content);
        let parent_masked = self.stack.last().is_some_and(|o| o.masked);
        let name = tag.name;

        if let Some(root) = self.pending_root.take() {
            if name == "template" && tag.attr("shadowrootmode").is_some() {
                self.emit_tag(
                    name,
                    tag.attrs
                        .iter()
                        .map(|(n, v)| (Cow::Borrowed(*n), v.map(Cow::Borrowed)))
                        .collect(),
                );
                if self.counters.len() <= root {
                    self.counters.resize(root + 1, Counters::default());
                }
                self.trees.push(root);
                self.stack.push(Open {
                    name,
                    role: Role::ShadowRoot(root),
                    foreign_content: false,
                    masked: parent_masked,
                    suppresses: false,
                    uncounts: false,
                    replaced_text: false,
                    hides_content: false,
                });
                return;
            }
        }

        let tree = self.tree();
        let foreign = parent_foreign || name == "svg" || name == "math";
        let html_name = if foreign { "" } else { name };
        let counted = self.uncounted == 0;
        let counters = &mut self.counters[tree];
        let index = counted.then(|| {
            counters.elements += 1;
            counters.elements - 1
        });
        let nth = |count: &mut usize| {
            *count += 1;
            *count - 1
        };
        let nth = match (counted, name) {
            (false, _) => None,
            (_, "input" | "textarea" | "select" | "option") => Some(nth(&mut counters.fields)),
            (_, "style") => Some(nth(&mut counters.styles)),
            (_, "link") => Some(nth(&mut counters.links)),
            (_, "canvas") => Some(nth(&mut counters.canvases)),
            (_, "img") => Some(nth(&mut counters.images)),
            (_, "iframe") => Some(nth(&mut counters.iframes)),
            _ => None,
        };

        let masked = parent_masked || tag.attr("data-ec-mask").is_some();
        let http_equiv = tag.attr("http-equiv").map(|v| v.to_ascii_lowercase());
        let suppresses = name == "script"
            || matches!(html_name, "noscript" | "template")
            || (html_name == "meta"
                && matches!(
                    http_equiv.as_deref(),
                    Some("refresh" | "content-security-policy")
                ));
        let void = VOID.contains(&html_name);
        let foreign_content = if foreign {
            !matches!(
                name,
                "foreignObject" | "desc" | "title" | "mi" | "mo" | "mn" | "ms" | "mtext"
            )
        } else {
            false
        };
        let mut open = Open {
            name,
            role: Role::Plain,
            foreign_content,
            masked,
            suppresses,
            uncounts: html_name == "template",
            replaced_text: false,
            hides_content: false,
        };

        if self.suppressed > 0 || suppresses {
            self.push_or_skip(open, void);
            return;
        }

        // The document's own <base> comes first in <head>, so relative URLs that this pass
        // does not see (inside CSS text of unreadable sheets, say) still resolve.
        if tree == 0 && self.stack.len() == 1 && !self.head_done {
            self.head_done = true;
            if name == "head" {
                self.emit_tag(name, plain_attrs(&tag));
                self.emit_base();
                self.push_or_skip(open, void);
                return;
            }
            self.out.push_str("<head>");
            self.emit_base();
            self.out.push_str("</head>");
        }

        let mut attrs = self.safe_attrs(&tag);
        let mut after_tag: Option<String> = None;
        match (html_name, nth) {
            ("input", Some(nth)) => self.input_state(&tag, &mut attrs, tree, nth, masked),
            ("textarea", Some(nth)) => {
                let private = masked || is_card(&tag);
                let value = match private {
                    false => match self.page_field(tree, nth, "textarea") {
                        Field::TextArea(value) => value,
                        _ => String::new(),
                    },
                    true => String::new(),
                };
                let mut text = String::new();
                if value.starts_with('\n') {
                    text.push('\n');
                }
                html::push_text_escaped(&mut text, &value);
                after_tag = Some(text);
                open.replaced_text = true;
            }
            ("select" | "datalist", _) => {
                open.role = Role::List {
                    private: masked || is_card(&tag),
                };
            }
            ("option", Some(nth)) => {
                let list_private = self.stack.iter().rev().find_map(|o| match o.role {
                    Role::List { private } => Some(private),
                    _ => None,
                });
                let private = masked || list_private.unwrap_or(false);
                if private {
                    remove_attr(&mut attrs, "selected");
                } else if let Field::Option(selected) = self.page_field(tree, nth, "option") {
                    set_flag(&mut attrs, "selected", selected);
                }
            }
            ("link", Some(nth)) if is_stylesheet(&tag) => {
                if let LinkSheet::Inline(css) = self.page.link_sheet(tree, nth) {
                    self.out.push_str("<style");
                    if let Some(media) = tag.attr("media") {
                        self.out.push_str(" media=\"");
                        self.out.push_str(media);
                        self.out.push('"');
                    }
                    if let Some(href) = attr_value(&attrs, "href") {
                        self.out.push_str(" data-ec-href=\"");
                        self.out.push_str(&href);
                        self.out.push('"');
                    }
                    self.out.push('>');
                    html::push_raw_css(&mut self.out, &css);
                    self.out.push_str("</style>");
                    return;
                }
            }
            ("style", Some(nth)) => {
                if let Some(css) = self.page.style(tree, nth) {
                    let mut text = String::new();
                    html::push_raw_css(&mut text, &css);
                    after_tag = Some(text);
                    open.replaced_text = true;
                }
            }
            ("canvas", Some(nth)) => {
                if let Some(canvas) = self.page.canvas(tree, nth) {
                    let style = html::unescape(&attr_value(&attrs, "style").unwrap_or_default())
                        .into_owned();
                    let separator = if style.trim().is_empty() || style.trim_end().ends_with(';') {
                        ""
                    } else {
                        ";"
                    };
                    let display = if canvas.inline {
                        ";display:inline-block"
                    } else {
                        ""
                    };
                    let mut value = String::new();
                    html::push_attr_escaped(
                        &mut value,
                        &format!(
                            "{style}{separator}width:{};height:{}{display}",
                            canvas.width, canvas.height
                        ),
                    );
                    set_attr(&mut attrs, "style", value);
                    if let Some(pixels) = canvas.pixels.filter(|_| !masked) {
                        let mut img = String::from(
                            "<img alt=\"\" style=\"display:block;width:100%;height:100%\" src=\"",
                        );
                        html::push_attr_escaped(&mut img, &pixels);
                        img.push_str("\">");
                        after_tag = Some(img);
                    }
                    open.hides_content = true;
                }
            }
            // The candidate a browser picks from `srcset` depends on its cache as well as
            // its screen; the snapshot shows the one the consumer's browser picked.
            ("img", Some(nth)) if tag.attr("srcset").is_some() => {
                if let Some(current) = self.page.current_src(tree, nth) {
                    let mut value = String::new();
                    html::push_attr_escaped(&mut value, &current);
                    set_attr(&mut attrs, "src", value);
                    rename_attr(&mut attrs, "srcset", "data-ec-srcset");
                }
            }
            ("source", _) if self.stack.last().is_some_and(|o| o.name == "picture") => {
                rename_attr(&mut attrs, "srcset", "data-ec-srcset");
            }
            ("iframe", Some(nth)) => {
                let document = if masked {
                    None
                } else {
                    self.page.iframe(tree, nth)
                };
                if let Some(document) = document {
                    let mut value = String::new();
                    html::push_attr_escaped(&mut value, &document);
                    set_attr(&mut attrs, "srcdoc", value);
                }
                set_attr(&mut attrs, "sandbox", String::new());
                open.replaced_text = true;
            }
            _ => {}
        }
        if foreign && name == "style" {
            // An SVG <style>: same sheet rules, but its text is escaped like other text.
            if let Some(nth) = nth.filter(|_| !open.replaced_text) {
                if let Some(css) = self.page.style(tree, nth) {
                    let mut text = String::new();
                    html::push_text_escaped(&mut text, &css);
                    after_tag = Some(text);
                    open.replaced_text = true;
                }
            }
        }
        if let Some(index) = index {
            if let Some((x, y)) = self.page.scroll(tree, index) {
                set_attr(&mut attrs, "data-ec-scroll-x", x.to_string());
                set_attr(&mut attrs, "data-ec-scroll-y", y.to_string());
                self.scrolls.push((x, y));
            }
            self.pending_root = self.page.shadow_root(tree, index);
        }
        self.emit_tag(name, attrs);
        if let Some(text) = after_tag {
            self.out.push_str(&text);
        }
        self.push_or_skip(open, void);
    }

    /// Opens `open` (unless void) and, for raw-text elements, consumes their text now.
    fn push_or_skip(&mut self, open: Open<'a>, void: bool) {
        if void {
            return;
        }
        let raw = !open.foreign_content
            && !self.stack.last().is_some_and(|o| o.foreign_content)
            && RAW_TEXT.contains(&open.name);
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
            let text = &self.src[self.pos..end];
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
            let open = self.stack.pop().expect("depth is within the stack");
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
                self.emit_adopted(tree);
                self.check_count(tree);
                self.trees.pop();
            }
            _ if self.trees.len() == 1
                && (open.name == "body" || (open.name == "html" && !self.adopted_done)) =>
            {
                self.adopted_done = true;
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

    fn check_count(&mut self, tree: usize) {
        let seen = self.counters.get(tree).map_or(0, |c| c.elements);
        let live = self.page.element_count(tree);
        if seen != live {
            self.page.warn(format!(
                "tree {tree}: {seen} elements serialized but {live} on the page; form state may be misplaced"
            ));
        }
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

    fn emit_tag(&mut self, name: &str, attrs: Vec<(Cow<'_, str>, Option<Cow<'_, str>>)>) {
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

    /// The tag's attributes without inline handlers, script URLs and `srcdoc`, with URLs
    /// made absolute. Values stay escaped.
    fn safe_attrs(&self, tag: &StartTag<'a>) -> Vec<(Cow<'a, str>, Option<Cow<'a, str>>)> {
        let mut attrs = Vec::with_capacity(tag.attrs.len());
        for &(name, value) in &tag.attrs {
            let lower = name.to_ascii_lowercase();
            if lower.starts_with("on") || lower == "srcdoc" || lower.starts_with("data-ec-scroll") {
                continue;
            }
            let Some(value) = value else {
                attrs.push((Cow::Borrowed(name), None));
                continue;
            };
            let rewritten = match lower.as_str() {
                url if URL_ATTRS.contains(&url) => {
                    let url = html::unescape(value);
                    if is_script_url(&url) {
                        continue;
                    }
                    let resolved = resolve(self.base, &url);
                    (resolved != url).then_some(resolved)
                }
                "srcset" | "imagesrcset" => {
                    Some(absolute_srcset(&html::unescape(value), self.base))
                }
                "style" if value.contains("url(") || value.contains("URL(") => {
                    match absolute_urls(&html::unescape(value), self.base) {
                        Cow::Owned(css) => Some(css),
                        Cow::Borrowed(_) => None,
                    }
                }
                _ => None,
            };
            let value = match rewritten {
                Some(text) => {
                    let mut escaped = String::new();
                    html::push_attr_escaped(&mut escaped, &text);
                    Cow::Owned(escaped)
                }
                None => Cow::Borrowed(value),
            };
            attrs.push((Cow::Borrowed(name), Some(value)));
        }
        attrs
    }

    fn page_field(&mut self, tree: usize, nth: usize, expected: &str) -> Field {
        let field = self.page.field(tree, nth);
        let matches = matches!(
            (&field, expected),
            (Field::Input { .. }, "input")
                | (Field::TextArea(_), "textarea")
                | (Field::Option(_), "option")
        );
        if matches {
            field
        } else {
            self.page.warn(format!(
                "tree {tree}: field {nth} is not the {expected} serialized there"
            ));
            Field::Other
        }
    }

    fn input_state(
        &mut self,
        tag: &StartTag<'_>,
        attrs: &mut Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>,
        tree: usize,
        nth: usize,
        masked: bool,
    ) {
        let kind = tag
            .attr("type")
            .unwrap_or("text")
            .trim()
            .to_ascii_lowercase();
        let private = masked || is_card(tag) || matches!(kind.as_str(), "password" | "hidden");
        match kind.as_str() {
            // Their value is the page's label, not the user's input.
            "button" | "submit" | "reset" | "image" => {}
            // A file input's value is a fake path and cannot be restored.
            "file" => remove_attr(attrs, "value"),
            "checkbox" | "radio" if private => remove_attr(attrs, "checked"),
            "checkbox" | "radio" => {
                if let Field::Input { checked, .. } = self.page_field(tree, nth, "input") {
                    set_flag(attrs, "checked", checked);
                }
            }
            _ if private => remove_attr(attrs, "value"),
            _ => {
                if let Field::Input { kind, value, .. } = self.page_field(tree, nth, "input") {
                    // The live field must agree that it is not secret, whatever the markup says.
                    if matches!(kind.as_str(), "password" | "hidden") {
                        remove_attr(attrs, "value");
                    } else {
                        let mut escaped = String::new();
                        html::push_attr_escaped(&mut escaped, &value);
                        set_attr(attrs, "value", escaped);
                    }
                }
            }
        }
    }
}

/// The tag's attributes unchanged.
fn plain_attrs<'a>(tag: &StartTag<'a>) -> Vec<(Cow<'a, str>, Option<Cow<'a, str>>)> {
    tag.attrs
        .iter()
        .map(|(n, v)| (Cow::Borrowed(*n), v.map(Cow::Borrowed)))
        .collect()
}

fn attr_value(attrs: &[(Cow<'_, str>, Option<Cow<'_, str>>)], name: &str) -> Option<String> {
    attrs
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_deref().unwrap_or("").to_owned())
}

/// Sets attribute `name` to an already escaped value.
fn set_attr<'a>(
    attrs: &mut Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>,
    name: &'static str,
    escaped: String,
) {
    match attrs.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        Some(slot) => slot.1 = Some(Cow::Owned(escaped)),
        None => attrs.push((Cow::Borrowed(name), Some(Cow::Owned(escaped)))),
    }
}

fn rename_attr(attrs: &mut [(Cow<'_, str>, Option<Cow<'_, str>>)], from: &str, to: &'static str) {
    if let Some(slot) = attrs.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(from)) {
        slot.0 = Cow::Borrowed(to);
    }
}

fn remove_attr(attrs: &mut Vec<(Cow<'_, str>, Option<Cow<'_, str>>)>, name: &str) {
    attrs.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
}

fn set_flag<'a>(
    attrs: &mut Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>,
    name: &'static str,
    on: bool,
) {
    if on {
        set_attr(attrs, name, String::new());
    } else {
        remove_attr(attrs, name);
    }
}

/// `autocomplete="… cc-…"`: a payment-card field.
fn is_card(tag: &StartTag<'_>) -> bool {
    tag.attr("autocomplete").is_some_and(|ac| {
        ac.split_whitespace()
            .any(|t| t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("cc-")))
    })
}

fn is_stylesheet(tag: &StartTag<'_>) -> bool {
    tag.attr("rel").is_some_and(|rel| {
        rel.split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case("stylesheet"))
    })
}

/// Whether a URL attribute would run script, read the way browsers parse URLs: tabs and
/// newlines are ignored anywhere and leading control characters and spaces are trimmed.
pub fn is_script_url(value: &str) -> bool {
    let cleaned: String = value
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let scheme = cleaned
        .trim_start_matches(|c: char| c <= ' ')
        .to_ascii_lowercase();
    scheme.starts_with("javascript:") || scheme.starts_with("vbscript:")
}

#[cfg(test)]
#[path = "rewrite_tests.rs"]
mod tests;
