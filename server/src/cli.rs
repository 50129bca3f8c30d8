//! The command line: `serve`, `org create|list`, `key create|revoke`, `user create` and
//! `log key`.
//!
//! Owns what the binary prints. Every operator command writes exactly one JSON line to
//! stdout so scripts can parse it; logs and errors go to stderr, and a failure (such as
//! an unknown org or key) exits non-zero. The commands open the same database as the
//! server, so they work while it runs. `log key` prints the bare verifier key string, so
//! that `--key "$(expressconsent-server log key)"` works.

use clap::{Args, Parser, Subcommand};

use serde::Serialize;

use crate::config::{DataConfig, ServeConfig};
use crate::db::keys::{create_key, revoke_key, CreatedKey, RevokedKey};
use crate::db::orgs::{create_org, domains, list_orgs, CreatedOrg, NewOrg};
use crate::db::users::{invite, Invitation, InviteError, Role};
use crate::db::Db;
use crate::orgs::host::Host;

/// ExpressConsent server.
#[derive(Debug, Parser)]
#[command(name = "expressconsent-server", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API, the SDK files and the demo pages.
    // Boxed: the server's settings are large beside the other commands' arguments.
    Serve(Box<ServeConfig>),
    /// Manage orgs.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Manage dashboard users.
    #[command(subcommand)]
    User(UserCommand),
    /// Verify a CDR's evidence against its log proof offline, or (--consistency) that the
    /// log extends a checkpoint kept earlier; prints one JSON object.
    Verify(Box<crate::verify::cli::VerifyArgs>),
    /// Run a C2SP tlog-witness for a log (or `witness key` to print its verifier key).
    Witness(Box<crate::verify::cli::WitnessArgs>),
    /// The transparency log.
    #[command(subcommand)]
    Log(LogCommand),
}

/// `log …` subcommands.
#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Print the log's signed-note verifier key string (what `GET /log/key` serves), creating
    /// the key in the data folder if it does not exist yet.
    Key(LogKey),
}

/// `log key` arguments.
#[derive(Debug, Args)]
pub struct LogKey {
    /// The server's public URL: the default origin (`<host>/log`) if the key is created now.
    #[arg(long, env = "EC_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub public_url: String,
    /// The origin, key and witnesses, as `serve` reads them.
    #[command(flatten)]
    pub log: crate::log::LogArgs,
    /// Where the data lives.
    #[command(flatten)]
    pub data: DataConfig,
}

impl LogKey {
    /// The verifier key string.
    pub fn run(&self) -> Result<String, CliError> {
        self.data.ensure_data_dir()?;
        let state = crate::log::LogState::new(&self.log, &self.public_url, &self.data.data_dir)?;
        Ok(state.keys.verifier_key().to_owned())
    }
}

/// `user …` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a dashboard user of an org; prints {"userId","email","role","signInUrl"} as
    /// JSON. The sign-in URL is valid 24 hours and works once: there the user chooses a
    /// password.
    Create(UserCreate),
}

/// `org …` subcommands.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an org with its first API key; prints {"orgId","apiKey"} as JSON.
    Create(OrgCreate),
    /// List every org; prints a JSON array of {"orgId","name","autoCollect","domains","createdAt"}.
    List(OrgList),
}

/// `key …` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Add an API key to an org; prints {"keyId","apiKey"} as JSON. The key is shown once.
    Create(KeyCreate),
    /// Revoke an API key at once, in every server process; prints {"keyId","revoked":true}.
    Revoke(KeyRevoke),
}

/// `org create` arguments.
#[derive(Debug, Args)]
pub struct OrgCreate {
    /// Display name of the org.
    #[arg(long)]
    pub name: String,
    /// A host whose pages may upload captures (and its subdomains); repeat for more.
    /// Buyers need none.
    #[arg(long = "domain", value_parser = parse_host)]
    pub domains: Vec<Host>,
    /// Do not bill the org at capture time; its buyers pay when they collect.
    #[arg(long)]
    pub no_auto_collect: bool,
    /// Where the data lives.
    #[command(flatten)]
    pub data: DataConfig,
}

fn parse_host(s: &str) -> Result<Host, String> {
    Host::parse(s).map_err(|e| e.to_string())
}

