//! String building without `core::fmt`.
//!
//! Every `format!` or `to_string()` on a number brings formatting code into the wasm that
//! each lead form downloads, so the SDK's own messages and keys are put together from
//! pieces. Nothing here knows about the page.

#[allow(unused_imports)]
use crate::prelude::*;

pub use expressconsent_protocol::text::{char_start, concat, decimal, has_byte, push_decimal};

/// Where the first byte of `text` that is in `set` (ASCII bytes) is. One plain loop for
/// every such search: `str::find` with a char array or a closure compiles a searcher for
/// each pattern type.
pub fn find_any(text: &str, set: &[u8]) -> Option<usize> {
    text.bytes().position(|b| has_byte(set, b))
}

/// `text.split_once(byte)` for an ASCII `byte`, with [`find_any`]'s loop.
pub fn split_once_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = find_any(text, &[byte])?;
    Some((before(text, at), after(text, at + 1)))
}

/// `text.split(byte)` for an ASCII `byte`, with [`find_any`]'s loop: the pieces between
/// each `byte`, one empty piece for an empty `text`.
pub fn split_byte(text: &str, byte: u8) -> SplitByte<'_> {
    SplitByte {
        rest: Some(text),
        byte,
    }
}

/// The iterator of [`split_byte`].
pub struct SplitByte<'a> {
    /// What is left to split; `None` once the last piece is out.
    rest: Option<&'a str>,
    /// The separator.
    byte: u8,
}

impl<'a> Iterator for SplitByte<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match split_once_byte(rest, self.byte) {
            Some((piece, tail)) => {
                self.rest = Some(tail);
                Some(piece)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// HTML's and CSS's white space, all ASCII.
pub const ASCII_SPACE: &[u8] = b" \t\n\r\x0c";

/// The first character boundary of `text` at or after `at` (its length at most): where a
/// range that was computed as a byte offset may safely start or end. Offsets in the
/// parsers come from searches for ASCII bytes and so always are boundaries; one that is not
/// is a bug, caught in debug builds, and in release snapped forward so that no text is
/// silently dropped (a whole character is kept rather than cut).
fn boundary(text: &str, at: usize) -> usize {
    debug_assert!(
        text.is_char_boundary(at.min(text.len())),
        "byte offset inside a character"
    );
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// `text[from..to]`, with both ends on character boundaries (see [`boundary`]); `""` when
/// `to` is before `from`. Unlike indexing, this has no panic path, whose message
/// formatting would add kilobytes to the wasm.
pub fn slice(text: &str, from: usize, to: usize) -> &str {
    text.get(boundary(text, from)..boundary(text, to))
        .unwrap_or_default()
}

/// `text[from..]`, as [`slice`] does.
pub fn after(text: &str, from: usize) -> &str {
    text.get(boundary(text, from)..).unwrap_or_default()
}

/// `text[..to]`, as [`slice`] does.
pub fn before(text: &str, to: usize) -> &str {
    text.get(..boundary(text, to)).unwrap_or_default()
}

/// `text.split_at(at)`, as [`slice`] does.
pub fn split_at(text: &str, at: usize) -> (&str, &str) {
    text.split_at_checked(boundary(text, at))
        .unwrap_or((text, ""))
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

    #[test]
    fn byte_splits_cut_as_str_splits_do() {
        for text in ["", ";", "a;b", ";a;;b;", "é;ü;😀"] {
            assert_eq!(
                split_byte(text, b';').collect::<Vec<_>>(),
                text.split(';').collect::<Vec<_>>()
            );
            assert_eq!(split_once_byte(text, b';'), text.split_once(';'));
        }
    }

    #[test]
    fn ranges_on_character_boundaries_keep_every_character() {
        let text = "¡Hola! ✓ 日本 😀";
        assert_eq!(after(text, 2), "Hola! ✓ 日本 😀");
        assert_eq!(before(text, 2), "¡");
        assert_eq!(slice(text, 12, 15), "日");
        assert_eq!(split_at(text, 8), ("¡Hola! ", "✓ 日本 😀"));
        assert_eq!(after(text, 99), "");
        assert_eq!(slice(text, 5, 2), "");
    }

    // Release builds snap a stray offset forward instead of dropping the rest of the text;
    // test builds stop at it, since it is a bug of the caller.
    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "inside a character")]
    fn an_offset_inside_a_character_is_a_bug_caught_in_debug_builds() {
        after("¡Hola", 1);
    }
}
