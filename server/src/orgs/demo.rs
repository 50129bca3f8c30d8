//! The demo orgs: a lead generator and a lead buyer for trying the product locally.
//!
//! Owns `<data_dir>/demo-credentials.json`. It is created once (mode 0600, since it holds
//! API keys) and read on every later start, so the demo keys stay stable across restarts.

use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::db::orgs::{create_org, CreatedOrg, NewOrg};
use crate::db::Db;
use crate::orgs::host::Host;

/// The two demo orgs and their keys, as stored in the credentials file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoCredentials {
    /// "Demo Lead Generator": domains `localhost` and `127.0.0.1`, auto-collect on.
    pub generator: CreatedOrg,
    /// "Demo Lead Buyer": no domains.
    pub buyer: CreatedOrg,
}

/// Why the demo orgs could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Reading or writing the credentials file failed.
    #[error("demo credentials file {path}: {source}")]
    File {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not what this module writes.
    #[error("demo credentials file {0} is not valid; delete it to recreate the demo orgs")]
    Invalid(String),
    /// Creating the orgs failed.
    #[error("cannot create the demo orgs: {0}")]
    Db(#[from] sqlx::Error),
}

/// Reads the demo credentials, creating the orgs and the file on first use.
pub async fn ensure(db: &Db, path: &Path) -> Result<DemoCredentials, DemoError> {
    let shown = path.display().to_string();
    let file_err = |source| DemoError::File {
        path: shown.clone(),
        source,
    };
    match std::fs::read(path) {
        Ok(bytes) => return serde_json::from_slice(&bytes).map_err(|_| DemoError::Invalid(shown)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(file_err(err)),
    }
    let local = ["localhost", "127.0.0.1"].map(|h| Host::parse(h).expect("a valid literal host"));
    let generator = NewOrg {
        name: "Demo Lead Generator".into(),
        domains: local.to_vec(),
        auto_collect: true,
    };
    let buyer = NewOrg {
        name: "Demo Lead Buyer".into(),
        domains: vec![],
        auto_collect: true,
    };
    let credentials = DemoCredentials {
        generator: create_org(db, &generator).await?,
        buyer: create_org(db, &buyer).await?,
    };
    let json =
        serde_json::to_vec_pretty(&credentials).map_err(|_| DemoError::Invalid(shown.clone()))?;
    write_private(path, &json).map_err(file_err)?;
    Ok(credentials)
}

/// Creates `path` readable by its owner only; fails if it already exists, so two
/// processes starting at once cannot overwrite each other's keys.
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.write_all(b"\n")?;
    file.sync_all()
}
