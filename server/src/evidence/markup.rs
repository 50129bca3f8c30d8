//! Reading the consent tags from a snapshot's markup.
//!
//! Owns what the server takes from the captured DOM itself: every `data-ec-disclosure`
//! element with its text and whether the markup hides it, every `data-ec-consent-checkbox`
//! with its state (the SDK writes live state into `checked` and `aria-checked`), and the
//! element that the trigger's selector finds. Elements are read in document order,
//! declarative shadow roots (`<template shadowrootmode>` contents) included; `srcdoc`
//! frames are documents of their own and are not read. Pure: no I/O.

use ego_tree::iter::Edge;
use expressconsent_protocol::MAX_DISCLOSURE_CHARS;
use scraper::{ElementRef, Html, Node, Selector};

/// Most disclosures and most consent checkboxes read from one snapshot. Reading each costs
/// a walk of its subtree and ancestors, so a forged page of nested tags could otherwise
/// take quadratic time; more are only counted.
pub const MAX_TAGGED: usize = 50;

/// One `data-ec-disclosure` element as the markup shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedDisclosure {
    /// The attribute's value (empty for an untagged one).
    pub id: String,
    /// Its text, whitespace collapsed, at most `MAX_DISCLOSURE_CHARS` characters.
    pub text: String,
    /// `hidden`, or an inline style that hides it, on it or an ancestor.
    pub hidden: bool,
}

/// One `data-ec-consent-checkbox` as the markup shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedCheckbox {
    /// `data-ec-consent-for`, if any.
    pub consent_for: Option<String>,
    /// Its state at capture.
    pub checked: bool,
}

/// The consent tags of a snapshot.
#[derive(Debug, Clone, Default)]
pub struct Markup {
    /// The first [`MAX_TAGGED`], in document order.
    pub disclosures: Vec<TaggedDisclosure>,
    /// The first [`MAX_TAGGED`], in document order.
    pub checkboxes: Vec<TaggedCheckbox>,
    /// How many `data-ec-disclosure` elements the snapshot has in all.
    pub disclosure_count: usize,
    /// How many `data-ec-consent-checkbox` elements the snapshot has in all.
    pub checkbox_count: usize,
}

/// The elements of the document in document order, template contents included.
fn elements(dom: &Html) -> impl Iterator<Item = ElementRef<'_>> {
    dom.tree.root().descendants().filter_map(ElementRef::wrap)
}

/// Reads every disclosure and consent checkbox.
pub fn read(dom: &Html) -> Markup {
    let mut markup = Markup::default();
    for element in elements(dom) {
        let el = element.value();
        if el.attr("data-ec-disclosure").is_some() {
            markup.disclosure_count += 1;
        }
        if el.attr("data-ec-consent-checkbox").is_some() {
            markup.checkbox_count += 1;
        }
        if let Some(id) = el
            .attr("data-ec-disclosure")
            .filter(|_| markup.disclosures.len() < MAX_TAGGED)
        {
            markup.disclosures.push(TaggedDisclosure {
                id: id.to_owned(),
                text: text_of(element),
                hidden: hidden(element),
            });
        }
        if el.attr("data-ec-consent-checkbox").is_some() && markup.checkboxes.len() < MAX_TAGGED {
            markup.checkboxes.push(TaggedCheckbox {
                consent_for: el.attr("data-ec-consent-for").map(str::to_owned),
                checked: checked(element),
            });
        }
    }
    markup
}

/// What the trigger's selector finds: `None` when it finds nothing (or is not a valid
/// selector), else whether that element is, or is inside, a `data-ec-submit` control.
pub fn trigger_is_submit(dom: &Html, selector: &str) -> Option<bool> {
    let selector = Selector::parse(selector).ok()?;
    // `select` shares one cache of sibling positions across the walk, in document order.
    let found = dom.root_element().select(&selector).next()?;
    Some(
        std::iter::once(found)
            .chain(found.ancestors().filter_map(ElementRef::wrap))
            .any(|e| e.value().attr("data-ec-submit").is_some()),
    )
}

/// Elements that do not start a new line of text; any other element separates words.
const INLINE: [&str; 22] = [
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "em", "font", "i", "kbd", "label",
    "mark", "q", "s", "small", "span", "strong", "sub", "sup", "u",
];

/// The element's text as a reader sees it: no style, script or template text, words
/// separated at block boundaries, whitespace collapsed, cut at `MAX_DISCLOSURE_CHARS`.
fn text_of(element: ElementRef) -> String {
    let mut words = Words::default();
    // The subtree being left out (style, script, template), by node id.
    let mut skipping = None;
    for edge in element.traverse() {
        if words.full() {
            break;
        }
        match edge {
            Edge::Open(node) if skipping.is_none() => match node.value() {
                Node::Text(text) => words.push(text),
                Node::Element(e)
                    if matches!(e.name(), "style" | "script" | "noscript" | "template") =>
                {
                    skipping = Some(node.id())
                }
                Node::Element(e) if !INLINE.contains(&e.name()) => words.push(" "),
                _ => {}
            },
            Edge::Close(node) if skipping == Some(node.id()) => skipping = None,
            Edge::Close(node)
                if skipping.is_none()
                    && node
                        .value()
                        .as_element()
                        .is_some_and(|e| !INLINE.contains(&e.name())) =>
            {
                words.push(" ")
            }
            _ => {}
        }
    }
    words.text
}

/// Text with whitespace collapsed as it is added, up to `MAX_DISCLOSURE_CHARS` characters.
#[derive(Default)]
struct Words {
    text: String,
    chars: usize,
    space_pending: bool,
}

impl Words {
    fn full(&self) -> bool {
        self.chars >= MAX_DISCLOSURE_CHARS
    }

    fn push(&mut self, text: &str) {
        for c in text.chars() {
            if self.full() {
                return;
            }
            if c.is_whitespace() {
                self.space_pending = !self.text.is_empty();
                continue;
            }
            if self.space_pending {
                self.text.push(' ');
                self.chars += 1;
                self.space_pending = false;
                if self.full() {
                    return;
                }
            }
            self.text.push(c);
            self.chars += 1;
        }
    }
}

/// `hidden`, or an inline style that hides it, on the element or an ancestor.
fn hidden(element: ElementRef) -> bool {
    std::iter::once(element)
        .chain(element.ancestors().filter_map(ElementRef::wrap))
        .any(|e| {
            let el = e.value();
            el.attr("hidden").is_some() || el.attr("style").is_some_and(style_hides)
        })
}

fn style_hides(style: &str) -> bool {
    let compact: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    compact.split(';').any(|decl| {
        matches!(
            decl.trim_end_matches("!important"),
            "display:none" | "visibility:hidden" | "opacity:0" | "opacity:0.0"
        )
    })
}

/// A native checkbox reads its `checked` attribute; a custom widget its `aria-checked`; a
/// tagged wrapper (e.g. a label) the first checkbox inside it.
fn checked(element: ElementRef) -> bool {
    let el = element.value();
    if is_native_checkbox(element) {
        el.attr("checked").is_some()
    } else if let Some(aria) = el.attr("aria-checked") {
        aria.trim().eq_ignore_ascii_case("true")
    } else {
        element
            .descendants()
            .filter_map(ElementRef::wrap)
            .find(|e| is_native_checkbox(*e))
            .is_some_and(|input| input.value().attr("checked").is_some())
    }
}

fn is_native_checkbox(element: ElementRef) -> bool {
    let el = element.value();
    el.name() == "input"
        && el
            .attr("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("checkbox"))
}
