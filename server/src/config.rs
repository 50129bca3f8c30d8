//! Typed configuration, loaded once from flags and environment variables.
//!
//! Owns every setting's name, default and meaning. Each flag has an `EC_…` environment
//! variable; a flag given on the command line wins over the variable. Nothing else in the
//! server reads the environment.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::db::Db;

/// Where the data lives; shared by `serve` and `org create` so the CLI works on the data
/// of a running server.
#[derive(Debug, Clone, Args)]
pub struct DataConfig {
    /// Folder for the SQLite database, the evidence files and demo credentials; created
    /// when missing.
    #[arg(long, env = "EC_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Metadata database: `sqlite://…` or `postgres://…`. Default: SQLite in the data
    /// folder (`<data-dir>/expressconsent.db`).
    #[arg(long, env = "EC_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl DataConfig {
    /// The database URL to open.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| Db::default_url(&self.data_dir))
    }

    /// The folder of the local evidence store.
    pub fn evidence_dir(&self) -> PathBuf {
        self.data_dir.join("evidence")
    }

    /// The demo credentials file (see [`crate::demo`]).
    pub fn demo_credentials_path(&self) -> PathBuf {
        self.data_dir.join("demo-credentials.json")
    }

    /// Creates the data folder when missing.
    pub fn ensure_data_dir(&self) -> std::io::Result<&Path> {
        std::fs::create_dir_all(&self.data_dir)?;
        Ok(&self.data_dir)
    }
}

/// Settings of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Where the data lives.
    #[command(flatten)]
    pub data: DataConfig,

    /// Address to listen on; port 0 picks a free port (the chosen address is printed).
    #[arg(long, env = "EC_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Public base URL of this server, used in share URLs and the demo page. Default:
    /// `http://<bound address>`.
    #[arg(long, env = "EC_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Folder of the built SDK (wasm-pack output and the `sdk.js` loader), served at
    /// `/sdk/v1/`.
    #[arg(long, env = "EC_SDK_DIR", default_value = "./pkg")]
    pub sdk_dir: PathBuf,

    /// Folder of the demo pages (`demo.html`), served at `/demo/` and `/www/`.
    #[arg(long, env = "EC_WWW_DIR", default_value = "./www")]
    pub www_dir: PathBuf,

    /// Create (once) a demo generator and buyer org and print their keys at start.
    #[arg(long, env = "EC_DEMO", value_parser = clap::builder::BoolishValueParser::new())]
    pub demo: bool,
}

impl ServeConfig {
    /// Defaults for everything, rooted at `data_dir`: what tests start from.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data: DataConfig {
                data_dir: data_dir.into(),
                database_url: None,
            },
            bind: "127.0.0.1:8080".into(),
            public_url: None,
            sdk_dir: "./pkg".into(),
            www_dir: "./www".into(),
            demo: false,
        }
    }
}
