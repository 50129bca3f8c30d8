//! Property tests of the checker: it never panics on any input, it passes generated inert
//! pages (text in many scripts, nesting, shadow roots, srcdoc frames), and it refuses the
//! same pages with executable content put anywhere in them, spelled with the case, entity
//! and whitespace tricks that browsers still read as executable.

use proptest::prelude::*;
use proptest::sample::Index;

use super::*;

/// A generated page: inert unless a payload was put in.
#[derive(Debug, Clone)]
enum Tree {
    Text(String),
    Element {
        tag: &'static str,
        attrs: Vec<(&'static str, String)>,
        children: Vec<Tree>,
    },
    /// `<div><template shadowrootmode=open>…</template></div>`.
    Shadow(Vec<Tree>),
    /// `<iframe sandbox srcdoc="…">` holding a whole document.
    Frame(Vec<Tree>),
    /// Markup written as is (the payload).
    Raw(String),
}

const CONTAINERS: [&str; 10] = [
    "div", "p", "span", "form", "label", "section", "ul", "li", "b", "template",
];
const ATTRS: [&str; 6] = ["class", "id", "title", "lang", "data-note", "aria-label"];

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ¡¿“©✓•→😀中文العربيةעברית&<>\"'=/]{0,16}"
}

fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;")
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        text().prop_map(Tree::Text),
        Just(Tree::Raw(
            r#"<svg viewBox="0 0 4 4"><rect width="2" height="2"/></svg>"#.into()
        )),
        Just(Tree::Raw(
            r#"<img src="data:image/png;base64,AAAA" alt="">"#.into()
        )),
        Just(Tree::Raw(r#"<a href="https://example.com/x">x</a>"#.into())),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        let children = prop::collection::vec(inner, 0..5);
        prop_oneof![
            4 => (
                prop::sample::select(&CONTAINERS[..]),
                prop::collection::vec((prop::sample::select(&ATTRS[..]), "[^:]{0,8}"), 0..3),
                children.clone(),
            )
                .prop_map(|(tag, attrs, children)| Tree::Element { tag, attrs, children }),
            1 => children.clone().prop_map(Tree::Shadow),
            1 => children.prop_map(Tree::Frame),
        ]
    })
}

fn render(tree: &Tree, out: &mut String) {
    match tree {
        Tree::Text(t) => out.push_str(&escape_text(t)),
        Tree::Raw(html) => out.push_str(html),
        Tree::Element {
            tag,
            attrs,
            children,
        } => {
            out.push_str(&format!("<{tag}"));
            for (name, value) in attrs {
                out.push_str(&format!(" {name}=\"{}\"", escape_attr(value)));
            }
            out.push('>');
            children.iter().for_each(|c| render(c, out));
            out.push_str(&format!("</{tag}>"));
        }
        Tree::Shadow(children) => {
            out.push_str("<div><template shadowrootmode=\"open\">");
            children.iter().for_each(|c| render(c, out));
            out.push_str("</template></div>");
        }
        Tree::Frame(children) => {
            let document = document(children);
            out.push_str(&format!(
                "<iframe sandbox=\"\" srcdoc=\"{}\"></iframe>",
                escape_attr(&document)
            ));
        }
    }
}

fn document(children: &[Tree]) -> String {
    let mut body = String::new();
    children.iter().for_each(|c| render(c, &mut body));
    format!("<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>")
}

fn grandchildren(tree: &Tree) -> Option<&Vec<Tree>> {
    match tree {
        Tree::Element { children, .. } | Tree::Shadow(children) | Tree::Frame(children) => {
            Some(children)
        }
        Tree::Text(_) | Tree::Raw(_) => None,
    }
}

/// How many child lists the tree has (each a place a payload can go).
fn count_lists(children: &[Tree]) -> usize {
    1 + children
        .iter()
        .filter_map(grandchildren)
        .map(|c| count_lists(c))
        .sum::<usize>()
}

/// Puts `payload` into the `nth` child list (depth first), at a chosen position.
fn insert_into(children: &mut Vec<Tree>, nth: &mut usize, payload: &str, at: Index) -> bool {
    if *nth == 0 {
        let position = at.index(children.len() + 1);
        children.insert(position, Tree::Raw(payload.to_owned()));
        return true;
    }
    *nth -= 1;
    children.iter_mut().any(|child| match child {
        Tree::Element { children, .. } | Tree::Shadow(children) | Tree::Frame(children) => {
            insert_into(children, nth, payload, at)
        }
        Tree::Text(_) | Tree::Raw(_) => false,
    })
}

