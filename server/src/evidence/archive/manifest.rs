//! The list of a CDR's archived assets, and reading an archived asset back.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::evidence::store::EvidenceStore;

/// What became of each URL the snapshot (or one of its stylesheets) referenced, in the
/// order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// One record per distinct URL (fragments ignored).
    pub assets: Vec<AssetRecord>,
}

/// One referenced URL and what the archive did with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetRecord {
    /// The URL as referenced, resolved, without its fragment (not the redirect target:
    /// the renderer asks for what the page asked for).
    pub url: String,
    /// What happened.
    pub status: AssetStatus,
    /// The final HTTP status, when a response came (2xx for archived, e.g. 404 for failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The response's `Content-Type`, when archived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Hex SHA-256 of the body, which is also its key in the evidence store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The body's size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// What the archive did with one URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetStatus {
    /// Fetched and stored.
    Archived,
    /// Not fetched: the SSRF policy refused its URL or an address it led to.
    Refused,
    /// Fetching failed: unreachable, an HTTP error, a time-out, too many redirects.
    Failed,
    /// Over the per-asset size limit.
    TooLarge,
    /// Not fetched, or cut short, because the CDR's budget (assets, bytes or time) ran out.
    Skipped,
}

impl AssetStatus {
    /// The name stored in the database and sent in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Archived => "archived",
            Self::Refused => "refused",
            Self::Failed => "failed",
            Self::TooLarge => "too_large",
            Self::Skipped => "skipped",
        }
    }

    /// The status named `name`, as [`AssetStatus::as_str`] writes it.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::Archived,
            Self::Refused,
            Self::Failed,
            Self::TooLarge,
            Self::Skipped,
        ]
        .into_iter()
        .find(|status| status.as_str() == name)
    }
}

/// The evidence store key of an archived body: content-addressed, so the same font used
/// by a thousand CDRs is stored once.
pub fn asset_key(sha256_hex: &str) -> String {
    format!("assets/sha256/{sha256_hex}")
}

/// The archived bytes for `url` and their content type (`application/octet-stream` when
/// the origin sent none), for the renderer. The URL matches a record exactly once both are
/// parsed, fragments ignored; only archived records answer.
pub async fn lookup(
    store: &EvidenceStore,
    manifest: &Manifest,
    url: &Url,
) -> Option<(String, Bytes)> {
    let wanted = without_fragment(url.clone());
    let record = manifest.assets.iter().find(|record| {
        record.status == AssetStatus::Archived
            && Url::parse(&record.url).is_ok_and(|u| without_fragment(u) == wanted)
    })?;
    let bytes = store
        .get(&asset_key(record.sha256.as_deref()?))
        .await
        .ok()?;
    let content_type = record
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    Some((content_type, bytes))
}

fn without_fragment(mut url: Url) -> Url {
    url.set_fragment(None);
    url
}
