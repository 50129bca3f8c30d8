//! `expressconsent-server witness`: a C2SP tlog-witness (c2sp.org/tlog-witness) for one log.
//!
//! `POST /add-checkpoint` takes `old <size>`, a consistency proof and a checkpoint; the witness
//! verifies the log's signature (`signed_note`), the consistency of the new checkpoint with the
//! latest one it cosigned for that origin (`tlog_tiles::check_tree`), persists the new one, and
//! answers its `cosignature/v1` line. The check and the update run under one lock and the state
//! file is replaced atomically (`tempfile`'s persist: write, fsync, rename), so two requests can
//! never roll the witness back and it never cosigns two inconsistent views, even across
//! restarts. HTTP is axum, like the server.
//!
//! Data folder: `witness.key` (the cosigner's private key, mode 0600, created on first start)
//! and `state.json` (origin → latest cosigned size and root).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::prelude::{Engine as _, BASE64_STANDARD};
use serde::{Deserialize, Serialize};
use signed_note::{Note, StandardVerifier, VerifierList};
use tlog_tiles::{Checkpoint, Hash};
use tokio::sync::Mutex;

use super::cosignature::Cosigner;
use super::proof::{parse_decimal, parse_hash};

const KEY_FILE: &str = "witness.key";
const STATE_FILE: &str = "state.json";

/// The latest checkpoint cosigned for one origin.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Latest {
    size: u64,
    root: String,
}

/// Loads the witness key from `dir`, creating it (with `name`) on first use. A `name` that
/// differs from the stored key's is an error: the key ID commits to the name.
pub fn load_or_create_key(dir: &Path, name: Option<&str>) -> anyhow::Result<Cosigner> {
    let path = dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let cosigner = Cosigner::from_private_key(&text)
                .with_context(|| format!("{} is not a witness key", path.display()))?;
            if let Some(name) = name {
                anyhow::ensure!(
                    name == cosigner.name(),
                    "the witness key in {} is named {:?}, not {name:?}",
                    dir.display(),
                    cosigner.name()
                );
            }
            Ok(cosigner)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let name = name
                .map(str::to_owned)
                .unwrap_or_else(|| format!("expressconsent-witness/{:08x}", rand::random::<u32>()));
            let cosigner = Cosigner::generate(&name)
                .map_err(|e| anyhow::anyhow!("witness name {name:?}: {e}"))?;
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            write_private(&path, cosigner.private_key().as_bytes())?;
            Ok(cosigner)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Creates `path` with mode 0600 (refusing to overwrite) and writes `bytes`.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}

/// A running witness's shared state.
pub struct Witness {
    cosigner: Cosigner,
    log_key: StandardVerifier,
    origin: String,
    dir: PathBuf,
    state: Mutex<BTreeMap<String, Latest>>,
}

