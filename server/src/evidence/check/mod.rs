//! The snapshot checker: a stored snapshot must be inert as a file.
//!
//! Owns the one decision of whether a snapshot's HTML holds anything a browser would run
//! when the file is opened from disk with JavaScript on, where no `Content-Security-Policy`
//! header protects it. The HTML is read by a real parser (html5ever through `scraper`), so
//! the checker sees what a browser sees: entities decoded, names lower-cased, SVG parsed
//! as SVG, `<template>` contents (declarative shadow roots) in the tree. Every element is
//! visited, including template contents, and each `<iframe srcdoc>` is parsed and checked
//! the same way, at most [`MAX_FRAME_DEPTH`] frames deep.
//!
//! Refused, with the first thing found named in the message:
//! - `<script>` elements, HTML or SVG;
//! - `on*` attributes (inline event handlers), on any element;
//! - `javascript:` and `vbscript:` URLs in any attribute (and in each item of an SVG
//!   animation's `values` list), read as a URL parser reads them: leading C0 controls and
//!   spaces stripped, tabs and newlines removed anywhere, any case;
//! - `data:` URLs of a document type (HTML, XHTML, SVG, XML) where they would be opened as
//!   a document: `href` of links and `<base>`, `src` of frames, `action`/`formaction`;
//! - `<meta http-equiv="refresh">`;
//! - `<object>`, `<embed>`, `<applet>` and `<frame>` (plugins and frames that cannot be
//!   sandboxed), and an `<iframe>` without a `sandbox` that withholds `allow-scripts`;
//! - SVG animations (`<set>`, `<animate>`) of an `on*` attribute;
//! - frames nested deeper than [`MAX_FRAME_DEPTH`], which are not checked.
//!
//! The SDK removes or neutralises each of these, so a capture from a real page passes.
//! Pure: no I/O. Must never panic, whatever the input (see the property tests).

mod urls;

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

use std::fmt;

use ego_tree::NodeRef;
use scraper::node::Element;
use scraper::{Html, Node};

pub use urls::{document_data_url, script_scheme};

/// How many `<iframe srcdoc>` documents deep the checker reads; deeper frames are refused.
/// The SDK inlines same-origin frames at most 4 deep.
pub const MAX_FRAME_DEPTH: usize = 8;

/// Why a snapshot was refused: what was found and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// What was found.
    pub found: Found,
    /// The element it was on or was (lower-case local name).
    pub element: String,
    /// Where that element is: the frames and shadow roots around it, outermost first.
    pub within: Vec<Place>,
}

/// The kinds of executable content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A `<script>` element (HTML or SVG).
    Script,
    /// An inline event handler attribute.
    Handler(String),
    /// A `javascript:` or `vbscript:` URL in this attribute.
    ScriptUrl { attribute: String, scheme: String },
    /// A `data:` URL of a document type in an attribute that would open it as a document.
    DocumentDataUrl { attribute: String },
    /// `<meta http-equiv="refresh">`.
    Refresh,
    /// `<object>`, `<embed>`, `<applet>` or `<frame>`.
    Plugin,
    /// An `<iframe>` that may run script: no `sandbox`, or `sandbox="allow-scripts …"`.
    UnsandboxedFrame,
    /// An SVG animation that sets an event handler attribute.
    AnimatedHandler(String),
    /// Frames nested deeper than [`MAX_FRAME_DEPTH`].
    TooDeep,
}

/// A container of the offending element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The `srcdoc` document of an `<iframe>`.
    Srcdoc,
    /// A `<template>`: a declarative shadow root when it has `shadowrootmode`.
    Template { shadow_root: bool },
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Script => f.write_str("a script element"),
            Self::Handler(name) => write!(f, "an inline event handler ({name})"),
            Self::ScriptUrl { attribute, scheme } => {
                write!(f, "a {scheme}: URL in its {attribute} attribute")
            }
            Self::DocumentDataUrl { attribute } => {
                write!(
                    f,
                    "a data: URL of an HTML/SVG/XML document in its {attribute} attribute"
                )
            }
            Self::Refresh => f.write_str("a refresh (meta http-equiv=\"refresh\")"),
            Self::Plugin => f.write_str("a plugin or frame element that cannot be sandboxed"),
            Self::UnsandboxedFrame => {
                f.write_str("an iframe that may run script (no sandbox, or allow-scripts)")
            }
            Self::AnimatedHandler(name) => {
                write!(f, "an SVG animation of an event handler ({name})")
            }
            Self::TooDeep => write!(f, "frames nested more than {MAX_FRAME_DEPTH} deep"),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the snapshot contains executable content: {} on <{}>",
            self.found, self.element
        )?;
        for place in self.within.iter().rev() {
            match place {
                Place::Srcdoc => f.write_str(", inside an iframe's srcdoc")?,
                Place::Template { shadow_root: true } => {
                    f.write_str(", inside a declarative shadow root")?
                }
                Place::Template { shadow_root: false } => f.write_str(", inside a <template>")?,
            }
        }
        f.write_str(
            "; a snapshot must be inert (no scripts, event handlers, javascript: URLs, \
             refreshes, plugins or unsandboxed frames), as the ExpressConsent SDK writes it",
        )
    }
}

