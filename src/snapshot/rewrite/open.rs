//! What an open element means for everything inside it, decided from its start tag and its
//! parent alone: whether it and its content are left out (scripts, `<noscript>`,
//! templates, `<embed>`, `<meta http-equiv>`; the tags of `<object>` and `<applet>`), masked, void, raw text, or SVG/MathML
//! content — the last read the way the HTML parser will read the snapshot.
//!
//! The rewrite pass keeps one [`Open`] per element on its stack; the per-element rules may
//! then mark it as having its text or content replaced.

use super::super::html::{StartTag, RAW_TEXT, VOID};
#[allow(unused_imports)]
use crate::prelude::*;

/// What an open element means for its content.
#[derive(Clone, Copy, PartialEq)]
pub enum Role {
    /// Nothing special.
    Plain,
    /// The `<template shadowrootmode>` of a shadow root: its content is that tree.
    ShadowRoot(usize),
    /// A `<select>`/`<datalist>`, and whether its options are private.
    List {
        /// Its options' state must not be read.
        private: bool,
    },
}

/// How the HTML parser reads the content of an element: which namespace its child
/// elements get. The pass follows the parser's rules, not the live page's namespaces: what
/// matters is how the snapshot will be read, and a parser that reads a raw-text element's
/// content as markup (or the other way round) would turn text into tags.
#[derive(Clone, Copy, PartialEq)]
pub enum Content {
    /// HTML content: `<svg>` and `<math>` start foreign content.
    Html,
    /// SVG content.
    Svg,
    /// MathML content.
    MathMl,
    /// A MathML text integration point (`<mi>`…): HTML, except `<mglyph>`/`<malignmark>`.
    MathText,
    /// A MathML `<annotation-xml>` that is not an HTML integration point: `<svg>` is SVG.
    Annotation,
}

/// An element whose end tag has not been read yet.
pub struct Open<'a> {
    /// Its name as serialized.
    pub name: &'a str,
    /// What it means for its content.
    pub role: Role,
    /// The element itself is SVG or MathML, as the parser would read it.
    pub foreign: bool,
    /// How its content is read.
    pub content: Content,
    /// Under `data-ec-mask`: its text is masked and its fields are private.
    pub masked: bool,
    /// This element and its content are left out.
    pub suppresses: bool,
    /// Its start and end tags are left out, its content is kept (`<object>`'s fallback).
    pub drops_tag: bool,
    /// A regular `<template>`: its content is not in `querySelectorAll`.
    pub uncounts: bool,
    /// Its text was replaced (style rules, a textarea's value), so the original is skipped.
    pub replaced_text: bool,
    /// Its content was replaced (a canvas's fallback), so the original is left out.
    pub hides_content: bool,
}

/// Start tags that end SVG/MathML content: the parser reads them as HTML elements.
const BREAKOUT: [&str; 44] = [
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

impl<'a> Open<'a> {
    /// The element `tag` opens inside `parent` (`None` at the top).
    pub fn new(tag: &StartTag<'a>, parent: Option<&Open<'_>>) -> Self {
        let name = tag.name;
        let is = |other: &str| name.eq_ignore_ascii_case(other);
        let context = parent.map_or(Content::Html, |o| o.content);
        let html_start = || {
            if is("svg") {
                Content::Svg
            } else if is("math") {
                Content::MathMl
            } else {
                Content::Html
            }
        };
        let breaks_out = || {
            BREAKOUT.iter().any(|b| is(b))
                || (is("font")
                    && ["color", "face", "size"]
                        .iter()
                        .any(|a| tag.attr(a).is_some()))
        };
        // The namespace the parser gives the element, as a `Content` of that namespace.
        let namespace = match context {
            Content::Html => html_start(),
            Content::MathText if is("mglyph") || is("malignmark") => Content::MathMl,
            Content::MathText => html_start(),
            Content::Annotation if is("svg") => Content::Svg,
            Content::Annotation if breaks_out() => Content::Html,
            Content::Annotation => Content::MathMl,
            Content::Svg | Content::MathMl if breaks_out() => Content::Html,
            foreign => foreign,
        };
        let content = match namespace {
            Content::Svg if is("foreignObject") || is("desc") || is("title") => Content::Html,
            Content::MathMl if ["mi", "mo", "mn", "ms", "mtext"].iter().any(|m| is(m)) => {
                Content::MathText
            }
            Content::MathMl if is("annotation-xml") => {
                let encoding = tag.attr("encoding").unwrap_or("");
                if encoding.eq_ignore_ascii_case("text/html")
                    || encoding.eq_ignore_ascii_case("application/xhtml+xml")
                {
                    Content::Html
                } else {
                    Content::Annotation
                }
            }
            other => other,
        };
        let foreign = namespace != Content::Html;
        // Compared ignoring case: the parser lower-cases names, so `<SCRIPT>` written for an
        // element made with `createElementNS` would be a script in the snapshot.
        let suppresses = is("script")
            || is("embed")
            || (!foreign
                && (is("noscript")
                    || is("template")
                    || (is("meta") && tag.attr("http-equiv").is_some())
                    || (name.bytes().any(|b| b.is_ascii_uppercase()))));
        Self {
            name,
            role: Role::Plain,
            foreign,
            content,
            masked: parent.is_some_and(|o| o.masked) || tag.attr("data-ec-mask").is_some(),
            suppresses,
            // Plugins are gone; their fallback content is what a browser shows today.
            drops_tag: is("object") || is("applet"),
            uncounts: !foreign && is("template"),
            replaced_text: false,
            hides_content: false,
        }
    }

    /// The `<template shadowrootmode>` that holds shadow root `tree`.
    pub fn shadow_root(name: &'a str, tree: usize, masked: bool) -> Self {
        Self {
            name,
            role: Role::ShadowRoot(tree),
            foreign: false,
            content: Content::Html,
            masked,
            suppresses: false,
            drops_tag: false,
            uncounts: false,
            replaced_text: false,
            hides_content: false,
        }
    }

    /// Its name if it is an HTML element, else `""`: SVG has its own `<style>`, `<a>`…
    pub fn html_name(&self) -> &'a str {
        if self.foreign {
            ""
        } else {
            self.name
        }
    }

    /// An element without an end tag. By name in any namespace: the serializer writes
    /// none for an HTML `<input>` a script put in SVG, where a parser reads an SVG element.
    pub fn is_void(&self) -> bool {
        VOID.contains(&self.name)
    }

    /// Its text is written unescaped by the serializer and read as raw text by the parser
    /// (`<style>`, `<script>`…).
    pub fn has_raw_text(&self) -> bool {
        RAW_TEXT.contains(&self.html_name())
    }
}
