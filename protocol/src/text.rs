//! Strings put together without `core::fmt`: the limits' messages here, and the SDK's
//! messages and keys. `format!` and `to_string()` on a number would bring `core::fmt`'s
//! machinery into the SDK's wasm, kilobytes in every page's download; keeping one copy of
//! these helpers keeps one number printer in it.

use alloc::string::String;

/// Concatenates `parts` into one string.
pub fn concat(parts: &[&str]) -> String {
    let mut len = 0;
    for part in parts {
        len += part.len();
    }
    let mut out = String::with_capacity(len);
    for part in parts {
        out.push_str(part);
    }
    out
}

/// Appends `n` in decimal.
pub fn push_decimal(out: &mut String, n: u64) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// Whether `bytes` holds `byte`: a plain loop, where `<[u8]>::contains` brings core's
/// word-at-a-time `memchr` (about 400 bytes) into the SDK's wasm for strings that are
/// short or searched once.
pub fn has_byte(bytes: &[u8], byte: u8) -> bool {
    for &b in bytes {
        if b == byte {
            return true;
        }
    }
    false
}

/// Where character `n` of `text` starts (a byte offset), or `None` when `text` has `n`
/// characters or fewer: `char_indices().nth(n)` as one plain loop, where the iterator's
/// `advance_by` is a few hundred bytes of the SDK's wasm of its own.
pub fn char_start(text: &str, n: usize) -> Option<usize> {
    let mut seen = 0;
    for (at, byte) in text.bytes().enumerate() {
        // Every byte but a UTF-8 continuation byte (0b10xx_xxxx) starts a character.
        if (byte as i8) >= -0x40 {
            if seen == n {
                return Some(at);
            }
            seen += 1;
        }
    }
    None
}

/// `n` in decimal.
pub fn decimal(n: u64) -> String {
    let mut out = String::new();
    push_decimal(&mut out, n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_as_rust_writes_them() {
        for n in [0, 7, 10, 99, 408, 1_000_000, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn a_character_starts_where_char_indices_says() {
        for text in ["", "abc", "ñ😀ab", "¡Hola! ✓ 日本 😀"] {
            for n in 0..text.chars().count() + 2 {
                assert_eq!(
                    char_start(text, n),
                    text.char_indices().nth(n).map(|(at, _)| at)
                );
            }
        }
    }

    #[test]
    fn a_byte_is_found_anywhere_in_the_slice() {
        assert!(has_byte(b"a\0b", 0));
        assert!(has_byte(b"ab;", b';'));
        assert!(!has_byte(b"", 0));
        assert!(!has_byte("é".as_bytes(), b'e'));
    }

    #[test]
    fn pieces_are_joined_in_order() {
        assert_eq!(concat(&["a", "", "bc"]), "abc");
    }
}
