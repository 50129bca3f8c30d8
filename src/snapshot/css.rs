//! URLs inside CSS text and `srcset` lists, made absolute.
//!
//! Style sheets are copied into the snapshot as text, so a relative `url()` would resolve
//! against the snapshot's address instead of the sheet's. Each `url(…)` is resolved against
//! the URL of the sheet it came from (the document's for `<style>` and `style=""`).

#[allow(unused_imports)]
use crate::prelude::*;
use alloc::borrow::Cow;

use super::url::resolve;
use crate::text::{after, before, find_any, has_byte, slice, split_at, ASCII_SPACE};

/// `css` with every `url(…)` resolved against `base`. Borrowed when nothing changed.
pub fn absolute_urls<'a>(css: &'a str, base: &str) -> Cow<'a, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = find_url_function(css, from) {
        let open = found + 4;
        from = open;
        let Some((value, end)) = url_argument(css, open) else {
            continue;
        };
        let resolved = resolve(base, &value);
        if resolved == value.trim_ascii() {
            continue;
        }
        out.push_str(slice(css, copied, found));
        out.push_str("url(\"");
        for c in resolved.chars() {
            match c {
                '"' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                '\n' => out.push_str("\\a "),
                _ => out.push(c),
            }
        }
        out.push_str("\")");
        copied = end;
        from = end;
    }
    if copied == 0 {
        return Cow::Borrowed(css);
    }
    out.push_str(after(css, copied));
    Cow::Owned(out)
}

/// `css` with every `url(…)` replaced by `url("<with>")`: how a masked element's inline
/// `style` loses its images but keeps its backgrounds' boxes. Borrowed when it has none.
pub fn replace_urls<'a>(css: &'a str, with: &str) -> Cow<'a, str> {
    let mut out = String::new();
    let (mut copied, mut from) = (0, 0);
    while let Some(found) = find_url_function(css, from) {
        from = found + 4;
        let Some((_, end)) = url_argument(css, found + 4) else {
            continue;
        };
        out.push_str(slice(css, copied, found));
        out.push_str("url(\"");
        out.push_str(with);
        out.push_str("\")");
        (copied, from) = (end, end);
    }
    if copied == 0 {
        return Cow::Borrowed(css);
    }
    out.push_str(after(css, copied));
    Cow::Owned(out)
}

/// The next `url(` (any case) at or after `from` that starts a function, not the end of a
/// longer name.
fn find_url_function(css: &str, mut from: usize) -> Option<usize> {
    let bytes = css.as_bytes();
    while from + 4 <= bytes.len() {
        let at = from + find_any(after(css, from), b"uU")?;
        if bytes.len() >= at + 4
            && bytes[at..at + 4].eq_ignore_ascii_case(b"url(")
            && (at == 0 || !is_name_byte(bytes[at - 1]))
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b >= 0x80
}

/// The unescaped argument of a `url(` whose `(` ends at `open`, and the index after `)`.
fn url_argument(css: &str, open: usize) -> Option<(String, usize)> {
    let rest = after(css, open);
    // CSS white space is ASCII.
    let trimmed = rest.trim_ascii_start();
    let lead = rest.len() - trimmed.len();
    let mut value = String::new();
    let mut chars = trimmed.char_indices();
    let after_value = match trimmed.chars().next()? {
        quote @ ('"' | '\'') => {
            chars.next();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    c if c == quote => {
                        end = Some(i + 1);
                        break;
                    }
                    c => value.push(c),
                }
            }
            end?
        }
        _ => {
            let end = find_any(trimmed, b")")?;
            value.push_str(before(trimmed, end).trim_ascii_end());
            end
        }
    };
    let tail = after(trimmed, after_value);
    let close = tail.len() - tail.trim_ascii_start().len();
    (after(tail, close).starts_with(")")).then(|| (value, open + lead + after_value + close + 1))
}

/// A `srcset` list with each candidate's URL resolved against `base`.
pub fn absolute_srcset(srcset: &str, base: &str) -> String {
    let mut out = String::with_capacity(srcset.len() + 32);
    let mut rest = srcset;
    loop {
        while rest
            .as_bytes()
            .first()
            .is_some_and(|&b| has_byte(ASCII_SPACE, b) || b == b',')
        {
            rest = after(rest, 1);
        }
        if rest.is_empty() {
            break;
        }
        let url_end = find_any(rest, ASCII_SPACE).unwrap_or(rest.len());
        let (mut url, mut after) = split_at(rest, url_end);
        // `a.png,b.png`: a URL ending in commas ends the candidate.
        let ends_candidate = url.ends_with(",");
        while let Some(shorter) = url.strip_suffix(",") {
            url = shorter;
        }
        let descriptor = if ends_candidate {
            ""
        } else {
            let end = descriptor_end(after);
            let (descriptor, tail) = split_at(after, end);
            after = tail;
            descriptor.trim_ascii()
        };
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(&resolve(base, url));
        if !descriptor.is_empty() {
            out.push(' ');
            out.push_str(descriptor);
        }
        rest = after;
    }
    out
}

/// Where a candidate's descriptors end: the first comma outside parentheses.
fn descriptor_end(text: &str) -> usize {
    let mut depth = 0u32;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => return i,
            _ => {}
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::{absolute_srcset, absolute_urls};

    const BASE: &str = "https://cdn.example/css/site.css";

    #[test]
    fn relative_urls_in_css_resolve_against_the_sheet() {
        let css = r#"@font-face { src: url("../f/a.woff2") format("woff2"); } .a { background: URL( 'img/b.png' ) } .b { mask: url(c.svg#m) }"#;
        assert_eq!(
            absolute_urls(css, BASE),
            r#"@font-face { src: url("https://cdn.example/f/a.woff2") format("woff2"); } .a { background: url("https://cdn.example/css/img/b.png") } .b { mask: url("https://cdn.example/css/c.svg#m") }"#
        );
    }

    #[test]
    fn absolute_data_and_fragment_urls_and_lookalikes_are_untouched() {
        let css = r##"a { b: url(data:image/png;base64,AA==); c: url("#g"); d: myurl(x); e: url(https://x.example/y) }"##;
        assert!(matches!(
            absolute_urls(css, BASE),
            alloc::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn replaced_urls_keep_the_rest_of_the_declarations() {
        let css = r#"width:10px;background:url( "me.jpg" ) no-repeat;border-image:URL(b.png) 30"#;
        assert_eq!(
            super::replace_urls(css, "data:x"),
            r#"width:10px;background:url("data:x") no-repeat;border-image:url("data:x") 30"#
        );
        assert!(matches!(
            super::replace_urls("color:red", "data:x"),
            alloc::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn srcset_candidates_keep_their_descriptors() {
        assert_eq!(
            absolute_srcset(" a.png 1x,b.png  2x , /c.png 640w", BASE),
            "https://cdn.example/css/a.png 1x, https://cdn.example/css/b.png 2x, https://cdn.example/c.png 640w"
        );
        assert_eq!(
            absolute_srcset("a.png, b.png 2x", BASE),
            "https://cdn.example/css/a.png, https://cdn.example/css/b.png 2x"
        );
        // As browsers read it: a comma inside a URL does not split it.
        assert_eq!(
            absolute_srcset("a.png,b.png 2x", BASE),
            "https://cdn.example/css/a.png,b.png 2x"
        );
    }
}
