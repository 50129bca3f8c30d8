//! Reading and writing the pieces of serialized HTML the rewriter works on.
//!
//! The input is always the browser's own serialization (`getHTML`/`outerHTML`), never text
//! a page wrote: every attribute value is double-quoted and escaped with `&amp;`, `&quot;`,
//! `&lt;`, `&gt;` and `&nbsp;`, every non-void element has an end tag, and only the contents
//! of a few elements (`style`, `script`, …) are unescaped raw text. That regularity is what
//! lets a small tokenizer read it exactly.

#[allow(unused_imports)]
use crate::prelude::*;
use alloc::borrow::Cow;

use crate::text::{after, before, find_any, slice};

/// HTML elements that have no end tag.
pub const VOID: [&str; 18] = [
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
    "keygen", "link", "meta", "param", "source", "track", "wbr",
];

/// HTML elements whose text the serializer writes unescaped.
pub const RAW_TEXT: [&str; 8] = [
    "style",
    "script",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
    "noscript",
];

/// A start tag: its name as serialized and its attributes, values still escaped.
pub struct StartTag<'a> {
    /// The name as the serializer wrote it (lower case for HTML, `foreignObject` for SVG).
    pub name: &'a str,
    /// `(name, escaped value)` in source order; `None` for a value-less attribute.
    pub attrs: Vec<(&'a str, Option<&'a str>)>,
}

impl StartTag<'_> {
    /// The escaped value of attribute `name` (ASCII case-insensitive), if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.unwrap_or(""))
    }
}

/// Parses the start tag that begins at `src[at]` (a `<` followed by a letter); returns it
/// and the index just past its `>`.
pub fn start_tag(src: &str, at: usize) -> Option<(StartTag<'_>, usize)> {
    let bytes = src.as_bytes();
    // The end of the run of bytes from `i` that `stop` does not match.
    let run = |mut i: usize, stop: fn(u8) -> bool| {
        while bytes.get(i).is_some_and(|&b| !stop(b)) {
            i += 1;
        }
        i
    };
    let name_end = run(at + 1, |b| is_space(b) || b == b'/' || b == b'>');
    let name = src.get(at + 1..name_end)?;
    let mut attrs = Vec::new();
    let mut i = name_end;
    loop {
        i = run(i, |b| !is_space(b) && b != b'/');
        if *bytes.get(i)? == b'>' {
            return Some((StartTag { name, attrs }, i + 1));
        }
        let attr_end = run(i, |b| is_space(b) || matches!(b, b'/' | b'>' | b'='));
        let attr_name = src.get(i..attr_end)?;
        i = attr_end;
        if bytes.get(i) != Some(&b'=') {
            attrs.push((attr_name, None));
            continue;
        }
        i += 1;
        let quote = *bytes.get(i)?;
        if quote == b'"' || quote == b'\'' {
            let value_start = i + 1;
            let len = src.get(value_start..)?.find(quote as char)?;
            attrs.push((attr_name, src.get(value_start..value_start + len)));
            i = value_start + len + 1;
        } else {
            let value_end = run(i, |b| is_space(b) || b == b'>');
            attrs.push((attr_name, src.get(i..value_end)));
            i = value_end;
        }
    }
}

/// HTML's ASCII white space.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The text of an escaped attribute value or text run.
pub fn unescape(text: &str) -> Cow<'_, str> {
    if find_any(text, b"&").is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = find_any(rest, b"&") {
        out.push_str(before(rest, amp));
        rest = after(rest, amp);
        let entity = find_any(rest, b";")
            .filter(|&end| end <= 10)
            .map(|end| slice(rest, 1, end));
        let decoded = match entity {
            Some("amp") => Some('&'),
            Some("quot") => Some('"'),
            Some("lt") => Some('<'),
            Some("gt") => Some('>'),
            Some("nbsp") => Some('\u{a0}'),
            Some("#39") | Some("apos") => Some('\''),
            _ => None,
        };
        match (decoded, entity) {
            (Some(c), Some(name)) => {
                out.push(c);
                rest = after(rest, name.len() + 2);
            }
            _ => {
                out.push('&');
                rest = after(rest, 1);
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Appends `text` escaped for a double-quoted attribute value.
pub fn push_attr_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}

/// Appends `text` escaped for an element's content.
pub fn push_text_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}

/// Where `needle` (a few ASCII bytes) first occurs in `text`. A plain byte search: the
/// standard library's substring search is built for long needles and adds kilobytes.
pub fn find(text: &str, needle: &str) -> Option<usize> {
    let (text, needle) = (text.as_bytes(), needle.as_bytes());
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(at) = text.get(from..)?.iter().position(|&b| b == first) {
        let start = from + at;
        if text.get(start..start + needle.len()) == Some(needle) {
            return Some(start);
        }
        from = start + 1;
    }
    None
}

/// Whether `<` followed by `next` would open markup in an HTML tokenizer in its data
/// state: a tag, an end tag, a comment or a bogus comment.
fn opens_markup(next: u8) -> bool {
    next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?')
}

/// Appends CSS as the raw content of a `<style>`. Raw text has no escapes, and a parser
/// that reads the snapshot differently from the page (a `<style>` in a `<select>`, say)
/// would take any `<` that opens markup as a tag; so no such `<` is written. The character
/// after it is written as a CSS escape instead, which CSS reads as that very character, in
/// a string or anywhere else: `</style>` becomes `<\/style>`, `<b>` becomes `<\62 >`.
pub fn push_raw_css(out: &mut String, css: &str) {
    let bytes = css.as_bytes();
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = find(after(css, from), "<") {
        let at = from + found;
        from = at + 1;
        let Some(&next) = bytes.get(at + 1).filter(|&&b| opens_markup(b)) else {
            continue;
        };
        out.push_str(slice(css, copied, at + 1));
        out.push('\\');
        if next.is_ascii_alphabetic() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push(char::from(HEX[usize::from(next >> 4)]));
            out.push(char::from(HEX[usize::from(next & 15)]));
            out.push(' ');
        } else {
            out.push(char::from(next));
        }
        copied = at + 2;
        from = copied;
    }
    out.push_str(after(css, copied));
}

