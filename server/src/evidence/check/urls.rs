//! URLs read the way a browser's URL parser reads them, for the snapshot checker.
//!
//! The value given is an attribute value after the HTML parser decoded its entities. The
//! URL parser then strips leading and trailing C0 controls and spaces and removes every
//! tab and newline, wherever it is, before it reads the scheme, which is ASCII
//! case-insensitive: so `" JaVa&#x09;Script&colon;"` runs script like `javascript:`.

/// The schemes whose URLs run script when followed.
const SCRIPT_SCHEMES: [&str; 2] = ["javascript", "vbscript"];

/// Media types a browser renders as a document (which may run script).
const DOCUMENT_TYPES: [&str; 5] = [
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
];

/// The URL's scheme, lower-cased, when it has one: ASCII letters, digits, `+`, `-`, `.`
/// after a letter, ended by `:`.
fn scheme(value: &str) -> Option<(String, impl Iterator<Item = char> + '_)> {
    let mut chars = value
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    let mut scheme = String::new();
    loop {
        let c = chars.next()?;
        if c == ':' {
            return Some((scheme, chars));
        }
        let allowed = c.is_ascii_alphabetic()
            || (!scheme.is_empty() && (c.is_ascii_digit() || matches!(c, '+' | '-' | '.')));
        // No scheme is longer than this; stop early on long attribute values.
        if !allowed || scheme.len() >= 32 {
            return None;
        }
        scheme.push(c.to_ascii_lowercase());
    }
}

/// `Some("javascript")` or `Some("vbscript")` when following `value` would run script.
pub fn script_scheme(value: &str) -> Option<&'static str> {
    let (scheme, _) = scheme(value)?;
    SCRIPT_SCHEMES.into_iter().find(|s| *s == scheme)
}

/// Whether `value` is a `data:` URL of a type that a browser renders as a document. A
/// `data:` URL without a type is `text/plain`; parameters and `;base64` are ignored.
pub fn document_data_url(value: &str) -> bool {
    let Some((scheme, rest)) = scheme(value) else {
        return false;
    };
    if scheme != "data" {
        return false;
    }
    let media_type: String = rest
        .take_while(|c| *c != ',' && *c != ';')
        .collect::<String>()
        .trim()
        .to_ascii_lowercase();
    DOCUMENT_TYPES.contains(&media_type.as_str()) || media_type.ends_with("+xml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_urls_are_found_as_a_url_parser_reads_them() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " \u{1}\u{1f}javascript:x",
            "java\tscr\nipt:x",
            "java\r\nscript:x",
            "vbscript:msgbox",
        ] {
            assert!(script_scheme(url).is_some(), "{url:?}");
        }
        for url in [
            "https://example.com/javascript:x",
            "java script:x",
            "java\u{c}script:x",
            "\u{fffd}javascript:x",
            "#javascript:",
            "javascriptx:",
            "",
        ] {
            assert_eq!(script_scheme(url), None, "{url:?}");
        }
    }

    #[test]
    fn data_urls_of_documents_are_told_from_images() {
        for url in [
            "data:text/html,<script>x</script>",
            "DATA:Text/HTML;base64,PHNjcmlwdD4=",
            " data:image/svg+xml;utf8,<svg/>",
            "data:application/xhtml+xml,x",
            "data:application/rss+xml,x",
        ] {
            assert!(document_data_url(url), "{url:?}");
        }
        for url in [
            "data:image/png;base64,iVBOR",
            "data:,hello",
            "data:text/plain,x",
            "https://x/data:text/html",
        ] {
            assert!(!document_data_url(url), "{url:?}");
        }
    }
}
