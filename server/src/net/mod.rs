//! Outbound HTTP that cannot be turned against the server's own network (SSRF): the
//! client the asset archive fetches with, and the one webhook deliveries will use.
//!
//! | module | owns |
//! |---|---|
//! | [`policy`] | which URLs and addresses may be fetched (pure, property-tested) |
//! | [`resolve`] | the DNS resolver that drops refused addresses before connecting |
//!
//! # The rules
//!
//! - Only `http` and `https`; no user name or password in the URL; a host is required.
//! - Every address connected to is checked, not only the URL: an IP-literal host is
//!   checked by [`check_url`], a host name by the resolver, which keeps only permitted
//!   addresses and fails when none remains. The name is resolved once, so a name cannot
//!   pass the check with one address and connect to another (DNS rebinding).
//! - Refused unless `EC_ARCHIVE_PRIVATE_NETWORKS=allow`: loopback, RFC 1918, link-local
//!   169.254/16, carrier-grade NAT 100.64/10, IPv6 loopback, unique-local fc00::/7 and
//!   link-local fe80::/10. Always refused: unspecified, broadcast, multicast,
//!   documentation, benchmarking and other special-purpose ranges, and the cloud metadata
//!   addresses (169.254.169.254, 100.100.100.200, fd00:ec2::254) even when private networks
//!   are allowed. IPv4-mapped, NAT64 and 6to4 IPv6 addresses are judged by the IPv4
//!   address inside.
//! - Redirects are followed by hand, at most [`MAX_REDIRECTS`], each hop checked again.
//! - No proxy from the environment (`HTTP_PROXY` would make the proxy the address checked).
//! - Every call has a byte cap on the response body (checked while streaming, so a server
//!   that lies about or omits `Content-Length` is cut off) and a total time limit covering
//!   connecting, redirects and the body.
//!
//! # Why these crates
//!
//! `reqwest` (with rustls, no OpenSSL) is the maintained client built on hyper; it takes a
//! custom [`reqwest::dns::Resolve`], which is what makes the per-connection check possible
//! without re-implementing connection handling. `ipnet` holds the range tables.

pub mod policy;
pub(crate) mod resolve;

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, CONTENT_TYPE, LOCATION};
use reqwest::{redirect, Response, StatusCode};
use url::Url;

pub use policy::{check_url, classify, AddressClass, NetPolicy};
use resolve::{PolicyResolver, RefusedHost};

/// Redirects followed by [`SafeClient::get`] before giving up.
pub const MAX_REDIRECTS: usize = 5;

/// What one fetch may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchLimits {
    /// The largest response body accepted, in bytes.
    pub max_bytes: u64,
    /// The whole exchange: connecting, every redirect, and the body.
    pub timeout: Duration,
}

/// A response read in full.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL that answered, after redirects.
    pub final_url: Url,
    /// Its HTTP status.
    pub status: u16,
    /// Its `Content-Type` header, when present and text.
    pub content_type: Option<String>,
    /// The body, at most [`FetchLimits::max_bytes`].
    pub body: Bytes,
}

/// Why a fetch did not happen or did not finish. Messages are safe to show to the org
/// whose URL it was: they name the URL's host and limits, never internals.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// The scheme is not `http` or `https`.
    #[error("only http and https URLs are fetched, not {0}:")]
    Scheme(String),
    /// The URL carries a user name or password.
    #[error("URLs with a user name or password are not fetched")]
    Credentials,
    /// The URL has no host.
    #[error("the URL has no host")]
    NoHost,
    /// The host is, or resolves only to, a private or reserved address.
    #[error("{host} is a private, loopback, link-local or reserved address, which is not fetched")]
    PrivateAddress {
        /// The host as written in the URL.
        host: String,
    },
    /// The body is over the byte cap.
    #[error("the response is larger than {limit} bytes")]
    TooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
    /// The exchange took longer than its time limit.
    #[error("no complete response within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// More than [`MAX_REDIRECTS`] redirects.
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects,
    /// A redirect without a `Location` that resolves to a URL.
    #[error("a redirect without a usable Location header")]
    BadRedirect,
    /// The final answer was not a success (2xx).
    #[error("the server answered HTTP {0}")]
    Status(u16),
    /// The host could not be resolved or reached, or the connection failed midway.
    #[error("could not fetch from {host}")]
    Unreachable {
        /// The host as written in the URL.
        host: String,
        /// What the client reported (for logs; not shown).
        #[source]
        source: reqwest::Error,
    },
    /// The HTTP client could not be built (its TLS set-up failed).
    #[error("the HTTP client could not be set up")]
    Setup(#[source] reqwest::Error),
}