/// Whether raw text holds a `<` that would open markup if a parser read it as markup.
pub fn opens_markup_anywhere(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'<' && bytes.get(i + 1).is_some_and(|&n| opens_markup(n)))
}

/// Appends an attribute value as it was serialized (escaped) for a double-quoted attribute,
/// escaping what a serializer may have left as it is: `<` and `>` (older browsers do), and
/// `"` (from a value that was single-quoted). So no value can end its attribute or, read by
/// a parser in a raw-text state, contain an end tag.
pub fn push_attr_value(out: &mut String, escaped: &str) {
    if crate::text::find_any(escaped, b"<>\"").is_none() {
        return out.push_str(escaped);
    }
    for c in escaped.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// Where the comment that starts `text` (at its `<!--`) ends, as the HTML tokenizer reads
/// it: after `<!-->`, `<!--->`, the first `-->` or `--!>`, or at the end of the text.
pub fn comment_end(text: &str) -> usize {
    let close = find(after(text, 2), "-->").map(|at| at + 2 + 3);
    let bang = find(after(text, 4), "--!>").map(|at| at + 4 + 4);
    match (close, bang) {
        (Some(a), Some(b)) => a.min(b),
        (Some(end), None) | (None, Some(end)) => end,
        (None, None) => text.len(),
    }
}

/// Where the bogus comment (`<?…>`, `<!…>`, `</ …>`) that starts `text` ends: after its
/// first `>`, or at the end of the text.
pub fn bogus_comment_end(text: &str) -> usize {
    find(text, ">").map_or(text.len(), |at| at + 1)
}

/// Index of the `</name` (ASCII case-insensitive) that ends raw text starting at `from`.
pub fn raw_text_end(src: &str, from: usize, name: &str) -> usize {
    let bytes = src.as_bytes();
    let mut i = from;
    while let Some(found) = find(after(src, i), "</") {
        let at = i + found;
        let end = at + 2 + name.len();
        if end <= bytes.len()
            && bytes[at + 2..end].eq_ignore_ascii_case(name.as_bytes())
            && matches!(
                bytes.get(end),
                None | Some(b'>' | b' ' | b'/' | b'\t' | b'\n' | b'\r' | b'\x0c')
            )
        {
            return at;
        }
        i = at + 2;
    }
    src.len()
}

/// Appends a scroll offset in CSS pixels: its whole part, and up to three decimals when it
/// has a fraction (offsets snap to device pixels, so a thousandth of a pixel is finer than
/// any screen). Written by hand because Rust's float formatting would add some 15 KB to
/// the wasm every lead form downloads.
pub fn push_pixels(out: &mut String, px: f64) {
    // `floor` is one wasm instruction; `round` would link a libm routine.
    let thousandths = crate::math::floor(px.abs() * 1000.0 + 0.5) as u64;
    if px < 0.0 && thousandths != 0 {
        out.push('-');
    }
    crate::text::push_decimal(out, thousandths / 1000);
    let mut fraction = thousandths % 1000;
    if fraction != 0 {
        out.push('.');
        let mut unit = 100;
        while fraction != 0 {
            out.push(char::from(b'0' + (fraction / unit) as u8));
            fraction %= unit;
            unit /= 10;
        }
    }
}

/// Replaces every character of escaped `text` that is not white space with `•`, keeping
/// the layout of masked content but not its meaning.
pub fn push_masked(out: &mut String, text: &str) {
    for c in unescape(text).chars() {
        if c == '\u{a0}' {
            out.push_str("&nbsp;");
        } else if c.is_whitespace() {
            out.push(c);
        } else {
            out.push('•');
        }
    }
}

#[cfg(test)]
mod tests;
