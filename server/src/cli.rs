//! The command line: `serve` and `org create`.
//!
//! Owns what the binary prints. `org create` writes exactly one JSON line to stdout so
//! scripts can parse it; logs always go to stderr.

use clap::{Args, Parser, Subcommand};

use crate::config::{DataConfig, ServeConfig};
use crate::db::orgs::{create_org, CreatedOrg, NewOrg};
use crate::db::Db;
use crate::host::Host;

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
    Serve(ServeConfig),
    /// Manage orgs.
    #[command(subcommand)]
    Org(OrgCommand),
}

/// `org …` subcommands.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an org with its first API key; prints {"orgId","apiKey"} as JSON.
    Create(OrgCreate),
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

/// Why `org create` failed.
#[derive(Debug, thiserror::Error)]
pub enum OrgCreateError {
    /// The name is blank.
    #[error("--name must not be empty")]
    EmptyName,
    /// The data folder could not be created.
    #[error("cannot create the data folder: {0}")]
    DataDir(#[from] std::io::Error),
    /// The database could not be opened.
    #[error(transparent)]
    Open(#[from] crate::db::OpenError),
    /// Writing the org failed.
    #[error("cannot create the org: {0}")]
    Db(#[from] sqlx::Error),
}

impl OrgCreate {
    /// Creates the org, exactly as the demo and the tests do.
    pub async fn run(&self) -> Result<CreatedOrg, OrgCreateError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(OrgCreateError::EmptyName);
        }
        self.data.ensure_data_dir()?;
        let db = Db::open(&self.data.database_url()).await?;
        let new = NewOrg {
            name: name.to_owned(),
            domains: self.domains.clone(),
            auto_collect: !self.no_auto_collect,
        };
        let created = create_org(&db, &new).await;
        db.close().await;
        Ok(created?)
    }
}
