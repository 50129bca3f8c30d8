//! The page tag for private content, and what it does to everything under it.
//!
//! `data-ec-mask` hides the element it is on and its whole subtree (through open shadow
//! roots; a masked iframe is not captured at all): text becomes `•` per character, form
//! values are never read, and every attribute that could carry personal data is replaced
//! as [`masked_attr`] decides, while the attributes that give the page its shape stay. The
//! snapshot applies these rules in [`super::rewrite`], from the markup; the other evidence
//! (disclosure text, trigger labels) uses [`MASK`] and [`mask_text`] from here.

#[allow(unused_imports)]
use crate::prelude::*;
use web_sys::Node;

use crate::dom;

/// The marker for content that must not leave the browser.
pub const MASK: &str = "[data-ec-mask]";

/// What a masked image shows instead of its picture: a flat grey box with no size of its
/// own, so it fills whatever box the element had (the snapshot gives it its live size).
pub const PLACEHOLDER: &str = "data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27%3E%3Crect width=%27100%25%27 height=%27100%25%27 fill=%27%23d9d9d9%27/%3E%3C/svg%3E";

/// What masking does to one attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Masked {
    /// Kept as it is: it shapes the layout (`class`, `style`, sizes…) or is the SDK's own.
    Keep,
    /// `style`: kept, with every `url(…)` replaced by [`PLACEHOLDER`].
    Style,
    /// Each character that is not white space becomes `•`, so the length stays.
    Bullets,
    /// An image source: replaced by [`PLACEHOLDER`].
    Placeholder,
    /// A link's target: replaced by `#`, so the link still looks like one.
    Hash,
    /// Left out: a URL that is neither an image nor a link, or a list of image candidates.
    Drop,
}

/// Attributes that shape the layout or the document's structure and say nothing about the
/// consumer; kept under `data-ec-mask` (compared without case).
const KEPT: [&str; 46] = [
    "class",
    "id",
    "type",
    "role",
    "width",
    "height",
    "size",
    "cols",
    "rows",
    "colspan",
    "rowspan",
    "span",
    "dir",
    "hidden",
    "disabled",
    "readonly",
    "multiple",
    "open",
    "tabindex",
    "for",
    "form",
    "start",
    "reversed",
    "align",
    "valign",
    "border",
    "cellpadding",
    "cellspacing",
    "frameborder",
    "nowrap",
    "sandbox",
    "slot",
    "part",
    "media",
    "rel",
    "controls",
    "loop",
    "muted",
    "playsinline",
    "viewbox",
    "preserveaspectratio",
    "xmlns",
    "xmlns:xlink",
    "shadowrootmode",
    "shadowrootdelegatesfocus",
    "shadowrootclonable",
];

/// URL attributes that are neither image sources nor links: dropped under `data-ec-mask`.
const URLS: [&str; 9] = [
    "src",
    "data",
    "action",
    "formaction",
    "cite",
    "longdesc",
    "ping",
    "codebase",
    "archive",
];

/// What `data-ec-mask` does to attribute `attr` (with escaped `value`) of element `element`
/// (its name as serialized; SVG names keep their case).
pub fn masked_attr(element: &str, attr: &str, value: &str) -> Masked {
    let is = |name: &str| attr.eq_ignore_ascii_case(name);
    let href = is("href") || is("xlink:href");
    if is("style") {
        Masked::Style
    } else if KEPT.iter().any(|name| is(name)) || is_sdk_tag(attr) {
        Masked::Keep
    } else if href && (value.starts_with("#") || element == "link") {
        // A reference into the document itself (`<use href="#icon">`), or a style sheet
        // that could not be inlined: the page's, not the consumer's.
        Masked::Keep
    } else if is("poster")
        || is("background")
        || (is("src") && is_image(element))
        || (href && matches!(element, "image" | "feImage"))
    {
        Masked::Placeholder
    } else if href && matches!(element, "a" | "area") {
        Masked::Hash
    } else if href
        || URLS.iter().any(|name| is(name))
        || is("srcset")
        || is("imagesrcset")
        || is("data-ec-srcset")
    {
        Masked::Drop
    } else {
        Masked::Bullets
    }
}

