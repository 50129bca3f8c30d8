//! What a snapshot and its stylesheets reference: the URLs the archive fetches.
//!
//! Pure functions, no I/O. HTML is parsed with `scraper` (html5ever, the parser of a
//! browser engine), so the elements and attributes seen are the ones a browser would
//! build from the same markup. CSS is read with `cssparser`, the tokenizer of Servo and of
//! scraper's own selectors: `url(…)` tokens, `url("…")`/`src("…")` functions, strings in
//! `image-set()` and after `@import` come out unescaped and with comments skipped, which a
//! regular expression cannot do.
//!
//! Every URL is resolved against its base (the document's first `<base href>`, else the
//! page URL; a stylesheet's own URL for what it references), its fragment dropped, and
//! kept only when it is `http` or `https` (`data:` and friends are already inline).
//! Duplicates are dropped; the rest stay in document order.

use std::collections::HashSet;

use cssparser::{ParseError, Parser, ParserInput, Token};
use scraper::{ElementRef, Html};
use url::Url;

/// Every stylesheet, font and image `snapshot_html` references that is not inlined:
/// `<link rel=stylesheet|icon|apple-touch-icon|mask-icon href>`, `<link rel=preload
/// as=style|font|image href imagesrcset>`, `<img src srcset>`, `<source src srcset>`,
/// `<video poster>`, `<input type=image src>`, `background` attributes, SVG `<image
/// href|xlink:href>` and `<use href>` to another file, and what `style` attributes and
/// `<style>` elements reference (see [`css_references`]).
pub fn references(snapshot_html: &str, base: &Url) -> Vec<Url> {
    let mut urls = Vec::new();
    let mut seen = HashSet::new();
    collect_document(snapshot_html, base, SRCDOC_DEPTH, &mut urls, &mut seen);
    urls
}

/// How many `srcdoc` frames deep a snapshot's documents are read (the SDK inlines each
/// same-origin frame's document as its `srcdoc`).
const SRCDOC_DEPTH: u32 = 4;

/// Adds what one document references, then what its `srcdoc` frames do: a `srcdoc`
/// document's relative URLs resolve against its parent's base URL.
fn collect_document(
    html: &str,
    base: &Url,
    depth: u32,
    urls: &mut Vec<Url>,
    seen: &mut HashSet<String>,
) {
    let document = Html::parse_document(html);
    let base = document_base(&document, base);
    let mut found = Found::new(&base);
    found.seen = std::mem::take(seen);
    let mut frames = Vec::new();
    for node in document.tree.root().descendants() {
        let Some(element) = ElementRef::wrap(node) else {
            continue;
        };
        element_references(element, &mut found);
        if element.value().name() == "iframe" {
            if let Some(srcdoc) = element.value().attr("srcdoc") {
                frames.push(srcdoc.to_owned());
            }
        }
    }
    urls.append(&mut found.urls);
    *seen = found.seen;
    if depth > 0 {
        for frame in frames {
            collect_document(&frame, &base, depth - 1, urls, seen);
        }
    }
}

/// What a stylesheet references, resolved against `base` (the stylesheet's own URL):
/// `@import`, and every `url()`, `src()` and `image-set()` (fonts, backgrounds, cursors,
/// masks). `@namespace` URLs name namespaces, not files, and are skipped.
pub fn css_references(css: &str, base: &Url) -> Vec<Url> {
    let mut found = Found::new(base);
    for raw in css_urls(css) {
        found.push(&raw);
    }
    found.urls
}

/// URLs resolved against one base, deduplicated in first-seen order.
struct Found<'b> {
    base: &'b Url,
    urls: Vec<Url>,
    /// What `urls` holds, for constant-time duplicate checks on large pages.
    seen: HashSet<String>,
}

impl<'b> Found<'b> {
    fn new(base: &'b Url) -> Self {
        Self {
            base,
            urls: Vec::new(),
            seen: HashSet::new(),
        }
    }

    fn push(&mut self, raw: &str) {
        let raw = raw.trim_matches(|c: char| c.is_ascii_whitespace());
        // Empty and fragment-only references point into the document itself.
        if raw.is_empty() || raw.starts_with('#') {
            return;
        }
        let Ok(mut url) = self.base.join(raw) else {
            return;
        };
        if !matches!(url.scheme(), "http" | "https") {
            return;
        }
        url.set_fragment(None);
        if self.seen.insert(url.as_str().to_owned()) {
            self.urls.push(url);
        }
    }

    fn push_css(&mut self, css: &str) {
        for raw in css_urls(css) {
            self.push(&raw);
        }
    }
}

/// The first `<base href>`, resolved against the page URL, as a browser freezes it.
fn document_base(document: &Html, page_url: &Url) -> Url {
    document
        .tree
        .root()
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|el| el.value().name() == "base")
        .find_map(|el| el.value().attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .unwrap_or_else(|| page_url.clone())
}

