//! Making a page-derived string fit its limit, the way the SDK does before an upload.
//!
//! A real page may have a title of any length or text with a NUL character in it (script
//! can put one in a title or a label; PostgreSQL cannot store it). The SDK must never fail
//! a capture for that, so it shortens such values and marks them, rather than letting the
//! server refuse the upload. The server never trims: it refuses what is over a limit.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::limits::TRIM_MARKER;
use crate::text::{char_start, has_byte};

/// What replaces a NUL character: U+FFFD, as an HTML parser does.
pub const NUL_REPLACEMENT: char = '\u{FFFD}';

/// Makes `text` at most `max` characters without NUL: each NUL becomes U+FFFD, and a
/// longer text is cut to `max - 1` characters followed by [`TRIM_MARKER`]. Returns whether
/// `text` changed.
pub fn fit_chars(text: &mut String, max: usize) -> bool {
    let mut changed = false;
    if has_byte(text.as_bytes(), 0) {
        let mut clean = String::with_capacity(text.len() + 2);
        for c in text.chars() {
            clean.push(if c == '\0' { NUL_REPLACEMENT } else { c });
        }
        *text = clean;
        changed = true;
    }
    if text.len() > max && char_start(text, max).is_some() {
        let keep = match max.checked_sub(1) {
            Some(n) => char_start(text, n).unwrap_or(text.len()),
            None => 0,
        };
        text.truncate(keep);
        if max > 0 {
            text.push(TRIM_MARKER);
        }
        changed = true;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fitted(text: &str, max: usize) -> (String, bool) {
        let mut text = text.to_owned();
        let changed = fit_chars(&mut text, max);
        (text, changed)
    }

    #[test]
    fn a_text_at_its_limit_is_kept_as_it_is() {
        assert_eq!(fitted("abcd", 4), ("abcd".into(), false));
        assert_eq!(fitted("ñ😀ab", 4), ("ñ😀ab".into(), false));
    }

    #[test]
    fn one_character_over_is_cut_to_the_limit_with_the_marker() {
        assert_eq!(fitted("abcde", 4), ("abc…".into(), true));
        let (text, _) = fitted(&"😀".repeat(10), 4);
        assert_eq!(text, "😀😀😀…");
        assert_eq!(text.chars().count(), 4);
    }

    #[test]
    fn nul_characters_become_replacement_characters() {
        assert_eq!(fitted("a\0b", 10), ("a\u{FFFD}b".into(), true));
        let (text, _) = fitted("\0\0\0\0\0", 3);
        assert_eq!(text, "\u{FFFD}\u{FFFD}…");
    }
}
