//! The evidence store: where captured bytes live.
//!
//! Owns object keys and the choice of backend. The server talks to an
//! [`object_store::ObjectStore`] only, so the local folder used by the embedded default
//! (`$EC_DATA_DIR/evidence`) can be swapped for any S3-compatible bucket without touching
//! callers. Evidence is written once and never modified; derived artefacts go beside it.
//!
//! A local folder is synced like the database: `put` returns once the file and the folders
//! that name it are on disk (`fsync`), so evidence whose CDR row committed survives a power
//! cut with it. (object_store's local backend writes a temporary file and renames it, but
//! syncs nothing.)

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};

/// A handle on the evidence store; cheap to clone.
#[derive(Debug, Clone)]
pub struct EvidenceStore {
    inner: Arc<dyn ObjectStore>,
    /// The folder of a local store, whose writes `put` syncs.
    local_root: Option<PathBuf>,
}

impl EvidenceStore {
    /// Evidence files under `dir`, which is created when missing.
    pub fn local(dir: &Path) -> Result<Self, object_store::Error> {
        std::fs::create_dir_all(dir).map_err(|source| object_store::Error::Generic {
            store: "LocalFileSystem",
            source: Box::new(source),
        })?;
        Ok(Self {
            inner: Arc::new(LocalFileSystem::new_with_prefix(dir)?),
            local_root: Some(dir.canonicalize().map_err(local_error)?),
        })
    }

    /// Any object store, e.g. S3 for scale-out (durable when its put returns).
    pub fn new(inner: Arc<dyn ObjectStore>) -> Self {
        Self {
            inner,
            local_root: None,
        }
    }

    /// The key of a CDR's captured evidence.
    pub fn capture_key(cdr_id: &str) -> String {
        format!("cdrs/{cdr_id}/capture.json")
    }

    /// Stores bytes under `key`; on a local folder, returns once they are on disk.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), object_store::Error> {
        self.inner
            .put(&ObjectPath::from(key), PutPayload::from_bytes(bytes))
            .await?;
        if let Some(root) = &self.local_root {
            let (root, key) = (root.clone(), key.to_owned());
            tokio::task::spawn_blocking(move || sync_local(&root, &key))
                .await
                .map_err(local_error)?
                .map_err(local_error)?;
        }
        Ok(())
    }

    /// Reads the bytes under `key`.
    pub async fn get(&self, key: &str) -> Result<Bytes, object_store::Error> {
        self.inner.get(&ObjectPath::from(key)).await?.bytes().await
    }

    /// The bytes under `key`, or `None` when there is no such object.
    pub async fn get_optional(&self, key: &str) -> Result<Option<Bytes>, object_store::Error> {
        match self.get(key).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Removes `key`; used only to undo a write whose database row was never committed.
    pub async fn delete(&self, key: &str) -> Result<(), object_store::Error> {
        self.inner.delete(&ObjectPath::from(key)).await
    }
}

/// Syncs the file at `key` under `root`, then each folder from its own up to `root`, since
/// a new file is reachable after a power cut only if the folder entries naming it are too.
fn sync_local(root: &Path, key: &str) -> std::io::Result<()> {
    let path = root.join(key);
    File::open(&path)?.sync_all()?;
    for dir in path.ancestors().skip(1) {
        File::open(dir)?.sync_all()?;
        if dir == root {
            break;
        }
    }
    Ok(())
}

fn local_error(source: impl std::error::Error + Send + Sync + 'static) -> object_store::Error {
    object_store::Error::Generic {
        store: "LocalFileSystem",
        source: Box::new(source),
    }
}
