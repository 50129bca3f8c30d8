//! Typed configuration, loaded once from flags and environment variables.
//!
//! Owns every setting's name, default and meaning. Each flag has an `EC_…` environment
//! variable; a flag given on the command line wins over the variable. Nothing else in the
//! server reads the environment.

use std::path::{Path, PathBuf};

use clap::Args;
use ipnet::IpNet;

use crate::db::Db;
use crate::net::NetPolicy;

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

    /// The demo credentials file (see [`crate::orgs::demo`]).
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

    /// How `POST /v1/captures` defends itself.
    #[command(flatten)]
    pub capture: CaptureConfig,

    /// Background work: workers, leases, webhook retries.
    #[command(flatten)]
    pub jobs: JobsArgs,

    /// The evidence image and the PDF report.
    #[command(flatten)]
    pub render: RenderArgs,

    /// `allow`: the asset archive and webhooks may fetch from loopback, private,
    /// link-local and carrier-grade NAT addresses (local set-ups and tests, whose pages
    /// are on 127.0.0.1). `refuse` (the default) keeps them out of reach of any URL a page
    /// or an org names. See [`crate::net`].
    #[arg(long, env = "EC_ARCHIVE_PRIVATE_NETWORKS", value_enum, default_value_t = PrivateNetworks::Refuse)]
    pub archive_private_networks: PrivateNetworks,

    /// Lead matching: the fingerprint key and the default phone region.
    #[command(flatten)]
    pub leads: LeadArgs,

    /// The transparency log's origin, key and witnesses.
    #[command(flatten)]
    pub log: crate::log::LogArgs,
}

/// Settings of lead fingerprints (see [`crate::evidence::lead`]).
#[derive(Debug, Clone, Default, Args)]
pub struct LeadArgs {
    /// The key of lead fingerprints (HMAC-SHA256), hex or base64 of at least 32 bytes.
    /// Default: `<data-dir>/match.key`, created once with a random key. Every process on
    /// the same database must use the same key: set it identically on every host of a
    /// PostgreSQL deployment.
    #[arg(long, env = "EC_MATCH_KEY", hide_env_values = true)]
    pub match_key: Option<String>,

    /// The region (ISO 3166 code) of phone numbers written without a country code, in
    /// captured forms and in searches. Default: `US`.
    #[arg(long, env = "EC_PHONE_REGION")]
    pub phone_region: Option<String>,
}

impl LeadArgs {
    /// The matcher these settings describe.
    pub fn matcher(
        &self,
        data_dir: &Path,
    ) -> Result<crate::evidence::lead::Matcher, crate::evidence::lead::KeyError> {
        crate::evidence::lead::Matcher::load(
            self.match_key.as_deref(),
            self.phone_region.as_deref().unwrap_or("US"),
            data_dir,
        )
    }
}

/// Rendering settings (see [`crate::render`] and [`crate::report`]).
#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    /// `on`: each CDR's evidence image is rendered by headless Chromium after ingest, and
    /// `/image` and `/report` serve it; `off`: those endpoints answer 412
    /// `FAILED_PRECONDITION` and no Chromium runs.
    #[arg(long = "render", env = "EC_RENDER", value_enum, default_value_t = Switch::On)]
    pub render: Switch,

    /// The Chromium executable the renderer runs.
    #[arg(long, env = "EC_CHROMIUM", default_value = "/usr/bin/chromium")]
    pub chromium: PathBuf,

    /// The longest one render may take, in milliseconds.
    #[arg(long, env = "EC_RENDER_TIMEOUT_MS", default_value_t = 30_000)]
    pub render_timeout_ms: u64,
}

impl Default for RenderArgs {
    fn default() -> Self {
        Self {
            render: Switch::On,
            chromium: PathBuf::from("/usr/bin/chromium"),
            render_timeout_ms: 30_000,
        }
    }
}

