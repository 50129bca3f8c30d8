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
use crate::text::{after, before, concat, split_at};

/// `reference` resolved against the absolute URL `base`.
pub fn resolve(base: &str, reference: &str) -> String {
    let reference = reference.trim_ascii();
    if reference.is_empty() || reference.starts_with('#') || has_scheme(reference) {
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
    let merged = if path.starts_with('/') {
        remove_dots(path)
    } else {
        let dir = before(parts.path, parts.path.rfind('/').unwrap_or(0) + 1);
        let dir = if dir.is_empty() { "/" } else { dir };
        remove_dots(&concat(&[dir, path]))
    };
    concat(&[parts.origin, &merged, tail])
}

/// Whether `url` starts with a scheme (`https:`, `data:`, `mailto:` …).
pub fn has_scheme(url: &str) -> bool {
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = before(url, colon);
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
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
        let colon = base.find(':')?;
        let authority = after(base, colon + 1).strip_prefix("//")?;
        let authority_end = colon + 3 + authority.find(['/', '?', '#']).unwrap_or(authority.len());
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
    let cut = reference.find(['?', '#']).unwrap_or(reference.len());
    split_at(reference, cut)
}

/// RFC 3986's "remove dot segments" for a path that starts with `/`.
fn remove_dots(path: &str) -> String {
    // The segments after the leading `/` (a `skip(1)` would bring its own iterator code).
    let segments: Vec<&str> = after(path, 1).split('/').collect();
    let mut out: Vec<&str> = Vec::with_capacity(segments.len());
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." => {}
            ".." => {
                out.pop();
            }
            other => {
                out.push(other);
                continue;
            }
        }
        if last {
            out.push("");
        }
    }
    let mut path = String::with_capacity(path.len());
    for segment in out {
        path.push('/');
        path.push_str(segment);
    }
    if path.is_empty() {
        path.push('/');
    }
    path
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