impl Witness {
    /// Opens the witness in `dir` for the log whose verifier key is `log_key`.
    pub fn open(dir: &Path, log_key: &str, name: Option<&str>) -> anyhow::Result<Self> {
        let cosigner = load_or_create_key(dir, name)?;
        let log_key = StandardVerifier::new(log_key.trim())
            .map_err(|e| anyhow::anyhow!("--log-key is not a signed-note verifier key: {e}"))?;
        let origin = signed_note::Verifier::name(&log_key).to_owned();
        let state = match std::fs::read(dir.join(STATE_FILE)) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is corrupt", dir.join(STATE_FILE).display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e.into()),
        };
        Ok(Self {
            cosigner,
            log_key,
            origin,
            dir: dir.to_owned(),
            state: Mutex::new(state),
        })
    }

    /// The witness's verifier key string (type 0x04).
    pub fn verifier_key(&self) -> String {
        self.cosigner.verifier_key()
    }

    /// The router: `POST /add-checkpoint`.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/add-checkpoint", post(add_checkpoint))
            .with_state(self)
    }

    fn persist(&self, state: &BTreeMap<String, Latest>) -> anyhow::Result<()> {
        let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
        file.write_all(&serde_json::to_vec_pretty(state)?)?;
        file.as_file().sync_all()?;
        file.persist(self.dir.join(STATE_FILE))?;
        Ok(())
    }

    /// Handles one add-checkpoint body; the response per tlog-witness.
    async fn add(&self, body: &[u8]) -> Response {
        let Some(request) = parse_request(body) else {
            return plain(
                StatusCode::BAD_REQUEST,
                "malformed add-checkpoint request\n",
            );
        };
        let Ok(note) = Note::from_bytes(&request.note) else {
            return plain(StatusCode::BAD_REQUEST, "malformed checkpoint note\n");
        };
        let Ok(checkpoint) = Checkpoint::from_bytes(note.text()) else {
            return plain(StatusCode::BAD_REQUEST, "malformed checkpoint\n");
        };
        if checkpoint.origin() != self.origin {
            return plain(StatusCode::NOT_FOUND, "unknown log origin\n");
        }
        if note
            .verify(&VerifierList::new(vec![Box::new(self.log_key.clone())]))
            .is_err()
        {
            return plain(StatusCode::FORBIDDEN, "no valid signature by the log key\n");
        }
        if request.old > checkpoint.size() {
            return plain(
                StatusCode::BAD_REQUEST,
                "old size is larger than the checkpoint's\n",
            );
        }
        let mut state = self.state.lock().await;
        let latest = state.get(&self.origin).cloned();
        let (known_size, known_root) = match &latest {
            Some(l) => (l.size, parse_hash(&l.root)),
            None => (0, None),
        };
        if request.old != known_size {
            return conflict(known_size);
        }
        if request.old == 0 {
            if !request.proof.is_empty() {
                return plain(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "proof must be empty from size 0\n",
                );
            }
        } else if request.old == checkpoint.size() {
            if Some(*checkpoint.hash()) != known_root {
                tracing::warn!(origin = %self.origin, size = request.old, "log presented a different root at a size already cosigned");
                return conflict(known_size);
            }
        } else {
            let Some(old_root) = known_root else {
                return plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "witness state is corrupt\n",
                );
            };
            if tlog_tiles::check_tree(
                &request.proof,
                checkpoint.size(),
                *checkpoint.hash(),
                request.old,
                old_root,
            )
            .is_err()
            {
                tracing::warn!(origin = %self.origin, old = request.old, size = checkpoint.size(), "refused a checkpoint inconsistent with the one cosigned");
                return plain(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "consistency proof does not verify\n",
                );
            }
        }
        let mut next = state.clone();
        next.insert(
            self.origin.clone(),
            Latest {
                size: checkpoint.size(),
                root: BASE64_STANDARD.encode(checkpoint.hash().0),
            },
        );
        if let Err(e) = self.persist(&next) {
            tracing::error!(error = %e, "could not persist the witness state");
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not persist state\n",
            );
        }
        *state = next;
        drop(state);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let line = self.cosigner.cosign(&note, now);
        (StatusCode::OK, line).into_response()
    }
}

struct AddRequest {
    old: u64,
    proof: Vec<Hash>,
    note: Vec<u8>,
}

fn parse_request(body: &[u8]) -> Option<AddRequest> {
    let text = std::str::from_utf8(body).ok()?;
    let (first, mut rest) = text.split_once('\n')?;
    let old = parse_decimal(first.strip_prefix("old ")?)?;
    let mut proof = Vec::new();
    loop {
        let (line, tail) = rest.split_once('\n')?;
        rest = tail;
        if line.is_empty() {
            break;
        }
        if proof.len() == 63 {
            return None;
        }
        proof.push(parse_hash(line)?);
    }
    Some(AddRequest {
        old,
        proof,
        note: rest.as_bytes().to_vec(),
    })
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

fn conflict(size: u64) -> Response {
    (
        StatusCode::CONFLICT,
        [(header::CONTENT_TYPE, "text/x.tlog.size")],
        format!("{size}\n"),
    )
        .into_response()
}

async fn add_checkpoint(State(witness): State<Arc<Witness>>, body: Bytes) -> Response {
    witness.add(&body).await
}

/// Runs a witness until `shutdown` completes; `on_ready` gets the bound address and the
/// verifier key once it listens.
pub async fn serve(
    witness: Witness,
    bind: SocketAddr,
    on_ready: impl FnOnce(SocketAddr, &str),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    on_ready(listener.local_addr()?, &witness.verifier_key());
    axum::serve(listener, Arc::new(witness).router())
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
