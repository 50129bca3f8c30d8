//! `verify --consistency --old FILE --log URL --key VKEY`: does the log's current checkpoint
//! extend a checkpoint a buyer kept? Fetches `URL/log/checkpoint` and the hash tiles it needs
//! from `URL/log/tile/<L>/<N>[.p/<W>]` (c2sp.org/tlog-tiles), checks both signatures, and
//! checks a consistency proof built from the fetched tiles (`tlog_tiles::prove_tree` over a
//! `TileHashReader`, which authenticates every tile against the new root, then `check_tree`).
//!
//! Plain reqwest (the workspace's HTTP client); http is allowed since this is a client command
//! that a buyer points at a URL of their choosing.

use std::time::Duration;

use base64::prelude::{Engine as _, BASE64_STANDARD};
use serde::Serialize;
use tlog_tiles::{Tile, TileHashReader, TileReader};

use super::offline::{open_checkpoint, VerifyError};
use super::proof::TlogProof;

/// The tile height the C2SP tlog-tiles layout fixes.
const HEIGHT: u8 = 8;

/// Why the consistency check failed.
#[derive(Debug, thiserror::Error)]
pub enum ConsistencyError {
    /// The old checkpoint file is not a checkpoint (or a proof carrying one), or a signature
    /// or key is wrong.
    #[error("the old checkpoint: {0}")]
    Old(VerifyError),
    /// The log's current checkpoint does not verify.
    #[error("the log's current checkpoint: {0}")]
    New(VerifyError),
    /// The log could not be read.
    #[error("could not read the log: {0}")]
    Fetch(String),
    /// The origins differ.
    #[error("the checkpoints are of different logs ({old} and {new})")]
    Origin {
        /// The old origin.
        old: String,
        /// The new origin.
        new: String,
    },
    /// The log shrank, changed its root at the same size, or its new tree does not contain
    /// the old one.
    #[error("the log's current checkpoint does not extend the old checkpoint: {0}")]
    NotExtended(String),
}

/// What a successful check proved.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Consistent {
    /// Always true.
    pub consistent: bool,
    /// The log's origin.
    pub origin: String,
    /// The old tree size.
    pub old_size: u64,
    /// The old root hash, base64.
    pub old_root_hash: String,
    /// The current tree size.
    pub tree_size: u64,
    /// The current root hash, base64.
    pub root_hash: String,
    /// The current checkpoint, verbatim (keep it for next time).
    pub checkpoint: String,
}

/// The note part of a kept file: a checkpoint note, or a proof document carrying one.
fn kept_note(bytes: &[u8]) -> Result<Vec<u8>, ConsistencyError> {
    if bytes.starts_with(super::proof::HEADER.as_bytes()) {
        TlogProof::parse(bytes)
            .map(|p| p.checkpoint)
            .map_err(|e| ConsistencyError::Old(VerifyError::Format(e)))
    } else {
        Ok(bytes.to_vec())
    }
}

/// The URL of a hash tile in the C2SP layout (`tile/<L>/<N>[.p/<W>]`; no height segment).
pub fn tile_url(base: &str, tile: &Tile) -> String {
    let path = tile.path();
    let rest = path
        .strip_prefix(&format!("tile/{HEIGHT}/"))
        .unwrap_or(&path);
    format!("{}/log/tile/{rest}", base.trim_end_matches('/'))
}

struct HttpTiles {
    client: reqwest::Client,
    base: String,
    runtime: tokio::runtime::Handle,
}