/// Spells `word` the way an attacker would hide it, one piece per character: mixed case,
/// some characters as numeric or named character references.
fn disguised(word: &'static str) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(0u8..4, word.len()).prop_map(move |choices| {
        word.chars()
            .zip(choices)
            .map(|(c, choice)| match (c, choice) {
                (':', 1) => "&colon;".to_owned(),
                (':', _) => ":".to_owned(),
                (c, 0) => c.to_ascii_uppercase().to_string(),
                (c, 1) => format!("&#x{:x};", u32::from(c)),
                (c, 2) => format!("&#{};", u32::from(c)),
                (c, _) => c.to_string(),
            })
            .collect()
    })
}

/// A script URL with leading controls and spaces and a tab or newline inside, all of
/// which the URL parser drops.
fn script_url() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&["javascript:", "vbscript:"][..]),
        "[ \t\n\x01\x1f]{0,3}",
        prop::sample::select(&["", "&Tab;", "&NewLine;", "\t", "\n", "&#10;"][..]),
        any::<Index>(),
    )
        .prop_flat_map(|(scheme, lead, inside, at)| {
            disguised(scheme).prop_map(move |mut pieces| {
                pieces.insert(at.index(pieces.len() + 1), inside.to_owned());
                format!("{lead}{}alert(1)", pieces.concat())
            })
        })
}

/// Executable content of every kind, disguised.
fn payload() -> impl Strategy<Value = String> {
    let tag_case = disguised_tag;
    prop_oneof![
        tag_case("script").prop_map(|t| format!("<{t}>steal()</{t}>")),
        tag_case("script").prop_map(|t| format!("<svg><{t}>steal()</{t}></svg>")),
        (
            "[oO][nN][a-z]{1,12}",
            prop::sample::select(&["img", "div", "svg", "a"][..])
        )
            .prop_map(|(handler, tag)| format!("<{tag} {handler}=\"steal()\"></{tag}>")),
        (
            script_url(),
            prop::sample::select(
                &[
                    ("a href", "a"),
                    ("img src", "img"),
                    ("button formaction", "button"),
                    ("div data-x", "div"),
                    ("svg><a xlink:href", "a></svg"),
                ][..]
            )
        )
            .prop_map(|(url, (open, close))| {
                format!("<{open}=\"{}\">x</{close}>", url.replace('"', "&quot;"))
            }),
        tag_case("refresh").prop_map(|r| format!(
            "<meta http-equiv=\"{r}\" content=\"0;url=https://evil.example/\">"
        )),
        prop::sample::select(&["object", "embed", "applet"][..])
            .prop_flat_map(tag_case)
            .prop_map(|t| format!("<{t} data=\"x.swf\" src=\"x.swf\"></{t}>")),
        Just("<iframe src=\"https://evil.example/\"></iframe>".to_owned()),
        Just("<iframe sandbox=\"allow-scripts\" srcdoc=\"x\"></iframe>".to_owned()),
        Just("<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>".to_owned()),
    ]
}

/// A tag name in mixed case (tag names cannot be character references).
fn disguised_tag(tag: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<bool>(), tag.len()).prop_map(move |upper| {
        tag.chars()
            .zip(upper)
            .map(|(c, up)| if up { c.to_ascii_uppercase() } else { c })
            .collect()
    })
}

/// Tag soup: fragments of markup in any order, including broken ones.
fn soup() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(
        &[
            "<",
            ">",
            "</",
            "<script",
            "<iframe sandbox srcdoc=\"",
            "\"",
            "'",
            "&lt;",
            "&#x6A;",
            "&",
            "<template shadowrootmode=open>",
            "</template>",
            "<svg>",
            "<math>",
            "javascript:",
            " on",
            "=",
            " ",
            "a",
            "é",
            "😀",
            "\0",
            "<!--",
            "-->",
            "<![CDATA[",
            "]]>",
            "<table>",
            "<select>",
            "<textarea>",
            "<noscript>",
            "<p>",
            "</p>",
            "<frameset>",
            "<meta ",
        ][..],
    );
    prop::collection::vec(pieces, 0..120).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_input_is_checked_without_panicking(html in any::<String>(), soup in soup()) {
        let _ = check(&html);
        let _ = check(&soup);
    }

    #[test]
    fn generated_inert_pages_pass(page in prop::collection::vec(tree(), 0..6)) {
        let html = document(&page);
        prop_assert_eq!(check(&html), Ok(()), "{}", html);
    }

    #[test]
    fn executable_content_anywhere_is_refused(
        page in prop::collection::vec(tree(), 1..6),
        payload in payload(),
        list in any::<Index>(),
        at in any::<Index>(),
    ) {
        let mut page = page;
        let mut nth = list.index(count_lists(&page));
        prop_assert!(insert_into(&mut page, &mut nth, &payload, at));
        let html = document(&page);
        prop_assert!(check(&html).is_err(), "accepted: {}", html);
    }
}