impl RenderArgs {
    /// The renderer, when rendering is on.
    pub fn renderer(&self) -> Option<crate::render::Renderer> {
        (self.render == Switch::On).then(|| {
            crate::render::Renderer::new(crate::render::RendererConfig {
                chromium: self.chromium.clone(),
                timeout: std::time::Duration::from_millis(self.render_timeout_ms.max(1)),
                ..crate::render::RendererConfig::default()
            })
        })
    }
}

/// A feature turned on or off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    /// On: the default.
    #[default]
    On,
    /// Off.
    Off,
}

/// Settings of the background workers (see [`crate::jobs`]).
#[derive(Debug, Clone, Args)]
pub struct JobsArgs {
    /// Workers in this process that claim background jobs (archiving, rendering, webhook
    /// deliveries) from the database; `0` leaves the work to other processes.
    #[arg(long, env = "EC_JOB_WORKERS", default_value_t = 2)]
    pub job_workers: usize,

    /// How long a claimed job stays reserved without its worker renewing the lease, in
    /// milliseconds; after that (its process died) another worker takes it.
    #[arg(long, env = "EC_JOB_LEASE_MS", default_value_t = 60_000)]
    pub job_lease_ms: u64,

    /// Delay before a failed webhook delivery is retried the first time, in milliseconds;
    /// it doubles for each further attempt.
    #[arg(long, env = "EC_WEBHOOK_RETRY_FIRST_MS", default_value_t = 10_000)]
    pub webhook_retry_first_ms: u64,

    /// Longest delay between two webhook delivery attempts, in milliseconds.
    #[arg(long, env = "EC_WEBHOOK_RETRY_CAP_MS", default_value_t = 3_600_000)]
    pub webhook_retry_cap_ms: u64,

    /// How long after an event its delivery is given up, in milliseconds (3 days).
    #[arg(long, env = "EC_WEBHOOK_RETRY_FOR_MS", default_value_t = 259_200_000)]
    pub webhook_retry_for_ms: u64,
}

impl Default for JobsArgs {
    fn default() -> Self {
        Self {
            job_workers: 2,
            job_lease_ms: 60_000,
            webhook_retry_first_ms: 10_000,
            webhook_retry_cap_ms: 3_600_000,
            webhook_retry_for_ms: 259_200_000,
        }
    }
}

impl JobsArgs {
    /// The queue's settings.
    pub fn queue(&self) -> crate::jobs::JobsConfig {
        use std::time::Duration;
        crate::jobs::JobsConfig {
            lease: Duration::from_millis(self.job_lease_ms.max(1)),
            workers: self.job_workers,
            webhook_retry: crate::jobs::RetryPolicy {
                first: Duration::from_millis(self.webhook_retry_first_ms),
                cap: Duration::from_millis(self.webhook_retry_cap_ms),
                give_up_after: Duration::from_millis(self.webhook_retry_for_ms),
            },
            ..crate::jobs::JobsConfig::default()
        }
    }
}

/// Whether outbound fetches may reach private networks (`EC_ARCHIVE_PRIVATE_NETWORKS`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum PrivateNetworks {
    /// Refused: the default.
    #[default]
    Refuse,
    /// Allowed.
    Allow,
}

impl ServeConfig {
    /// The policy of outbound fetches (asset archive, webhooks).
    pub fn net_policy(&self) -> NetPolicy {
        NetPolicy {
            allow_private_networks: self.archive_private_networks == PrivateNetworks::Allow,
        }
    }
}

/// The guards of `POST /v1/captures`: rate limits, the client address, how many captures
/// are processed at once and how long a body may take. See [`crate::http::guard`].
#[derive(Debug, Clone, Args)]
pub struct CaptureConfig {
    /// Captures per minute from one client address (an IPv6 address counts by its /64);
    /// `0` means unlimited. Over it: 429 `RATE_LIMITED` with `Retry-After`.
    #[arg(long, env = "EC_CAPTURE_RATE_PER_IP", default_value_t = CaptureConfig::DEFAULT.rate_per_ip)]
    pub rate_per_ip: u32,