/// The SDK's own tags, which the evidence needs (`data-ec-disclosure`,
/// `data-ec-consent-for`…); `data-ec-srcset` holds the page's image URLs and is not one.
fn is_sdk_tag(attr: &str) -> bool {
    let prefixed = |prefix: &str| {
        attr.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    (prefixed("data-ec-") && !attr.eq_ignore_ascii_case("data-ec-srcset"))
        || attr.eq_ignore_ascii_case("data-expressconsent-highlight-label")
}

/// An element whose `src` is a picture: `<img>` and `<input type=image>` (other inputs
/// have no `src`).
fn is_image(element: &str) -> bool {
    matches!(element, "img" | "input")
}

/// Replaces every non-space character of the text under `root` with `•`, so that masked
/// content keeps its place in the layout but not its meaning.
pub fn mask_text(root: &Node) {
    if dom::get_number(root, "nodeType") == f64::from(Node::TEXT_NODE) {
        let text = dom::get_string(root, "nodeValue");
        let mut masked = String::with_capacity(text.len());
        for c in text.chars() {
            masked.push(if c.is_whitespace() { c } else { '•' });
        }
        let _ = js_sys::Reflect::set(root, &"nodeValue".into(), &masked.into());
        return;
    }
    // Style sheets are not content, and bullets in them would break the layout.
    if matches!(
        dom::get_string(root, "nodeName")
            .to_ascii_lowercase()
            .as_str(),
        "style" | "script"
    ) {
        return;
    }
    let mut child = dom::get_object::<Node>(root, "firstChild");
    while let Some(node) = child {
        mask_text(&node);
        child = dom::get_object(&node, "nextSibling");
    }
}

#[cfg(test)]
mod tests {
    use super::{masked_attr, Masked};

    #[test]
    fn each_kind_of_attribute_is_masked_as_documented() {
        for (element, attr, value, expected) in [
            ("div", "class", "card", Masked::Keep),
            ("div", "ID", "x", Masked::Keep),
            ("textarea", "rows", "4", Masked::Keep),
            ("div", "data-ec-disclosure", "tcpa", Masked::Keep),
            (
                "div",
                "data-expressconsent-highlight-label",
                "t",
                Masked::Keep,
            ),
            ("div", "style", "width:1px", Masked::Style),
            ("a", "href", "mailto:jane@example.org", Masked::Hash),
            ("a", "href", "https://example.org/u/jane", Masked::Hash),
            ("use", "href", "#icon", Masked::Keep),
            ("use", "href", "https://x.example/s.svg#i", Masked::Drop),
            ("link", "href", "https://cdn.example/site.css", Masked::Keep),
            (
                "img",
                "src",
                "https://x.example/jane.jpg",
                Masked::Placeholder,
            ),
            ("img", "srcset", "a.jpg 2x", Masked::Drop),
            ("img", "data-ec-srcset", "a.jpg 2x", Masked::Drop),
            ("video", "poster", "p.jpg", Masked::Placeholder),
            ("video", "src", "v.webm", Masked::Drop),
            ("iframe", "src", "https://x.example/?email=j", Masked::Drop),
            ("image", "href", "p.png", Masked::Placeholder),
            ("td", "background", "p.png", Masked::Placeholder),
            ("img", "alt", "Jane Doe", Masked::Bullets),
            ("input", "placeholder", "jane@", Masked::Bullets),
            ("div", "aria-label", "Jane", Masked::Bullets),
            ("div", "data-user", "jane", Masked::Bullets),
            ("path", "d", "M0 0L5 5", Masked::Bullets),
            ("option", "label", "Jane", Masked::Bullets),
        ] {
            assert_eq!(
                masked_attr(element, attr, value),
                expected,
                "{element} {attr}"
            );
        }
    }
}
