//! String building without `core::fmt`.
//!
//! Every `format!` or `to_string()` on a number brings formatting code into the wasm that
//! each lead form downloads, so the SDK's own messages and keys are put together from
//! pieces. Nothing here knows about the page.

#[allow(unused_imports)]
use crate::prelude::*;

/// Concatenates `parts` into one string.
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    parts.iter().for_each(|p| out.push_str(p));
    out
}

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

/// Appends `n` in decimal.
pub fn push_decimal(out: &mut String, n: u64) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
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
    fn pieces_are_joined_in_order() {
        assert_eq!(concat(&["a", "", "bc"]), "abc");
    }
}