    /// Captures per minute for one org (`cid`); `0` means unlimited.
    #[arg(long, env = "EC_CAPTURE_RATE_PER_CID", default_value_t = CaptureConfig::DEFAULT.rate_per_cid)]
    pub rate_per_cid: u32,

    /// Comma-separated CIDRs of reverse proxies whose `X-Forwarded-For` is believed: when
    /// the TCP peer is in one, the client is the right-most untrusted address of that
    /// header. Empty: the TCP peer is the client.
    #[arg(long, env = "EC_TRUSTED_PROXIES", value_delimiter = ',', num_args = 0..)]
    pub trusted_proxies: Vec<IpNet>,

    /// Captures processed at once (reading the body, checking, storing); more wait in
    /// line.
    #[arg(long, env = "EC_CAPTURE_CONCURRENCY", default_value_t = CaptureConfig::DEFAULT.concurrency)]
    pub concurrency: usize,

    /// How long a capture waits in line for its turn before the answer is 429
    /// `RATE_LIMITED` with `Retry-After`, in milliseconds.
    #[arg(long, env = "EC_CAPTURE_QUEUE_TIMEOUT_MS", default_value_t = CaptureConfig::DEFAULT.queue_timeout_ms)]
    pub queue_timeout_ms: u64,

    /// How long a capture's body may take to arrive, in milliseconds; a slower or stalled
    /// body is answered 408 `REQUEST_TIMEOUT`.
    #[arg(long, env = "EC_CAPTURE_BODY_TIMEOUT_MS", default_value_t = CaptureConfig::DEFAULT.body_timeout_ms)]
    pub body_timeout_ms: u64,
}

impl CaptureConfig {
    /// The defaults: 600 captures a minute per address (consumers behind one carrier NAT
    /// share an address), 6,000 per org, 32 at once, 2 s in line, 30 s for a body.
    pub const DEFAULT: Self = Self {
        rate_per_ip: 600,
        rate_per_cid: 6_000,
        trusted_proxies: Vec::new(),
        concurrency: 32,
        queue_timeout_ms: 2_000,
        body_timeout_ms: 30_000,
    };
}

impl Default for CaptureConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
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
            capture: CaptureConfig::default(),
            jobs: JobsArgs::default(),
            render: RenderArgs::default(),
            archive_private_networks: PrivateNetworks::default(),
            leads: LeadArgs::default(),
            log: crate::log::LogArgs::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Serve {
        #[command(flatten)]
        config: ServeConfig,
    }

    #[test]
    fn capture_guards_default_as_documented_and_read_comma_separated_proxies() {
        let defaults = Serve::try_parse_from(["serve"]).unwrap().config.capture;
        assert_eq!(defaults.rate_per_ip, 600);
        assert_eq!(defaults.rate_per_cid, 6_000);
        assert!(defaults.trusted_proxies.is_empty());
        assert_eq!(defaults.body_timeout_ms, 30_000);

        let set = Serve::try_parse_from([
            "serve",
            "--trusted-proxies",
            "10.0.0.0/8,2001:db8::/32",
            "--rate-per-ip",
            "0",
        ])
        .unwrap()
        .config
        .capture;
        assert_eq!(set.rate_per_ip, 0);
        let proxies: Vec<String> = set.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(proxies, ["10.0.0.0/8", "2001:db8::/32"]);

        let bad = Serve::try_parse_from(["serve", "--trusted-proxies", "10.0.0.1/99"]);
        assert!(bad.is_err(), "a malformed CIDR stops the server at start");
    }

    #[test]
    fn private_networks_are_refused_to_outbound_fetches_unless_allowed() {
        let parse = |args: &[&str]| Serve::try_parse_from(args).map(|s| s.config.net_policy());
        assert!(!parse(&["serve"]).unwrap().allow_private_networks);
        let allowed = parse(&["serve", "--archive-private-networks", "allow"]).unwrap();
        assert!(allowed.allow_private_networks);
        assert!(parse(&["serve", "--archive-private-networks", "yes"]).is_err());
    }
}
