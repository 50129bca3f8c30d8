//! A start tag's attributes as the snapshot writes them.
//!
//! [`safe_attrs`] is the first thing every kept element goes through: inline event
//! handlers, `srcdoc`, script URLs and stale scroll marks are dropped and every URL is made
//! absolute. The per-element rules then edit the list with the small helpers here. Values
//! stay escaped throughout, exactly as the browser serialized them, so an untouched
//! attribute is copied without being decoded and encoded again.

#[allow(unused_imports)]
use crate::prelude::*;
use alloc::borrow::Cow;

use super::super::css::{absolute_srcset, absolute_urls};
use super::super::html::{self, StartTag};
use super::super::url::resolve;
use crate::text::{after, split_byte};

/// `(name, escaped value)` pairs in source order; `None` for a value-less attribute.
pub type Attrs<'a> = Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>;

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

/// The tag's attributes without inline handlers, script URLs and `srcdoc`, with URLs
/// made absolute against `base`. Values stay escaped.
pub fn safe_attrs<'a>(tag: &StartTag<'a>, base: &str) -> Attrs<'a> {
    let mut attrs = Vec::with_capacity(tag.attrs.len());
    for &(name, value) in &tag.attrs {
        // Compared in place: lower-casing would allocate for every attribute of the page.
        let is = |other: &str| name.eq_ignore_ascii_case(other);
        let starts = |prefix: &str| {
            name.get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        };
        if starts("on") || is("srcdoc") || starts("data-ec-scroll") {
            continue;
        }
        // An SVG `<set>`/`<animate>` of an `on*` attribute would install a handler: without
        // its target the animation does nothing.
        if is("attributename") && value.is_some_and(|v| is_handler_name(&html::unescape(v))) {
            continue;
        }
        let Some(value) = value else {
            attrs.push((Cow::Borrowed(name), None));
            continue;
        };
        // In any attribute, not only URLs: SVG animations (`to`, `values`) can set an href,
        // and whoever reads the snapshot must not have to know which attributes are URLs.
        if is_script_value(name, value) {
            continue;
        }
        let rewritten = if URL_ATTRS.iter().any(|url| is(url)) {
            let url = html::unescape(value);
            if is_script_url(&url) || (opens_as_document(tag.name, name) && is_document_url(&url)) {
                continue;
            }
            let resolved = resolve(base, &url);
            (resolved != url).then_some(resolved)
        } else if is("srcset") || is("imagesrcset") {
            Some(absolute_srcset(&html::unescape(value), base))
        } else if is("style") && has_url(value) {
            match absolute_urls(&html::unescape(value), base) {
                Cow::Owned(css) => Some(css),
                Cow::Borrowed(_) => None,
            }
        } else {
            None
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

/// The tag's attributes unchanged.
pub fn plain_attrs<'a>(tag: &StartTag<'a>) -> Attrs<'a> {
    let mut attrs = Vec::with_capacity(tag.attrs.len());
    for (name, value) in &tag.attrs {
        attrs.push((Cow::Borrowed(*name), value.map(Cow::Borrowed)));
    }
    attrs
}

/// The escaped value of attribute `name`, if present.
pub fn attr_value(attrs: &Attrs<'_>, name: &str) -> Option<String> {
    attrs
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_deref().unwrap_or("").to_owned())
}

/// Sets attribute `name` to an already escaped value.
pub fn set_attr<'a>(attrs: &mut Attrs<'a>, name: &'static str, escaped: String) {
    match attrs.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        Some(slot) => slot.1 = Some(Cow::Owned(escaped)),
        None => attrs.push((Cow::Borrowed(name), Some(Cow::Owned(escaped)))),
    }
}

/// Sets attribute `name` to `text`, escaping it.
pub fn set_attr_text(attrs: &mut Attrs<'_>, name: &'static str, text: &str) {
    let mut escaped = String::with_capacity(text.len());
    html::push_attr_escaped(&mut escaped, text);
    set_attr(attrs, name, escaped);
}

/// Appends CSS `declarations` (unescaped text) to the element's `style`, after a `;` when
/// the style needs one: the snapshot's own declarations come last, so they win.
pub fn add_style(attrs: &mut Attrs<'_>, declarations: &str) {
    let style = html::unescape(&attr_value(attrs, "style").unwrap_or_default()).into_owned();
    let separator = if style.trim_ascii().is_empty() || style.trim_ascii_end().ends_with(";") {
        ""
    } else {
        ";"
    };
    set_attr_text(
        attrs,
        "style",
        &crate::text::concat(&[&style, separator, declarations]),
    );
}