impl std::error::Error for Rejection {}

/// Checks a snapshot's HTML. `Ok` means a browser opening it as a file runs nothing.
pub fn check(html: &str) -> Result<(), Rejection> {
    check_document(&Html::parse_document(html))
}

/// [`check`] on an already parsed document, so that ingest parses the snapshot once.
pub fn check_document(document: &Html) -> Result<(), Rejection> {
    check_at(document, 0)
}

fn check_at(document: &Html, depth: usize) -> Result<(), Rejection> {
    // Every node the parser made, template contents included, whatever its place.
    for node in document.tree.nodes() {
        let Node::Element(element) = node.value() else {
            continue;
        };
        if let Err(found) = check_element(element) {
            return Err(rejection(found, element, node));
        }
        if element.name() == "iframe" && is_html(element) {
            if let Some(srcdoc) = element.attr("srcdoc") {
                if depth + 1 > MAX_FRAME_DEPTH {
                    return Err(rejection(Found::TooDeep, element, node));
                }
                check_at(&Html::parse_document(srcdoc), depth + 1).map_err(|mut inner| {
                    let mut outer = places(node);
                    outer.push(Place::Srcdoc);
                    outer.append(&mut inner.within);
                    inner.within = outer;
                    inner
                })?;
            }
        }
    }
    Ok(())
}

fn rejection(found: Found, element: &Element, node: NodeRef<'_, Node>) -> Rejection {
    Rejection {
        found,
        element: element.name().to_ascii_lowercase(),
        within: places(node),
    }
}

/// The templates around `node` in its own document, outermost first.
fn places(node: NodeRef<'_, Node>) -> Vec<Place> {
    let mut within: Vec<Place> = node
        .ancestors()
        .filter_map(|n| match n.value() {
            Node::Element(e) if e.name() == "template" => Some(Place::Template {
                shadow_root: e.attr("shadowrootmode").is_some(),
            }),
            _ => None,
        })
        .collect();
    within.reverse();
    within
}

fn is_html(element: &Element) -> bool {
    &*element.name.ns == "http://www.w3.org/1999/xhtml"
}

fn is_svg(element: &Element) -> bool {
    &*element.name.ns == "http://www.w3.org/2000/svg"
}

/// The checks of one element on its own.
fn check_element(element: &Element) -> Result<(), Found> {
    let name = element.name().to_ascii_lowercase();
    match name.as_str() {
        "script" => return Err(Found::Script),
        "object" | "embed" | "applet" | "frame" if is_html(element) => return Err(Found::Plugin),
        "meta" if is_refresh(element) => return Err(Found::Refresh),
        "iframe" if is_html(element) && may_run_script(element) => {
            return Err(Found::UnsandboxedFrame)
        }
        "set" | "animate" if is_svg(element) => check_animation(element)?,
        _ => {}
    }
    for (attribute, value) in element.attrs() {
        let attribute = attribute.to_ascii_lowercase();
        if attribute.starts_with("on") {
            return Err(Found::Handler(attribute));
        }
        if attribute == "srcdoc" {
            continue;
        }
        if let Some(scheme) = script_scheme(value) {
            return Err(script_url(&attribute, scheme));
        }
        if attribute == "values" {
            if let Some(scheme) = value.split(';').find_map(script_scheme) {
                return Err(script_url(&attribute, scheme));
            }
        }
        if opens_as_document(&name, &attribute) && document_data_url(value) {
            return Err(Found::DocumentDataUrl { attribute });
        }
    }
    Ok(())
}

fn script_url(attribute: &str, scheme: &str) -> Found {
    Found::ScriptUrl {
        attribute: attribute.to_owned(),
        scheme: scheme.to_owned(),
    }
}

/// `http-equiv` is compared as browsers do, ASCII case-insensitively (and trimmed, which
/// browsers do not, to be safe).
fn is_refresh(element: &Element) -> bool {
    element
        .attr("http-equiv")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh"))
}

/// An iframe runs script unless it has a `sandbox` attribute without `allow-scripts`.
fn may_run_script(element: &Element) -> bool {
    match element.attr("sandbox") {
        None => true,
        Some(tokens) => tokens
            .split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case("allow-scripts")),
    }
}

/// `<set attributeName="onclick" to="…">` would install a handler in some engines.
fn check_animation(element: &Element) -> Result<(), Found> {
    let target = element
        .attrs()
        .find(|(name, _)| name.eq_ignore_ascii_case("attributename"))
        .map(|(_, value)| value.trim().to_ascii_lowercase());
    match target {
        Some(name) if name.starts_with("on") => Err(Found::AnimatedHandler(name)),
        _ => Ok(()),
    }
}

/// Attributes whose URL a click or a frame opens as a document.
fn opens_as_document(element: &str, attribute: &str) -> bool {
    match attribute {
        "href" => matches!(element, "a" | "area" | "base"),
        "src" => matches!(element, "iframe" | "frame"),
        "action" | "formaction" => true,
        _ => false,
    }
}
