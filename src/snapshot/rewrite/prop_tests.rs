//! The rewriter on arbitrary text (proptest, native): pieces of markup that matter to it
//! (tags, quotes, comments, raw-text and foreign elements, handlers, script URLs, masks)
//! mixed with any Unicode text. It must never panic — in test builds an offset inside a
//! character panics (`crate::text`) — and what it writes must hold no executable content.
//!
//! Its output has one property that makes that checkable without an HTML parser: outside
//! its tags, no `<` is followed by a letter (text is escaped, attribute values escape `<`,
//! raw text never holds one, comments are left out), so its tags can be read exactly.

use proptest::prelude::*;

use super::rewrite;
use super::tests::FakePage;

const PIECES: [&str; 32] = [
    "<",
    "</",
    ">",
    "\"",
    "'",
    "&",
    "&amp;",
    "<!--",
    "-->",
    "--!>",
    "<?x ",
    "<script>",
    "</script>",
    "<style>",
    "</style>",
    "<svg>",
    "</svg>",
    "<math><mi>",
    "<xmp>",
    "</xmp>",
    "<p onclick=\"x()\" title=\"",
    "<a href=\" JavaScript:x()\">",
    "<template shadowrootmode=\"open\">",
    "<input type=\"hidden\" value=\"",
    "<div data-ec-mask=\"\">",
    "</div>",
    "<textarea>",
    "</textarea>",
    "<object data=\"x\">",
    "<embed>",
    "<meta http-equiv=\"refresh\">",
    "<SCRIPT>",
];

fn markup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(PIECES.to_vec()).prop_map(str::to_owned),
        "\\PC{0,8}",
    ];
    prop::collection::vec(piece, 0..48).prop_map(|parts| parts.concat())
}

/// Every tag in the rewriter's output: its name and its attributes (name, raw value).
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if rest.starts_with('/') {
            // An end tag, whose name may hold a `<` (`</a<b>` for an element named `a<b`).
            rest = rest.find('>').map_or("", |end| &rest[end..]);
            continue;
        }
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        let (name, mut attrs_text) = tag.split_once(' ').unwrap_or((tag, ""));
        let mut attrs = Vec::new();
        while !attrs_text.is_empty() {
            let (attr, tail) = match attrs_text.split_once("=\"") {
                Some((name, tail)) if !name.contains(' ') => {
                    let close = tail.find('"').unwrap_or(tail.len());
                    let value = &tail[..close];
                    attrs.push((name.to_owned(), value.to_owned()));
                    ("", tail.get(close + 1..).unwrap_or("").trim_start())
                }
                _ => match attrs_text.split_once(' ') {
                    Some((name, tail)) => (name, tail),
                    None => (attrs_text, ""),
                },
            };
            if !attr.is_empty() {
                attrs.push((attr.to_owned(), String::new()));
            }
            attrs_text = tail;
        }
        found.push((name.to_ascii_lowercase(), attrs));
        rest = &rest[end..];
    }
    found
}

proptest! {
    #[test]
    fn any_text_is_rewritten_without_a_panic_into_inert_markup(body in markup()) {
        let mut page = FakePage::default();
        let source = format!("<html><head></head><body>{body}</body></html>");
        let html = rewrite(&source, "https://leads.example/", &mut page).html;
        for (name, attrs) in tags(&html) {
            prop_assert!(!matches!(name.as_str(), "script" | "object" | "embed"), "<{}> in {}", name, html);
            for (attr, value) in attrs {
                let lower = value.to_ascii_lowercase();
                prop_assert!(!attr.to_ascii_lowercase().starts_with("on"), "{} on <{}> in {}", attr, name, html);
                prop_assert!(!lower.trim_start().starts_with("javascript:"), "{}={} in {}", attr, value, html);
                prop_assert!(name != "meta" || attr != "http-equiv", "meta http-equiv in {}", html);
            }
        }
    }
}