/// Renames attribute `from` to `to`, keeping its value.
pub fn rename_attr(attrs: &mut Attrs<'_>, from: &str, to: &'static str) {
    if let Some(slot) = attrs.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(from)) {
        slot.0 = Cow::Borrowed(to);
    }
}

/// Removes attribute `name`.
pub fn remove_attr(attrs: &mut Attrs<'_>, name: &str) {
    attrs.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
}

/// Sets boolean attribute `name` (`checked`, `selected`) on or off.
pub fn set_flag(attrs: &mut Attrs<'_>, name: &'static str, on: bool) {
    if on {
        set_attr(attrs, name, String::new());
    } else {
        remove_attr(attrs, name);
    }
}

/// Whether CSS text has a `url(` to resolve (absolute_urls reads any case; these are the
/// two that pages write).
fn has_url(css: &str) -> bool {
    html::find(css, "url(").is_some() || html::find(css, "URL(").is_some()
}

/// Whether an attribute's (escaped) value would read as a script URL: the whole value, or
/// any item of an SVG animation's `values` list. The serializer's escapes (`&amp;`,
/// `&quot;`, `&lt;`, `&gt;`, `&nbsp;`) can neither spell nor hide a scheme, so the escaped
/// value answers for the unescaped one.
pub fn is_script_value(name: &str, value: &str) -> bool {
    is_script_url(value)
        || (name.eq_ignore_ascii_case("values") && split_byte(value, b';').any(is_script_url))
}

/// Whether an animation's `attributeName` names an event handler, read as the server's
/// checker reads it (trimmed, any case).
fn is_handler_name(value: &str) -> bool {
    value
        .trim()
        .get(..2)
        .is_some_and(|p| p.eq_ignore_ascii_case("on"))
}

/// Whether `attribute` of `element` opens its URL as a document (a link followed, a frame
/// loaded, a form sent): there a `data:` document would run its own scripts.
fn opens_as_document(element: &str, attribute: &str) -> bool {
    let el = |names: &[&str]| names.iter().any(|n| element.eq_ignore_ascii_case(n));
    if attribute.eq_ignore_ascii_case("href") || attribute.eq_ignore_ascii_case("xlink:href") {
        el(&["a", "area", "base"])
    } else if attribute.eq_ignore_ascii_case("src") {
        el(&["iframe", "frame"])
    } else {
        attribute.eq_ignore_ascii_case("action") || attribute.eq_ignore_ascii_case("formaction")
    }
}

/// Whether `url` is a `data:` URL of a type browsers render as a document (HTML, XHTML,
/// SVG, any XML), read as the server's checker reads it: the scheme as a URL parser reads
/// it, the media type up to `,` or `;`, trimmed, any case.
fn is_document_url(url: &str) -> bool {
    // Only the scheme and the media type are read, never a (long) payload.
    // Control characters and spaces are ASCII: every other byte is above `' '`.
    let start = url.bytes().position(|b| b > b' ').unwrap_or(url.len());
    let head: String = after(url, start)
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take_while(|c| !matches!(c, ',' | ';'))
        .collect();
    let Some(kind) = head
        .get(..5)
        .filter(|s| s.eq_ignore_ascii_case("data:"))
        .and_then(|_| head.get(5..))
    else {
        return false;
    };
    let kind = kind.trim().to_ascii_lowercase();
    [
        "text/html",
        "application/xhtml+xml",
        "text/xml",
        "application/xml",
    ]
    .contains(&kind.as_str())
        || kind.ends_with("+xml")
}

/// Whether a URL attribute would run script, read the way browsers parse URLs: tabs and
/// newlines are ignored anywhere and leading control characters and spaces are trimmed.
fn is_script_url(value: &str) -> bool {
    let cleaned = value
        .bytes()
        .filter(|b| !matches!(b, b'\t' | b'\n' | b'\r'))
        .skip_while(|&b| b <= b' ');
    ["javascript:", "vbscript:"].iter().any(|scheme| {
        let mut url = cleaned.clone();
        scheme
            .bytes()
            .all(|s| url.next().is_some_and(|b| b.to_ascii_lowercase() == s))
    })
}
