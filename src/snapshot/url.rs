//! Resolving URL references against a base URL, so that the snapshot names every resource
//! absolutely and re-renders the same wherever it is opened.
//!
//! This covers what pages write in attributes and style sheets (relative paths, `..`,
//! `/root`, `//host`, `?query`); it is plain string work so that it costs no call into the
//! browser per URL. References that already have a scheme, and fragment-only references
//! (`#id`, which point into the document itself, as SVG `<use>` and `url(#gradient)` do),
//! are kept as written.

#[allow(unused_imports)]
use crate::prelude::*;
use crate::text::{after, before, concat, find_any, split_at};

/// `reference` resolved against the absolute URL `base`.
pub fn resolve(base: &str, reference: &str) -> String {
    let reference = reference.trim_ascii();
    if reference.is_empty() || reference.starts_with("#") || has_scheme(reference) {
        return reference.to_owned();
    }
    let Some(parts) = Parts::of(base) else {
        return reference.to_owned();
    };
    if let Some(rest) = reference.strip_prefix("//") {
        return concat(&[parts.scheme, "//", rest]);
    }
    let (path, tail) = split_path(reference);
    if path.is_empty() {
        // Only a query: the base's path with the new query.
        return concat(&[parts.origin, parts.path, tail]);
    }
    let merged = if path.starts_with("/") {
        remove_dots(path)
    } else {
        let dir = before(parts.path, last_slash(parts.path) + 1);
        let dir = if dir.is_empty() { "/" } else { dir };
        remove_dots(&concat(&[dir, path]))
    };
    concat(&[parts.origin, &merged, tail])
}

/// Whether `url` starts with a scheme (`https:`, `data:`, `mailto:` …).
pub fn has_scheme(url: &str) -> bool {
    let Some(colon) = find_any(url, b":") else {
        return false;
    };
    let scheme = before(url, colon).as_bytes();
    scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// A hierarchical base URL cut into what resolution needs.
struct Parts<'a> {
    /// `https:`.
    scheme: &'a str,
    /// `https://host:port`.
    origin: &'a str,
    /// `/dir/page.html`, without query or fragment; `/` when empty.
    path: &'a str,
}

impl<'a> Parts<'a> {
    fn of(base: &'a str) -> Option<Self> {
        if !has_scheme(base) {
            return None;
        }
        let colon = find_any(base, b":")?;
        let authority = after(base, colon + 1).strip_prefix("//")?;
        let authority_end = colon + 3 + find_any(authority, b"/?#").unwrap_or(authority.len());
        let (path, _) = split_path(after(base, authority_end));
        Some(Self {
            scheme: before(base, colon + 1),
            origin: before(base, authority_end),
            path: if path.is_empty() { "/" } else { path },
        })
    }
}

/// Splits a reference into its path and its `?query#fragment` tail.
fn split_path(reference: &str) -> (&str, &str) {
    let cut = find_any(reference, b"?#").unwrap_or(reference.len());
    split_at(reference, cut)
}

/// Where the last `/` of `path` is, or 0. (A byte loop: `rfind` brings a reverse searcher
/// of its own into the wasm.)
fn last_slash(path: &str) -> usize {
    let mut at = path.len();
    while at > 0 {
        at -= 1;
        if path.as_bytes().get(at) == Some(&b'/') {
            return at;
        }
    }
    0
}

/// RFC 3986's "remove dot segments" for a path that starts with `/`: segment by segment,
/// `.` is dropped and `..` drops the segment before it.
fn remove_dots(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = after(path, 1);
    loop {
        let slash = find_any(rest, b"/");
        let segment = before(rest, slash.unwrap_or(rest.len()));
        let dots = segment == "." || segment == "..";
        if segment == ".." {
            out.truncate(last_slash(&out));
        } else if !dots {
            out.push('/');
            out.push_str(segment);
        }
        match slash {
            Some(at) => rest = after(rest, at + 1),
            None => {
                // A path ending in a dot segment names a directory.
                if dots {
                    out.push('/');
                }
                break;
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::resolve;

    const BASE: &str = "https://shop.example/forms/lead.html?x=1#top";

    #[test]
    fn references_resolve_like_a_browser_resolves_them() {
        for (reference, expected) in [
            ("img/a.png", "https://shop.example/forms/img/a.png"),
            ("../a.png", "https://shop.example/a.png"),
            ("../../../a.png", "https://shop.example/a.png"),
            ("./", "https://shop.example/forms/"),
            ("..", "https://shop.example/"),
            ("/static/a.css?v=2", "https://shop.example/static/a.css?v=2"),
            ("//cdn.example/f.woff2", "https://cdn.example/f.woff2"),
            ("?page=2", "https://shop.example/forms/lead.html?page=2"),
            ("  b.png  ", "https://shop.example/forms/b.png"),
            ("a/./b/../c.png#f", "https://shop.example/forms/a/c.png#f"),
        ] {
            assert_eq!(resolve(BASE, reference), expected, "{reference}");
        }
    }

    #[test]
    fn absolute_data_and_fragment_references_are_kept() {
        for reference in [
            "data:image/png;base64,AAA=",
            "https://x.example/a",
            "#grad",
            "mailto:a@b.c",
            "",
        ] {
            assert_eq!(resolve(BASE, reference), reference);
        }
    }

    #[test]
    fn a_base_without_hierarchy_leaves_references_alone() {
        assert_eq!(resolve("about:srcdoc", "a.png"), "a.png");
        assert_eq!(
            resolve("http://h.example", "a.png"),
            "http://h.example/a.png"
        );
    }
}
