//! String building without `core::fmt`.
//!
//! Every `format!` or `to_string()` on a number brings formatting code into the wasm that
//! each lead form downloads, so the SDK's own messages and keys are put together from
//! pieces. Nothing here knows about the page.

#[allow(unused_imports)]
use crate::prelude::*;

pub use expressconsent_protocol::text::{concat, decimal, push_decimal};

/// Where the first byte of `text` that is in `set` (ASCII bytes) is. One plain loop for
/// every such search: `str::find` with a char array or a closure compiles a searcher for
/// each pattern type.
pub fn find_any(text: &str, set: &[u8]) -> Option<usize> {
    text.bytes().position(|b| set.contains(&b))
}

/// HTML's and CSS's white space, all ASCII.
pub const ASCII_SPACE: &[u8] = b" \t\n\r\x0c";

/// `text[from..to]`, or `""` when the range is not on character boundaries. The parsers'
/// ranges come from `find` and so always are; unlike indexing, this has no panic path,
/// whose message formatting would add kilobytes to the wasm.
pub fn slice(text: &str, from: usize, to: usize) -> &str {
    text.get(from..to).unwrap_or_default()
}

/// `text[from..]`, as [`slice`] does.
pub fn after(text: &str, from: usize) -> &str {
    text.get(from..).unwrap_or_default()
}

/// `text[..to]`, as [`slice`] does.
pub fn before(text: &str, to: usize) -> &str {
    text.get(..to).unwrap_or_default()
}

/// `text.split_at(at)`, as [`slice`] does.
pub fn split_at(text: &str, at: usize) -> (&str, &str) {
    text.split_at_checked(at).unwrap_or((text, ""))
}

/// Appends `part`, after `separator` unless `out` is empty: `join` for parts that are never
/// empty, without the generic `join` code each item type would bring.
pub fn push_separated(out: &mut String, separator: &str, part: &str) {
    if !out.is_empty() {
        out.push_str(separator);
    }
    out.push_str(part);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_any_finds_the_first_byte_of_the_set() {
        assert_eq!(find_any("a/b?c#d", b"?#"), Some(3));
        assert_eq!(find_any("é?", b"?"), Some(2));
        assert_eq!(find_any("abc", b"?#"), None);
        assert_eq!(find_any("", ASCII_SPACE), None);
    }
}
