//! The asset archive: the stylesheets, fonts and images a snapshot references, fetched
//! once after ingest and kept by hash beside the evidence, so that what the renderer shows
//! later is what the consumer's browser loaded, even if the site changes or disappears.
//!
//! | module | owns |
//! |---|---|
//! | [`references`] | which URLs a snapshot and a stylesheet reference (pure) |
//! | [`manifest`] | the per-CDR list of what was archived, and reading an asset back |
//!
//! [`archive`] is called from background work, never from the capture request, and never
//! touches the evidence the SDK sent: it only adds `assets/sha256/<hex>` objects.
//!
//! # What is fetched
//!
//! Every URL [`references`] finds in the snapshot (stylesheets, icons, preloaded styles,
//! fonts and images, `<img>`/`<source>` with their `srcset`, posters, SVG images and `<use>`
//! files, `url()` in `style` attributes and `<style>`), cross-origin ones included; then,
//! for each response served as `text/css`, what [`css_references`] finds in it
//! (`@import`, fonts, images), resolved against the stylesheet's final URL, down to
//! [`MAX_CSS_DEPTH`] stylesheets deep. Each distinct URL is fetched once. `data:` URLs are
//! already in the snapshot and are skipped.
//!
//! # Limits ([`ArchiveLimits::DEFAULT`])
//!
//! Per asset: 5 MiB and 10 s (connecting, redirects and body). Per CDR: 200 fetches,
//! 25 MiB in all and 60 s in all, 4 fetches at a time, at most [`MAX_RECORDED`] URLs
//! listed. A URL beyond a CDR budget is recorded `skipped`; over the per-asset size,
//! `too_large`. One asset's failure never fails the archive.
//!
//! # SSRF
//!
//! Fetches go through [`crate::net::SafeClient`]: `http`/`https` only, no credentials,
//! every address connected to checked (loopback, private, link-local, carrier-grade NAT
//! and IPv6 local ranges refused unless `EC_ARCHIVE_PRIVATE_NETWORKS=allow`; reserved
//! ranges and cloud metadata addresses such as 169.254.169.254 always), redirects
//! re-checked, at most 5. A refused URL is recorded `refused`.

pub mod manifest;
pub mod references;

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};
use sha2::{Digest, Sha256};
use tokio::time::Instant;
use url::Url;

use crate::evidence::store::EvidenceStore;
use crate::net::{FetchLimits, Fetched, NetError, SafeClient};

pub use manifest::{asset_key, lookup, AssetRecord, AssetStatus, Manifest};
pub use references::{css_references, references};

/// How many stylesheets deep `@import` chains are followed: a stylesheet linked from the
/// page is depth 0, one it imports depth 1, and so on; what a depth-4 stylesheet references
/// is not fetched.
pub const MAX_CSS_DEPTH: u32 = 4;

/// The most URLs one manifest lists; a page referencing more has the rest left out
/// (they would all be `skipped` anyway, since [`ArchiveLimits::max_assets`] is lower).
pub const MAX_RECORDED: usize = 1_000;

/// What archiving one CDR may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Size and time limit of each asset.
    pub per_asset: FetchLimits,
    /// Fetches per CDR.
    pub max_assets: usize,
    /// Bytes archived per CDR.
    pub max_total_bytes: u64,
    /// Time for the whole archive.
    pub total_time: Duration,
    /// Fetches in flight at once.
    pub concurrency: usize,
}

