//! What an open element means for everything inside it, decided from its start tag and its
//! parent alone: whether it and its content are left out (scripts, `<noscript>`,
//! templates, refresh and CSP `<meta>`), masked, void, raw text, or SVG/MathML content.
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

/// An element whose end tag has not been read yet.
pub struct Open<'a> {
    /// Its name as serialized.
    pub name: &'a str,
    /// What it means for its content.
    pub role: Role,
    /// The element itself is SVG or MathML.
    pub foreign: bool,
    /// Content is in SVG/MathML (not HTML) unless at an integration point.
    pub foreign_content: bool,
    /// Under `data-ec-mask`: its text is masked and its fields are private.
    pub masked: bool,
    /// This element and its content are left out.
    pub suppresses: bool,
    /// A regular `<template>`: its content is not in `querySelectorAll`.
    pub uncounts: bool,
    /// Its text was replaced (style rules, a textarea's value), so the original is skipped.
    pub replaced_text: bool,
    /// Its content was replaced (a canvas's fallback), so the original is left out.
    pub hides_content: bool,
}

impl<'a> Open<'a> {
    /// The element `tag` opens inside `parent` (`None` at the top).
    pub fn new(tag: &StartTag<'a>, parent: Option<&Open<'_>>) -> Self {
        let name = tag.name;
        let foreign = parent.is_some_and(|o| o.foreign_content) || name == "svg" || name == "math";
        let html_name = if foreign { "" } else { name };
        let http_equiv = tag.attr("http-equiv").map(|v| v.to_ascii_lowercase());
        let suppresses = name == "script"
            || matches!(html_name, "noscript" | "template")
            || (html_name == "meta"
                && matches!(
                    http_equiv.as_deref(),
                    Some("refresh" | "content-security-policy")
                ));
        let foreign_content = foreign
            && !matches!(
                name,
                "foreignObject" | "desc" | "title" | "mi" | "mo" | "mn" | "ms" | "mtext"
            );
        Self {
            name,
            role: Role::Plain,
            foreign,
            foreign_content,
            masked: parent.is_some_and(|o| o.masked) || tag.attr("data-ec-mask").is_some(),
            suppresses,
            uncounts: html_name == "template",
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
            foreign_content: false,
            masked,
            suppresses: false,
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

    /// An HTML element without an end tag.
    pub fn is_void(&self) -> bool {
        VOID.contains(&self.html_name())
    }

    /// Its text is written unescaped by the serializer (`<style>`, `<script>`…).
    pub fn has_raw_text(&self) -> bool {
        !self.foreign_content && RAW_TEXT.contains(&self.name)
    }
}