/// Why an operator command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The name is blank.
    #[error("--name must not be empty")]
    EmptyName,
    /// `key create --org` names no org.
    #[error("no org {0}; `org list` shows the orgs")]
    UnknownOrg(String),
    /// `key revoke` names no key.
    #[error("no API key {0}")]
    UnknownKey(String),
    /// The data folder could not be created.
    #[error("cannot create the data folder: {0}")]
    DataDir(#[from] std::io::Error),
    /// The database could not be opened.
    #[error(transparent)]
    Open(#[from] crate::db::OpenError),
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// `user create` failed (unknown org, email taken or malformed).
    #[error(transparent)]
    Invite(#[from] InviteError),
    /// `--public-url` is not an http(s) URL.
    #[error("--public-url must be the server's http:// or https:// base URL, not {0:?}")]
    PublicUrl(String),
    /// The log's key or witnesses are unusable.
    #[error(transparent)]
    Log(#[from] crate::log::SetupError),
}

/// Opens the database of `data`, runs `work` on it and closes it again.
async fn with_db<T>(
    data: &DataConfig,
    work: impl AsyncFnOnce(&Db) -> Result<T, CliError>,
) -> Result<T, CliError> {
    data.ensure_data_dir()?;
    let db = Db::open(&data.database_url()).await?;
    let result = work(&db).await;
    db.close().await;
    result
}

impl OrgCreate {
    /// Creates the org, exactly as the demo and the tests do.
    pub async fn run(&self) -> Result<CreatedOrg, CliError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(CliError::EmptyName);
        }
        let new = NewOrg {
            name: name.to_owned(),
            domains: self.domains.clone(),
            auto_collect: !self.no_auto_collect,
        };
        with_db(&self.data, async |db| Ok(create_org(db, &new).await?)).await
    }
}

/// `org list` arguments.
#[derive(Debug, Args)]
pub struct OrgList {
    /// Where the data lives.
    #[command(flatten)]
    pub data: DataConfig,
}

/// One org as `org list` prints it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedOrg {
    /// `cid_…`.
    pub org_id: String,
    /// Display name.
    pub name: String,
    /// Whether captures bill the org.
    pub auto_collect: bool,
    /// Registered domains.
    pub domains: Vec<String>,
    /// Creation time, epoch ms.
    pub created_at: i64,
}

impl OrgList {
    /// Lists every org, oldest first.
    pub async fn run(&self) -> Result<Vec<ListedOrg>, CliError> {
        with_db(&self.data, async |db| {
            let mut listed = Vec::new();
            for org in list_orgs(db).await? {
                let hosts = domains(db, &org.id).await?;
                listed.push(ListedOrg {
                    domains: hosts.iter().map(|h| h.as_str().to_owned()).collect(),
                    org_id: org.id,
                    name: org.name,
                    auto_collect: org.auto_collect,
                    created_at: org.created_at,
                });
            }
            Ok(listed)
        })
        .await
    }
}

/// `key create` arguments.
#[derive(Debug, Args)]
pub struct KeyCreate {
    /// The org (`cid_…`) the key acts for.
    #[arg(long)]
    pub org: String,
    /// Where the data lives.
    #[command(flatten)]
    pub data: DataConfig,
}

impl KeyCreate {
    /// Adds a key to the org; the org's other keys stay live.
    pub async fn run(&self) -> Result<CreatedKey, CliError> {
        with_db(&self.data, async |db| {
            create_key(db, &self.org)
                .await?
                .ok_or_else(|| CliError::UnknownOrg(self.org.clone()))
        })
        .await
    }
}

/// `key revoke` arguments.
#[derive(Debug, Args)]
pub struct KeyRevoke {
    /// The key's id (`key_…`, the part of the API key before the dot).
    pub key_id: String,
    /// Where the data lives.
    #[command(flatten)]
    pub data: DataConfig,
}

impl KeyRevoke {
    /// Revokes the key; requests with it answer `UNAUTHENTICATED` from now on.
    pub async fn run(&self) -> Result<RevokedKey, CliError> {
        // Accept the whole API key too: operators paste what they have.
        let key_id = self.key_id.split('.').next().unwrap_or_default().to_owned();
        with_db(&self.data, async |db| {
            revoke_key(db, &key_id)
                .await?
                .ok_or_else(|| CliError::UnknownKey(key_id.clone()))
        })
        .await
    }
}

/// `user create` arguments.
#[derive(Debug, Args)]
pub struct UserCreate {
    /// The org (`cid_…`) the user belongs to.
    #[arg(long)]
    pub org: String,
    /// The user's email; it is what they sign in with (stored lower-cased).
    #[arg(long)]
    pub email: String,
    /// `admin` (everything, settings included) or `viewer` (no settings).
    #[arg(long, value_enum, default_value_t = Role::Admin)]
    pub role: Role,
    /// Public base URL of the server, the base of the sign-in link (the same setting as
    /// `serve --public-url`).
    #[arg(long, env = "EC_PUBLIC_URL")]
    pub public_url: String,
    /// Where the data lives.
    #[command(flatten)]
    pub data: DataConfig,
}

impl UserCreate {
    /// Creates the user and its one-time sign-in link.
    pub async fn run(&self) -> Result<Invitation, CliError> {
        let public_url = self.public_url.trim().trim_end_matches('/');
        let web = url::Url::parse(public_url)
            .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.has_host());
        if !web {
            return Err(CliError::PublicUrl(self.public_url.clone()));
        }
        with_db(&self.data, async |db| {
            Ok(invite(db, &self.org, &self.email, self.role, public_url).await?)
        })
        .await
    }
}
