//! The transparency log: every CDR's entry in an append-only RFC 6962 Merkle tree,
//! published in the C2SP formats (tlog-checkpoint, signed-note, tlog-tiles, tlog-proof) and
//! sent to witnesses (tlog-witness, tlog-cosignature), so a buyer can prove offline that
//! the evidence existed unchanged and that the operator never showed two histories.
//!
//! | file | owns |
//! |---|---|
//! | [`entry`] | the entry text a CDR's leaf hashes |
//! | [`keys`] | the Ed25519 signed-note key: `EC_LOG_KEY` or `<data_dir>/log.key` |
//! | [`hashes`] | the database's stored hashes as `tlog_tiles` reads them |
//! | [`tiles`] | tlog-tiles paths and entry bundles under `log/` in the evidence store |
//! | [`sequencer`] | one sequencer at a time (a lease row): entries, hashes, tiles, checkpoint |
//! | [`proof`] | the `c2sp.org/tlog-proof@v1` document of one CDR |
//! | [`witness`] | `EC_WITNESSES`: `add-checkpoint`, verifying `cosignature/v1` lines |
//! | [`routes`] | `/log/checkpoint`, `/log/tile/…`, `/log/key`, `/v1/cdrs/{cdrId}/proof` |
//!
//! The crates: `tlog_tiles` (Cloudflare's port of Go's `golang.org/x/mod/sumdb/tlog`, used
//! by their Azul CT logs) does the Merkle hashing, stored hashes, inclusion and consistency
//! proofs, tile coordinates and checkpoint text; `signed_note` (same authors) the note
//! format, key strings and Ed25519 signatures; `ed25519-dalek` verifies the witnesses'
//! cosignatures, whose key type `signed_note` does not know. This module is only the glue:
//! storage, ordering, and the formats the specifications define.

pub mod entry;
pub mod hashes;
pub mod keys;
pub mod proof;
pub mod routes;
pub mod sequencer;
pub mod tiles;
pub mod witness;

use std::sync::Arc;

use clap::Args;

use keys::{KeyError, LogKeys};
use witness::Witness;

/// The log's settings.
#[derive(Debug, Clone, Default, Args)]
pub struct LogArgs {
    /// The log's origin (the checkpoints' first line and the key's name). Default: the
    /// public URL without its scheme, plus `/log`, when the key is created.
    #[arg(long, env = "EC_LOG_ORIGIN")]
    pub log_origin: Option<String>,
    /// The log's private key (`PRIVATE+KEY+<origin>+<id>+<base64>`); default: created
    /// once as `<data_dir>/log.key`.
    #[arg(long, env = "EC_LOG_KEY", hide_env_values = true)]
    pub log_key: Option<String>,
    /// Witnesses to send each checkpoint to: comma-separated `VKEY@URL` (the witness's
    /// cosignature/v1 verifier key and base URL).
    #[arg(long, env = "EC_WITNESSES", value_delimiter = ',', num_args = 0..)]
    pub witnesses: Vec<String>,
}

/// Why the log could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The key.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A witness entry.
    #[error(transparent)]
    Witness(#[from] witness::WitnessKeyError),
}

/// The log's part of the app state. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LogState {
    /// The signing key; its name is the origin.
    pub keys: Arc<LogKeys>,
    /// The witnesses each checkpoint is sent to.
    pub witnesses: Arc<[Witness]>,
}

impl LogState {
    /// Loads (or creates) the key and parses the witnesses.
    pub fn new(
        args: &LogArgs,
        public_url: &str,
        data_dir: &std::path::Path,
    ) -> Result<Self, SetupError> {
        let keys = LogKeys::load(
            args.log_key.as_deref(),
            args.log_origin.as_deref(),
            &keys::default_origin(public_url),
            data_dir,
        )?;
        let witnesses = args
            .witnesses
            .iter()
            .filter(|w| !w.trim().is_empty())
            .map(|w| Witness::parse(w.trim()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            keys: Arc::new(keys),
            witnesses: witnesses.into(),
        })
    }
}

/// Why a log operation failed (kept in logs; HTTP answers say only "internal").
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The database.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// The evidence store.
    #[error("evidence store: {0}")]
    Store(#[from] object_store::Error),
    /// A tree computation.
    #[error("tree: {0}")]
    Tree(#[from] tlog_tiles::Error),
    /// A note.
    #[error("note: {0}")]
    Note(#[from] signed_note::NoteError),
    /// The log was started with another key (origin); this process does not publish.
    #[error("the log's checkpoints are for origin {0:?}, not this process's key; start it with the log's key (EC_LOG_KEY or the data folder's log.key)")]
    OtherKey(String),
    /// Stored data that does not parse.
    #[error("stored log data is corrupt: {0}")]
    Corrupt(&'static str),
}
