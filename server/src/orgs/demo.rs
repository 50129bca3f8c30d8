//! The demo orgs: a lead generator and a lead buyer for trying the product locally, each
//! with an admin who signs in to the dashboard with a generated password.
//!
//! Owns `<data_dir>/demo-credentials.json`. It is created once (mode 0600, since it holds
//! API keys and passwords) and read on every later start, so the demo keys and passwords
//! stay stable across restarts. A file written before dashboard users existed gets its
//! users added (and is replaced, atomically, with one that lists them).

use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::dashboard::session::password::{self, NewPassword};
use crate::db::orgs::{create_org, CreatedOrg, NewOrg};
use crate::db::users::{replace_with_password, Email, Role};
use crate::db::Db;
use crate::orgs::host::Host;
use crate::orgs::ids::new_secret;

/// The demo generator admin's email.
pub const GENERATOR_EMAIL: &str = "generator@demo.example";
/// The demo buyer admin's email.
pub const BUYER_EMAIL: &str = "buyer@demo.example";

/// The two demo orgs and their keys, as stored in the credentials file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoCredentials {
    /// "Demo Lead Generator": domains `localhost` and `127.0.0.1`, auto-collect on.
    pub generator: CreatedOrg,
    /// "Demo Lead Buyer": no domains.
    pub buyer: CreatedOrg,
    /// The generator org's admin in the dashboard (absent only in files of older versions,
    /// until the next start adds it).
    #[serde(
        default,
        rename = "generatorUser",
        skip_serializing_if = "Option::is_none"
    )]
    pub generator_user: Option<DemoUser>,
    /// The buyer org's admin in the dashboard.
    #[serde(default, rename = "buyerUser", skip_serializing_if = "Option::is_none")]
    pub buyer_user: Option<DemoUser>,
}

/// A demo dashboard user and its password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoUser {
    /// `usr_…`.
    pub user_id: String,
    /// What they sign in with.
    pub email: String,
    /// Their generated password.
    pub password: String,
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
    /// Hashing a demo user's password failed.
    #[error("cannot create the demo users: {0}")]
    Hash(#[from] password::HashError),
}

/// Reads the demo credentials, creating the orgs and the file on first use.
pub async fn ensure(db: &Db, path: &Path) -> Result<DemoCredentials, DemoError> {
    let shown = path.display().to_string();
    let file_err = |source| DemoError::File {
        path: shown.clone(),
        source,
    };
    match std::fs::read(path) {
        Ok(bytes) => {
            let mut credentials: DemoCredentials =
                serde_json::from_slice(&bytes).map_err(|_| DemoError::Invalid(shown.clone()))?;
            if credentials.generator_user.is_some() && credentials.buyer_user.is_some() {
                return Ok(credentials);
            }
            add_users(db, &mut credentials).await?;
            let json = serde_json::to_vec_pretty(&credentials)
                .map_err(|_| DemoError::Invalid(shown.clone()))?;
            replace_private(path, &json).map_err(file_err)?;
            return Ok(credentials);
        }
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
    let mut credentials = DemoCredentials {
        generator: create_org(db, &generator).await?,
        buyer: create_org(db, &buyer).await?,
        generator_user: None,
        buyer_user: None,
    };
    add_users(db, &mut credentials).await?;
    let json =
        serde_json::to_vec_pretty(&credentials).map_err(|_| DemoError::Invalid(shown.clone()))?;
    write_private(path, &json).map_err(file_err)?;
    Ok(credentials)
}

/// Gives each demo org that has none an admin with a generated password.
async fn add_users(db: &Db, credentials: &mut DemoCredentials) -> Result<(), DemoError> {
    if credentials.generator_user.is_none() {
        let org = &credentials.generator.org_id;
        credentials.generator_user = Some(demo_user(db, org, GENERATOR_EMAIL).await?);
    }
    if credentials.buyer_user.is_none() {
        let org = &credentials.buyer.org_id;
        credentials.buyer_user = Some(demo_user(db, org, BUYER_EMAIL).await?);
    }
    Ok(())
}

async fn demo_user(db: &Db, org_id: &str, email: &str) -> Result<DemoUser, DemoError> {
    let email = Email::parse(email).expect("a valid literal email");
    // 43 base64url characters: 256 random bits, well past the 12-character minimum.
    let password = new_secret();
    let chosen = NewPassword::parse(&password, &password).expect("a generated password is valid");
    let hash = password::hash(chosen).await?;
    let user_id = replace_with_password(db, org_id, &email, Role::Admin, &hash).await?;
    Ok(DemoUser {
        user_id,
        email: email.as_str().to_owned(),
        password,
    })
}

/// Replaces `path` with `contents`, readable by its owner only, through a temporary file
/// renamed into place so that a crash leaves the old file or the new one, never half.
fn replace_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let temporary = path.with_extension("json.tmp");
    // A leftover of a crashed start is stale.
    match std::fs::remove_file(&temporary) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
        _ => {}
    }
    write_private(&temporary, contents)?;
    std::fs::rename(&temporary, path)
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