impl NetError {
    /// Whether the policy refused the URL (as opposed to the fetch failing).
    pub fn is_refused(&self) -> bool {
        matches!(
            self,
            Self::Scheme(_) | Self::Credentials | Self::NoHost | Self::PrivateAddress { .. }
        )
    }

    fn from_reqwest(err: reqwest::Error, url: &Url) -> Self {
        let host = url.host_str().unwrap_or_default().to_owned();
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&err);
        while let Some(current) = cause {
            if current.downcast_ref::<RefusedHost>().is_some() {
                return Self::PrivateAddress { host };
            }
            cause = current.source();
        }
        Self::Unreachable { host, source: err }
    }
}

/// The HTTP client that applies a [`NetPolicy`] to every connection; cheap to clone.
#[derive(Debug, Clone)]
pub struct SafeClient {
    http: reqwest::Client,
    policy: NetPolicy,
}

/// Sent with every request, so that a site's operator can tell what fetched.
const USER_AGENT: &str = concat!(
    "ExpressConsent-Archiver/",
    env!("CARGO_PKG_VERSION"),
    " (consent evidence asset archive)"
);

impl SafeClient {
    /// A client applying `policy`.
    pub fn new(policy: NetPolicy) -> Result<Self, NetError> {
        let http = reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(PolicyResolver { policy }))
            .user_agent(USER_AGENT)
            .build()
            .map_err(NetError::Setup)?;
        Ok(Self { http, policy })
    }

    /// The policy this client applies.
    pub fn policy(&self) -> NetPolicy {
        self.policy
    }

    /// GETs `url`, following up to [`MAX_REDIRECTS`] redirects (each checked), and reads
    /// the body within `limits`. A final status other than 2xx is [`NetError::Status`].
    pub async fn get(&self, url: &Url, limits: &FetchLimits) -> Result<Fetched, NetError> {
        within(limits, async {
            let mut current = url.clone();
            for hop in 0..=MAX_REDIRECTS {
                check_url(&current, self.policy)?;
                let response = self
                    .http
                    .get(current.clone())
                    .send()
                    .await
                    .map_err(|err| NetError::from_reqwest(err, &current))?;
                let status = response.status();
                if is_redirect(status) {
                    if hop == MAX_REDIRECTS {
                        return Err(NetError::TooManyRedirects);
                    }
                    current = location(&response, &current).ok_or(NetError::BadRedirect)?;
                    continue;
                }
                if !status.is_success() {
                    return Err(NetError::Status(status.as_u16()));
                }
                return read(response, current, limits.max_bytes).await;
            }
            Err(NetError::TooManyRedirects)
        })
        .await
    }

    /// POSTs `body` as `application/json` with `headers` (e.g. a webhook's signature), and
    /// reads the answer within `limits`. Redirects are not followed and any status is
    /// returned as it is: the caller decides what a 3xx, 4xx or 410 means.
    pub async fn post_json(
        &self,
        url: &Url,
        headers: HeaderMap,
        body: Bytes,
        limits: &FetchLimits,
    ) -> Result<Fetched, NetError> {
        within(limits, async {
            check_url(url, self.policy)?;
            let response = self
                .http
                .post(url.clone())
                .headers(headers)
                .header(CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await
                .map_err(|err| NetError::from_reqwest(err, url))?;
            read(response, url.clone(), limits.max_bytes).await
        })
        .await
    }
}

/// Runs `exchange` within the total time limit.
async fn within<T>(
    limits: &FetchLimits,
    exchange: impl std::future::Future<Output = Result<T, NetError>>,
) -> Result<T, NetError> {
    tokio::time::timeout(limits.timeout, exchange)
        .await
        .map_err(|_| NetError::Timeout(limits.timeout))?
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// The redirect's target, resolved against the URL that answered.
fn location(response: &Response, current: &Url) -> Option<Url> {
    let value = response.headers().get(LOCATION)?;
    let value = std::str::from_utf8(value.as_bytes()).ok()?;
    current.join(value).ok()
}

/// Streams the body into memory, failing as soon as it passes `max_bytes`.
async fn read(mut response: Response, final_url: Url, max_bytes: u64) -> Result<Fetched, NetError> {
    let too_large = NetError::TooLarge { limit: max_bytes };
    if response.content_length().is_some_and(|len| len > max_bytes) {
        return Err(too_large);
    }
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut body = BytesMut::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| NetError::from_reqwest(err, &final_url))?
    {
        if (body.len() + chunk.len()) as u64 > max_bytes {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Fetched {
        final_url,
        status,
        content_type,
        body: body.freeze(),
    })
}

#[cfg(test)]
mod tests;
