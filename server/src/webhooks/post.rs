//! Sending one webhook request through [`crate::net`]'s SSRF-safe client (the archive's
//! rules: http/https only, no credentials, no private, loopback or link-local address
//! unless `EC_ARCHIVE_PRIVATE_NETWORKS=allow`, checked on the address actually connected
//! to), with no redirects and a time limit; and the form a webhook URL must have.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use bytes::Bytes;
use expressconsent_protocol::MAX_WEBHOOK_URL_CHARS;
use url::Url;

use crate::net::{self, FetchLimits, NetError, NetPolicy, SafeClient};

/// The most of an endpoint's answer that is read (and then dropped).
const MAX_ANSWER_BYTES: u64 = 1024 * 1024;

/// Posts webhook requests; cheap to clone.
#[derive(Debug, Clone)]
pub struct Poster {
    client: SafeClient,
}

impl Poster {
    /// A poster under `policy`.
    pub fn new(policy: NetPolicy) -> Result<Self, NetError> {
        Ok(Self {
            client: SafeClient::new(policy)?,
        })
    }

    /// POSTs the JSON `body` with `headers` to `url`; the answer's status.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: Bytes,
        timeout: Duration,
    ) -> Result<u16, NetError> {
        let url = Url::parse(url).map_err(|_| NetError::NoHost)?;
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                map.insert(name, value);
            }
        }
        map.insert(
            axum::http::header::USER_AGENT,
            HeaderValue::from_static(concat!(
                "ExpressConsent-Webhooks/",
                env!("CARGO_PKG_VERSION")
            )),
        );
        let limits = FetchLimits {
            max_bytes: MAX_ANSWER_BYTES,
            timeout,
        };
        match self.client.post_json(&url, map, body, &limits).await {
            Ok(answer) => Ok(answer.status),
            // An answer too long to read was still an answer; its status is unknown.
            Err(err) => Err(err),
        }
    }
}

/// Checks a webhook URL: `http` or `https`, a host, no user name or password, at most
/// [`MAX_WEBHOOK_URL_CHARS`] characters, and not a literal address the policy refuses
/// (names are checked again on every delivery, on the addresses they resolve to). The
/// message says what is wrong.
pub fn check_url(raw: &str, policy: NetPolicy) -> Result<Url, String> {
    if raw.chars().count() > MAX_WEBHOOK_URL_CHARS {
        return Err(format!(
            "it is longer than {MAX_WEBHOOK_URL_CHARS} characters"
        ));
    }
    let url = Url::parse(raw).map_err(|err| format!("it is not an absolute URL ({err})"))?;
    net::check_url(&url, policy).map_err(|err| err.to_string())?;
    Ok(url)
}
