//! The evidence store: where captured bytes live.
//!
//! Owns object keys and the choice of backend. The server talks to an
//! [`object_store::ObjectStore`] only, so the local folder used by the embedded default
//! (`$EC_DATA_DIR/evidence`) can be swapped for any S3-compatible bucket without touching
//! callers. Evidence is written once and never modified; derived artefacts go beside it.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};

/// A handle on the evidence store; cheap to clone.
#[derive(Debug, Clone)]
pub struct EvidenceStore {
    inner: Arc<dyn ObjectStore>,
}

impl EvidenceStore {
    /// Evidence files under `dir`, which is created when missing.
    pub fn local(dir: &Path) -> Result<Self, object_store::Error> {
        std::fs::create_dir_all(dir).map_err(|source| object_store::Error::Generic {
            store: "LocalFileSystem",
            source: Box::new(source),
        })?;
        Ok(Self::new(Arc::new(LocalFileSystem::new_with_prefix(dir)?)))
    }

    /// Any object store, e.g. S3 for scale-out.
    pub fn new(inner: Arc<dyn ObjectStore>) -> Self {
        Self { inner }
    }

    /// The key of a CDR's captured evidence.
    pub fn capture_key(cdr_id: &str) -> String {
        format!("cdrs/{cdr_id}/capture.json")
    }

    /// Stores bytes under `key`.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), object_store::Error> {
        self.inner
            .put(&ObjectPath::from(key), PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    /// Reads the bytes under `key`.
    pub async fn get(&self, key: &str) -> Result<Bytes, object_store::Error> {
        self.inner.get(&ObjectPath::from(key)).await?.bytes().await
    }

    /// Removes `key`; used only to undo a write whose database row was never committed.
    pub async fn delete(&self, key: &str) -> Result<(), object_store::Error> {
        self.inner.delete(&ObjectPath::from(key)).await
    }
}
