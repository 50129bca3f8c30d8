//! Cross-site request forgery defences: the same-origin check every state-changing
//! dashboard request passes (sign-in and choosing a password included, against login
//! CSRF), and the constant-time comparison of a form's `csrf` field with the session's
//! token.
//!
//! Two layers, because each covers the other's gap: browsers send `Origin` (and
//! `Sec-Fetch-Site`) on every cross-site POST, which refuses forged requests before any
//! token is looked at; the per-session token covers clients that send neither header.
//! `SameSite=Lax` on the cookie is a third.

use axum::http::header::{HOST, ORIGIN};
use axum::http::request::Parts;
use subtle::ConstantTimeEq as _;

/// Whether the request came from another site: `Sec-Fetch-Site: cross-site`, or an
/// `Origin` that is neither the public URL's origin nor the origin the request was sent
/// to (its `Host`). A request with neither header (not a browser, or a very old one) is
/// not refused here; the CSRF token still guards it.
pub fn is_cross_site(parts: &Parts, public_url: &str) -> bool {
    let headers = &parts.headers;
    let fetch_site = headers.get("sec-fetch-site").map(|v| v.as_bytes());
    if fetch_site == Some(b"cross-site".as_slice()) {
        return true;
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    if public_origin(public_url).is_some_and(|public| origin.eq_ignore_ascii_case(&public)) {
        return false;
    }
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()));
    let origin_host = origin.split_once("://").map(|(_, host)| host);
    !matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

/// `scheme://host[:port]` of the public URL, as browsers write `Origin`.
fn public_origin(public_url: &str) -> Option<String> {
    let url = url::Url::parse(public_url).ok()?;
    let origin = url.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// Whether the token a form sent equals the session's, compared in constant time.
pub fn tokens_match(sent: &str, expected: &str) -> bool {
    !expected.is_empty() && bool::from(sent.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut request = Request::post("/dashboard/sign-out");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    #[test]
    fn only_requests_from_this_site_pass() {
        let public = "https://consent.example.com";
        let table: &[(&[(&str, &str)], bool)] = &[
            (&[], false),
            (&[("origin", "https://consent.example.com")], false),
            (&[("origin", "https://CONSENT.example.com")], false),
            (
                &[
                    ("origin", "http://127.0.0.1:8080"),
                    ("host", "127.0.0.1:8080"),
                ],
                false,
            ),
            (&[("sec-fetch-site", "same-origin")], false),
            (
                &[
                    ("origin", "https://evil.example"),
                    ("host", "consent.example.com"),
                ],
                true,
            ),
            (&[("origin", "null"), ("host", "consent.example.com")], true),
            (
                &[("origin", "http://consent.example.com.evil.example")],
                true,
            ),
            (&[("sec-fetch-site", "cross-site")], true),
            (
                &[
                    ("sec-fetch-site", "cross-site"),
                    ("origin", "https://consent.example.com"),
                ],
                true,
            ),
        ];
        for (headers, cross) in table {
            assert_eq!(
                is_cross_site(&parts(headers), public),
                *cross,
                "{headers:?}"
            );
        }
    }

    #[test]
    fn tokens_must_match_exactly_and_never_when_empty() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abd", "abc"));
        assert!(!tokens_match("ab", "abc"));
        assert!(!tokens_match("", ""));
    }
}