fn element_references(element: ElementRef<'_>, found: &mut Found<'_>) {
    let el = element.value();
    let attr = |name: &str| el.attr(name);
    match el.name() {
        "link" => {
            let rel = attr("rel").unwrap_or_default().to_ascii_lowercase();
            let rels: Vec<&str> = rel.split_ascii_whitespace().collect();
            let wanted = rels.iter().any(|r| {
                matches!(
                    *r,
                    "stylesheet"
                        | "icon"
                        | "apple-touch-icon"
                        | "apple-touch-icon-precomposed"
                        | "mask-icon"
                )
            });
            let preload = rels.contains(&"preload")
                && matches!(
                    attr("as").map(str::to_ascii_lowercase).as_deref(),
                    Some("style" | "font" | "image")
                );
            if wanted || preload {
                found.extend(attr("href"));
            }
            if preload {
                found.extend_srcset(attr("imagesrcset"));
            }
        }
        "img" | "source" => {
            found.extend(attr("src"));
            found.extend_srcset(attr("srcset"));
        }
        "video" => found.extend(attr("poster")),
        "input" if attr("type").is_some_and(|t| t.eq_ignore_ascii_case("image")) => {
            found.extend(attr("src"));
        }
        "body" | "table" | "td" | "th" => found.extend(attr("background")),
        // SVG: `href`, or the older `xlink:href` (the same local name in another namespace).
        "image" | "use" => {
            let href = el.attrs().find(|(name, _)| *name == "href").map(|(_, v)| v);
            found.extend(href);
        }
        "style" => found.push_css(&element.text().collect::<String>()),
        _ => {}
    }
    if let Some(style) = attr("style") {
        found.push_css(style);
    }
}

impl Found<'_> {
    fn extend(&mut self, raw: Option<&str>) {
        if let Some(raw) = raw {
            self.push(raw);
        }
    }

    fn extend_srcset(&mut self, srcset: Option<&str>) {
        for raw in srcset.map(srcset_urls).unwrap_or_default() {
            self.push(raw);
        }
    }
}

/// The URLs of a `srcset`, as the HTML standard's "parse a srcset attribute" finds them: a
/// candidate's URL runs to the next whitespace (trailing commas removed, which also ends
/// the candidate), its descriptors to the next comma outside parentheses. URLs may
/// themselves hold commas (`a.jpg?w=1,2 2x`).
fn srcset_urls(srcset: &str) -> Vec<&str> {
    let bytes = srcset.as_bytes();
    let space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r');
    let mut urls = Vec::new();
    let mut pos = 0;
    loop {
        while pos < bytes.len() && (space(bytes[pos]) || bytes[pos] == b',') {
            pos += 1;
        }
        if pos >= bytes.len() {
            return urls;
        }
        let start = pos;
        while pos < bytes.len() && !space(bytes[pos]) {
            pos += 1;
        }
        // Both ends are at ASCII bytes (or the end), so the slice is on char boundaries.
        let url = &srcset[start..pos];
        let trimmed = url.trim_end_matches(',');
        urls.push(trimmed);
        if trimmed.len() < url.len() {
            continue;
        }
        let mut depth = 0u32;
        while pos < bytes.len() {
            match bytes[pos] {
                b'(' => depth += 1,
                b')' => depth = depth.saturating_sub(1),
                b',' if depth == 0 => break,
                _ => {}
            }
            pos += 1;
        }
    }
}

/// What a URL-taking construct's strings mean while walking CSS.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Strings {
    /// Plain strings (`content: "…"`): not URLs.
    Text,
    /// Inside `url("…")`, `src("…")` or `image-set(…)`: URLs.
    Urls,
}

/// The raw (unresolved, unescaped) URLs a piece of CSS references, in order.
fn css_urls(css: &str) -> Vec<String> {
    let mut input = ParserInput::new(css);
    let mut parser = Parser::new(&mut input);
    let mut urls = Vec::new();
    walk(&mut parser, Strings::Text, &mut urls);
    urls
}

fn walk<'i>(parser: &mut Parser<'i, '_>, strings: Strings, urls: &mut Vec<String>) {
    // After `@import` the next string is a URL; after `@namespace`, nothing up to the `;`.
    let mut after_import = false;
    let mut in_namespace = false;
    loop {
        let Ok(token) = parser.next_including_whitespace_and_comments() else {
            return;
        };
        let token = token.clone();
        let nested = match token {
            Token::WhiteSpace(_) | Token::Comment(_) => continue,
            Token::AtKeyword(ref name) => {
                after_import = name.eq_ignore_ascii_case("import");
                in_namespace = name.eq_ignore_ascii_case("namespace");
                continue;
            }
            Token::Semicolon => {
                in_namespace = false;
                None
            }
            _ if in_namespace => None,
            Token::UnquotedUrl(ref url) => {
                urls.push(url.to_string());
                None
            }
            Token::QuotedString(ref s) if after_import || strings == Strings::Urls => {
                urls.push(s.to_string());
                None
            }
            Token::Function(ref name) => {
                let name = name.to_ascii_lowercase();
                match name.as_str() {
                    "url" | "src" | "image-set" | "-webkit-image-set" => Some(Strings::Urls),
                    _ => Some(Strings::Text),
                }
            }
            Token::ParenthesisBlock | Token::SquareBracketBlock | Token::CurlyBracketBlock => {
                Some(Strings::Text)
            }
            _ => None,
        };
        after_import = false;
        if let Some(inner) = nested {
            let _ = parser.parse_nested_block(|nested| {
                walk(nested, inner, urls);
                Ok::<(), ParseError<'i, ()>>(())
            });
        }
    }
}

#[cfg(test)]
mod tests;