impl HttpTiles {
    async fn fetch(&self, tile: &Tile) -> Result<Vec<u8>, String> {
        let want = tile.width() as usize * tlog_tiles::HASH_SIZE;
        let mut urls = vec![tile_url(&self.base, tile)];
        if tile.width() < 1 << HEIGHT {
            // A log may drop a partial tile once the full one exists; its prefix is the same.
            let full = Tile::new(HEIGHT, tile.level(), tile.level_index(), 1 << HEIGHT, false);
            urls.push(tile_url(&self.base, &full));
        }
        for url in &urls {
            let response = self
                .client
                .get(url)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if response.status() == reqwest::StatusCode::NOT_FOUND {
                continue;
            }
            if !response.status().is_success() {
                return Err(format!("{url}: HTTP {}", response.status()));
            }
            let body = response.bytes().await.map_err(|e| e.to_string())?;
            if body.len() < want {
                return Err(format!("{url}: tile too short"));
            }
            return Ok(body[..want].to_vec());
        }
        Err(format!("{}: not found", urls[0]))
    }
}

impl TileReader for HttpTiles {
    fn height(&self) -> u8 {
        HEIGHT
    }
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                self.runtime
                    .block_on(self.fetch(t))
                    .map_err(tlog_tiles::Error::InvalidInput)
            })
            .collect()
    }
    fn save_tiles(&self, _tiles: &[Tile], _data: &[Vec<u8>]) {}
}

/// Checks that the log at `base_url` extends the kept checkpoint `old_bytes`.
pub async fn check(
    old_bytes: &[u8],
    base_url: &str,
    log_key: &str,
) -> Result<Consistent, ConsistencyError> {
    let old_note = kept_note(old_bytes)?;
    let (_, old) = open_checkpoint(&old_note, log_key).map_err(ConsistencyError::Old)?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| ConsistencyError::Fetch(e.to_string()))?;
    let base = base_url.trim_end_matches('/').to_owned();
    let response = client
        .get(format!("{base}/log/checkpoint"))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| ConsistencyError::Fetch(e.to_string()))?;
    let new_note = response
        .bytes()
        .await
        .map_err(|e| ConsistencyError::Fetch(e.to_string()))?
        .to_vec();
    let (_, new) = open_checkpoint(&new_note, log_key).map_err(ConsistencyError::New)?;
    if old.origin() != new.origin() {
        return Err(ConsistencyError::Origin {
            old: old.origin().to_owned(),
            new: new.origin().to_owned(),
        });
    }
    if new.size() < old.size() {
        return Err(ConsistencyError::NotExtended(format!(
            "the log shrank from {} to {} entries",
            old.size(),
            new.size()
        )));
    }
    if new.size() == old.size() {
        if new.hash() != old.hash() {
            return Err(ConsistencyError::NotExtended(
                "same size, different root hash".to_owned(),
            ));
        }
    } else if old.size() > 0 {
        let tiles = HttpTiles {
            client,
            base,
            runtime: tokio::runtime::Handle::current(),
        };
        let (new_size, new_hash, old_size, old_hash) =
            (new.size(), *new.hash(), old.size(), *old.hash());
        tokio::task::spawn_blocking(move || {
            let reader = TileHashReader::new(new_size, new_hash, &tiles);
            let proof =
                tlog_tiles::prove_tree(new_size, old_size, &reader).map_err(|e| match e {
                    tlog_tiles::Error::InvalidInput(msg) => ConsistencyError::Fetch(msg),
                    _ => ConsistencyError::NotExtended(
                        "the log's tiles do not lead to its checkpoint's root".to_owned(),
                    ),
                })?;
            tlog_tiles::check_tree(&proof, new_size, new_hash, old_size, old_hash).map_err(|_| {
                ConsistencyError::NotExtended(
                    "the old tree is not a prefix of the new one".to_owned(),
                )
            })
        })
        .await
        .map_err(|e| ConsistencyError::Fetch(e.to_string()))??;
    }
    Ok(Consistent {
        consistent: true,
        origin: new.origin().to_owned(),
        old_size: old.size(),
        old_root_hash: BASE64_STANDARD.encode(old.hash().0),
        tree_size: new.size(),
        root_hash: BASE64_STANDARD.encode(new.hash().0),
        checkpoint: String::from_utf8_lossy(&new_note).into_owned(),
    })
}
