//! Reading and writing the pieces of serialized HTML the rewriter works on.
//!
//! The input is always the browser's own serialization (`getHTML`/`outerHTML`), never text
//! a page wrote: every attribute value is double-quoted and escaped with `&amp;`, `&quot;`,
//! `&lt;`, `&gt;` and `&nbsp;`, every non-void element has an end tag, and only the contents
//! of a few elements (`style`, `script`, …) are unescaped raw text. That regularity is what
//! lets a small tokenizer read it exactly.

use std::borrow::Cow;

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
    let mut i = at + 1;
    let name_start = i;
    while i < bytes.len()
        && !matches!(
            bytes[i],
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>'
        )
    {
        i += 1;
    }
    let name = &src[name_start..i];
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        if bytes[i] == b'>' {
            return Some((StartTag { name, attrs }, i + 1));
        }
        let attr_start = i;
        while i < bytes.len()
            && !matches!(
                bytes[i],
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>' | b'='
            )
        {
            i += 1;
        }
        let attr_name = &src[attr_start..i];
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            let quote = *bytes.get(i)?;
            if quote == b'"' || quote == b'\'' {
                let value_start = i + 1;
                let len = src[value_start..].find(quote as char)?;
                attrs.push((attr_name, Some(&src[value_start..value_start + len])));
                i = value_start + len + 1;
            } else {
                let value_start = i;
                while i < bytes.len()
                    && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'>')
                {
                    i += 1;
                }
                attrs.push((attr_name, Some(&src[value_start..i])));
            }
        } else {
            attrs.push((attr_name, None));
        }
    }
}

/// The text of an escaped attribute value or text run.
pub fn unescape(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let entity = rest
            .find(';')
            .filter(|&end| end <= 10)
            .map(|end| &rest[1..end]);
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
                rest = &rest[name.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
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

/// Appends CSS as the raw content of a `<style>`: a `</style` inside it would end the
/// element early, so `</` becomes `<\/`, which CSS reads as the same two characters.
pub fn push_raw_css(out: &mut String, css: &str) {
    let mut rest = css;
    while let Some(at) = rest.find("</") {
        out.push_str(&rest[..at]);
        out.push_str("<\\/");
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
}

/// Index of the `</name` (ASCII case-insensitive) that ends raw text starting at `from`.
pub fn raw_text_end(src: &str, from: usize, name: &str) -> usize {
    let bytes = src.as_bytes();
    let mut i = from;
    while let Some(found) = src[i..].find("</") {
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
mod tests {
    use super::*;

    #[test]
    fn a_serialized_start_tag_reads_back_into_its_name_and_attributes() {
        let src = r#"<input type="text" disabled="" value="a &quot;b&quot; &amp; c" data-x>rest"#;
        let (tag, end) = start_tag(src, 0).unwrap();
        assert_eq!(tag.name, "input");
        assert_eq!(tag.attr("TYPE"), Some("text"));
        assert_eq!(tag.attr("disabled"), Some(""));
        assert_eq!(unescape(tag.attr("value").unwrap()), r#"a "b" & c"#);
        assert_eq!(tag.attr("data-x"), Some(""));
        assert_eq!(&src[end..], "rest");
    }

    #[test]
    fn escaping_round_trips() {
        let text = "a<b>\"c\" & d\u{a0}&amp;";
        let mut out = String::new();
        push_attr_escaped(&mut out, text);
        assert_eq!(unescape(&out), text);
    }

    #[test]
    fn raw_text_ends_at_its_own_end_tag_only() {
        let src = "a</b></STYLE >x";
        assert_eq!(raw_text_end(src, 0, "style"), 5);
        assert_eq!(raw_text_end("no end", 0, "style"), 6);
    }

    #[test]
    fn masking_keeps_spaces_and_counts_entities_as_one_character() {
        let mut out = String::new();
        push_masked(&mut out, "SSN 12&amp;3&nbsp;x");
        assert_eq!(out, "••• ••••&nbsp;•");
    }
}