impl ArchiveLimits {
    /// 5 MiB and 10 s per asset; 200 assets, 25 MiB and 60 s per CDR; 4 at a time.
    pub const DEFAULT: Self = Self {
        per_asset: FetchLimits {
            max_bytes: 5 * 1024 * 1024,
            timeout: Duration::from_secs(10),
        },
        max_assets: 200,
        max_total_bytes: 25 * 1024 * 1024,
        total_time: Duration::from_secs(60),
        concurrency: 4,
    };
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Fetches and stores everything `snapshot_html` (captured at `page_url`) references, and
/// returns the manifest: one record per URL, in the order found. Never fails as a whole:
/// each URL's outcome is in its record (a failed store write is recorded `failed`).
pub async fn archive(
    client: &SafeClient,
    store: &EvidenceStore,
    snapshot_html: &str,
    page_url: &Url,
    limits: &ArchiveLimits,
) -> Manifest {
    let deadline = Instant::now() + limits.total_time;
    let mut run = Run {
        records: Vec::new(),
        queue: VecDeque::new(),
    };
    run.discover(references(snapshot_html, page_url), 0);

    let (mut started, mut used, mut reserved) = (0usize, 0u64, 0u64);
    let mut in_flight = FuturesUnordered::new();
    loop {
        while in_flight.len() < limits.concurrency.max(1) {
            let Some(&(index, depth)) = run.queue.front() else {
                break;
            };
            let now = Instant::now();
            let bytes_left = limits.max_total_bytes.saturating_sub(used + reserved);
            if bytes_left == 0 && !in_flight.is_empty() {
                // What is in flight may use less than it reserved; wait for it.
                break;
            }
            run.queue.pop_front();
            if started >= limits.max_assets || now >= deadline || bytes_left == 0 {
                continue; // recorded `skipped` when discovered
            }
            let fetch = FetchLimits {
                max_bytes: limits.per_asset.max_bytes.min(bytes_left),
                timeout: limits.per_asset.timeout.min(deadline - now),
            };
            started += 1;
            reserved += fetch.max_bytes;
            let url = run.records[index].url.clone();
            in_flight.push(async move {
                let result = fetch_and_store(client, store, &url, fetch).await;
                (index, depth, fetch, result)
            });
        }
        let Some((index, depth, fetch, result)) = in_flight.next().await else {
            break;
        };
        reserved -= fetch.max_bytes;
        let record = &mut run.records[index];
        match result {
            Ok(stored) => {
                used += stored.size;
                record.status = AssetStatus::Archived;
                record.http_status = Some(stored.fetched.status);
                record.sha256 = Some(stored.sha256);
                record.size = Some(stored.size);
                record.content_type = stored.fetched.content_type.clone();
                if is_css(&stored.fetched) && depth < MAX_CSS_DEPTH {
                    let css = String::from_utf8_lossy(&stored.fetched.body);
                    run.discover(css_references(&css, &stored.fetched.final_url), depth + 1);
                }
            }
            Err(err) => {
                tracing::debug!(url = %record.url, error = %err, "asset not archived");
                record.status = status_of(&err, &fetch, &limits.per_asset);
                record.http_status = match err {
                    Failure::Net(NetError::Status(code)) => Some(code),
                    _ => None,
                };
            }
        }
    }
    Manifest {
        assets: run.records,
    }
}

/// The records so far and the URLs waiting for a fetch.
struct Run {
    records: Vec<AssetRecord>,
    /// (index into `records`, stylesheet depth)
    queue: VecDeque<(usize, u32)>,
}

impl Run {
    /// Records each URL not seen before as `skipped` (until fetched) and queues it.
    fn discover(&mut self, urls: Vec<Url>, depth: u32) {
        for url in urls {
            let url = String::from(url);
            if self.records.len() >= MAX_RECORDED || self.records.iter().any(|r| r.url == url) {
                continue;
            }
            self.queue.push_back((self.records.len(), depth));
            self.records.push(AssetRecord {
                url,
                status: AssetStatus::Skipped,
                http_status: None,
                content_type: None,
                sha256: None,
                size: None,
            });
        }
    }
}

/// Why an asset was not archived.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Net(#[from] NetError),
    #[error("the URL does not parse")]
    BadUrl,
    #[error("storing the asset failed: {0}")]
    Store(#[from] object_store::Error),
}

/// A fetched body, stored.
struct Stored {
    fetched: Fetched,
    sha256: String,
    size: u64,
}

/// Fetches one URL and stores its body under its hash (unless already there).
async fn fetch_and_store(
    client: &SafeClient,
    store: &EvidenceStore,
    url: &str,
    limits: FetchLimits,
) -> Result<Stored, Failure> {
    let url = Url::parse(url).map_err(|_| Failure::BadUrl)?;
    let fetched = client.get(&url, &limits).await?;
    let sha256 = hex::encode(Sha256::digest(&fetched.body));
    let key = asset_key(&sha256);
    // Content-addressed: present means the same bytes are already stored.
    if store.get(&key).await.is_err() {
        store.put(&key, fetched.body.clone()).await?;
    }
    let size = fetched.body.len() as u64;
    Ok(Stored {
        fetched,
        sha256,
        size,
    })
}

/// The status of a URL whose fetch failed with `err` under `fetch` (this asset's limits,
/// possibly cut down by what was left of the CDR's budget) and `per_asset` (the full ones).
fn status_of(err: &Failure, fetch: &FetchLimits, per_asset: &FetchLimits) -> AssetStatus {
    match err {
        Failure::Net(err) if err.is_refused() => AssetStatus::Refused,
        Failure::Net(NetError::TooLarge { .. }) if fetch.max_bytes < per_asset.max_bytes => {
            AssetStatus::Skipped
        }
        Failure::Net(NetError::TooLarge { .. }) => AssetStatus::TooLarge,
        Failure::Net(NetError::Timeout(_)) if fetch.timeout < per_asset.timeout => {
            AssetStatus::Skipped
        }
        _ => AssetStatus::Failed,
    }
}

/// Whether a response is a stylesheet to read for more references.
fn is_css(fetched: &Fetched) -> bool {
    fetched.content_type.as_deref().is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("text/css"))
    })
}

#[cfg(test)]
mod tests;
