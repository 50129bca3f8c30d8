//! Host names: parsing registered domains and matching a page's origin against them.
//!
//! Owns the one rule that decides whether a capture comes from an org's site: the page's
//! host equals a registered domain or is a subdomain of it, port ignored. Pure; no I/O.

use std::fmt;
use std::net::IpAddr;

/// A lowercase host name or IP address, without scheme, port or path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Host(String);

/// Why a string is not a host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HostError(String);

impl Host {
    /// Parses a domain as an operator types it (`example.com`, `localhost`, `127.0.0.1`,
    /// `[::1]`). Upper case is folded; a scheme, port, path or trailing dot is refused so
    /// that what is stored is exactly what origins are compared with.
    pub fn parse(input: &str) -> Result<Self, HostError> {
        let s = input.trim().to_ascii_lowercase();
        let refuse = |why: &str| Err(HostError(format!("{input:?} is not a host name: {why}")));
        if s.is_empty() {
            return refuse("it is empty");
        }
        if s.contains("://") {
            return refuse("leave out the scheme (https://)");
        }
        if s.contains(['/', '?', '#', '@']) {
            return refuse("leave out any path, query or user");
        }
        if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            return match inner.parse::<IpAddr>() {
                Ok(IpAddr::V6(_)) => Ok(Self(s)),
                _ => refuse("not an IPv6 address"),
            };
        }
        if s.contains(':') {
            return refuse("leave out the port; any port of a registered host is accepted");
        }
        if s.parse::<IpAddr>().is_ok() {
            return Ok(Self(s));
        }
        if s.len() > 253 {
            return refuse("longer than 253 characters");
        }
        for label in s.split('.') {
            let ok = (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-');
            if !ok {
                return refuse("labels are 1–63 letters, digits or inner hyphens, dot-separated");
            }
        }
        Ok(Self(s))
    }

    /// The host of an `Origin` header value or of any absolute URL (a `Referer`), if it
    /// has one. `null` and opaque origins have none.
    pub fn from_url(url: &str) -> Option<Self> {
        let url = url::Url::parse(url.trim()).ok()?;
        let host = url.host_str()?.to_ascii_lowercase();
        Some(Self(host.trim_end_matches('.').to_owned()))
    }

    /// Whether this host is `registered` itself or a subdomain of it. IP addresses match
    /// only exactly: an address has no subdomains.
    pub fn is_within(&self, registered: &Host) -> bool {
        if self.0 == registered.0 {
            return true;
        }
        let is_ip = registered.0.starts_with('[') || registered.0.parse::<IpAddr>().is_ok();
        !is_ip
            && self
                .0
                .strip_suffix(registered.0.as_str())
                .is_some_and(|head| head.ends_with('.'))
    }

    /// The host as stored and compared.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps a host read back from the database, where only parsed hosts are written.
    pub(crate) fn from_stored(s: String) -> Self {
        Self(s)
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(s: &str) -> Host {
        Host::parse(s).unwrap()
    }

    #[test]
    fn registered_domains_are_plain_lowercase_hosts() {
        for ok in [
            "example.com",
            "Example.COM",
            "localhost",
            "127.0.0.1",
            "[::1]",
            "a-b.c0.io",
        ] {
            assert!(Host::parse(ok).is_ok(), "{ok} should parse");
        }
        assert_eq!(host("Example.COM").as_str(), "example.com");
        for bad in [
            "",
            "https://example.com",
            "example.com/path",
            "example.com:8080",
            "-bad.com",
            "bad-.com",
            "exa mple.com",
            "example.com.",
            "a..b",
            "user@example.com",
        ] {
            assert!(Host::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn origins_match_their_domain_and_its_subdomains_only() {
        let cases = [
            ("https://example.com", "example.com", true),
            ("https://www.example.com", "example.com", true),
            ("https://a.b.example.com:8443", "example.com", true),
            ("http://example.com:5173", "example.com", true),
            ("https://evil-example.com", "example.com", false),
            ("https://example.com.evil.net", "example.com", false),
            ("https://notexample.com", "example.com", false),
            ("https://com", "example.com", false),
            ("http://localhost:5173", "localhost", true),
            ("http://127.0.0.1:8080", "127.0.0.1", true),
            ("http://127.0.0.10", "127.0.0.1", false),
            ("http://[::1]:3000", "[::1]", true),
            ("HTTPS://WWW.EXAMPLE.COM", "example.com", true),
        ];
        for (origin, registered, expected) in cases {
            let page = Host::from_url(origin).unwrap_or_else(|| panic!("{origin} has a host"));
            assert_eq!(
                page.is_within(&host(registered)),
                expected,
                "{origin} vs {registered}"
            );
        }
    }

    #[test]
    fn opaque_origins_have_no_host() {
        assert!(Host::from_url("null").is_none());
        assert!(Host::from_url("data:text/html,hi").is_none());
    }
}
