//! Sending one webhook request: no redirects, a time limit, and the URL rules.

use std::time::Duration;

use bytes::Bytes;
use url::Url;

use expressconsent_protocol::MAX_WEBHOOK_URL_CHARS;

/// Why a request was not answered.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// The URL breaks the rules (scheme, credentials, address).
    #[error("the webhook URL is not allowed: {0}")]
    Refused(String),
    /// No answer in time.
    #[error("the endpoint did not answer within {0:?}")]
    Timeout(Duration),
    /// The connection failed.
    #[error("could not reach the endpoint")]
    Unreachable,
}

impl PostError {
    /// Whether the URL itself was refused (rather than the endpoint failing).
    pub fn is_refusal(&self) -> bool {
        matches!(self, Self::Refused(_))
    }
}

/// Posts webhook requests; cheap to clone.
#[derive(Debug, Clone)]
pub struct Poster {
    client: reqwest::Client,
}

impl Default for Poster {
    fn default() -> Self {
        Self::new()
    }
}

impl Poster {
    /// A poster that follows no redirects.
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "ExpressConsent-Webhooks/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .unwrap_or_default();
        Self { client }
    }

    /// POSTs `body` with `headers` to `url`; the answer's status.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: Bytes,
        timeout: Duration,
    ) -> Result<u16, PostError> {
        let url = check_url(url).map_err(PostError::Refused)?;
        let mut request = self.client.post(url).timeout(timeout).body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        match request.send().await {
            Ok(response) => Ok(response.status().as_u16()),
            Err(err) if err.is_timeout() => Err(PostError::Timeout(timeout)),
            Err(_) => Err(PostError::Unreachable),
        }
    }
}

/// Checks a webhook URL's form: `http` or `https`, a host, no user name or password, at
/// most [`MAX_WEBHOOK_URL_CHARS`] characters. The message says what is wrong.
pub fn check_url(raw: &str) -> Result<Url, String> {
    if raw.chars().count() > MAX_WEBHOOK_URL_CHARS {
        return Err(format!(
            "it is longer than {MAX_WEBHOOK_URL_CHARS} characters"
        ));
    }
    let url = Url::parse(raw).map_err(|err| format!("it is not an absolute URL ({err})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("only http and https URLs are allowed".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("it must not contain a user name or password".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("it has no host".into());
    }
    Ok(url)
}
