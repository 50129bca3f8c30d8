//! Shared test set-up: start the app, create orgs, send captures and claims, read the
//! database and the evidence folder.

mod postgres;
mod requests;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use expressconsent_server::cli::OrgCreate;
use expressconsent_server::config::{DataConfig, PrivateNetworks, ServeConfig, Switch};
use expressconsent_server::db::orgs::CreatedOrg;
use expressconsent_server::db::Db;
use expressconsent_server::http::app::AppState;
use expressconsent_server::orgs::host::Host;
use expressconsent_server::startup::Server;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use postgres::PgDatabase;

/// What outlives one server process: the data folder and the database. Removed when the
/// last app using them is dropped.
struct Storage {
    data_dir: TempDir,
    database_url: Option<String>,
    // Dropped after `data_dir` is no longer needed: drops the PostgreSQL database.
    _postgres: Option<PgDatabase>,
}

/// A fresh, empty database and data folder with no server on it, for tests of storage
/// itself (e.g. migrations).
pub struct FreshDatabase {
    storage: Storage,
}

impl FreshDatabase {
    /// A new SQLite file, or PostgreSQL database with `EC_TEST_POSTGRES_URL`.
    pub async fn create() -> Self {
        let postgres = PgDatabase::create().await;
        Self {
            storage: Storage {
                data_dir: tempfile::tempdir().expect("temp dir"),
                database_url: postgres.as_ref().map(|pg| pg.url.clone()),
                _postgres: postgres,
            },
        }
    }

    /// Its URL.
    pub fn url(&self) -> String {
        self.storage
            .database_url
            .clone()
            .unwrap_or_else(|| Db::default_url(self.storage.data_dir.path()))
    }
}

/// A running server, and how to stop it.
struct Running {
    shutdown: oneshot::Sender<()>,
    handle: JoinHandle<std::io::Result<()>>,
}

/// A running server with its own data folder.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The server's database, for assertions.
    pub db: Db,
    /// The server's state, e.g. to build its router again.
    pub state: AppState,
    /// HTTP client.
    pub client: reqwest::Client,
    /// `None`: the default SQLite file in the data folder.
    pub database_url: Option<String>,
    storage: Arc<Storage>,
    running: Option<Running>,
}

/// Origin of a page on the generator's registered domain.
pub const SITE: &str = "https://example.com";

impl TestApp {
    /// Starts the app on a free port over a fresh data folder.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts the app with settings adjusted by `adjust`.
    pub async fn start_with(adjust: impl FnOnce(&mut ServeConfig)) -> Self {
        let postgres = PgDatabase::create().await;
        let storage = Arc::new(Storage {
            data_dir: tempfile::tempdir().expect("temp dir"),
            database_url: postgres.as_ref().map(|pg| pg.url.clone()),
            _postgres: postgres,
        });
        Self::serve(storage, adjust).await
    }

    /// Another server process on the same database and data folder, as a second instance
    /// behind a load balancer would be.
    pub async fn another_process(&self) -> Self {
        Self::serve(Arc::clone(&self.storage), |_| {}).await
    }

    /// Another process on the same storage, with settings adjusted by `adjust`.
    pub async fn another_process_with(&self, adjust: impl FnOnce(&mut ServeConfig)) -> Self {
        Self::serve(Arc::clone(&self.storage), adjust).await
    }

    /// Stops this server (finishing in-flight requests, closing its pool) and starts a new
    /// one on the same database and data folder.
    pub async fn restart(mut self) -> Self {
        let running = self.running.take().expect("the server is running");
        running.shutdown.send(()).ok();
        running
            .handle
            .await
            .expect("the server task ends")
            .expect("the server stops cleanly");
        assert!(self.db.pool().is_closed(), "the old server closed its pool");
        Self::serve(Arc::clone(&self.storage), |_| {}).await
    }

    async fn serve(storage: Arc<Storage>, adjust: impl FnOnce(&mut ServeConfig)) -> Self {
        let mut config = ServeConfig::with_data_dir(storage.data_dir.path());
        config.bind = "127.0.0.1:0".into();
        config.www_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../www");
        config.data.database_url = storage.database_url.clone();
        // Test pages, assets and webhook receivers are on 127.0.0.1.
        config.archive_private_networks = PrivateNetworks::Allow;
        // No Chromium per test app unless a test asks for rendering (tests/api/rendering.rs).
        config.render.render = Switch::Off;
        adjust(&mut config);
        let server = Server::build(&config).await.expect("server starts");
        let base = format!("http://{}", server.local_addr());
        let db = server.state().db.clone();
        let state = server.state().clone();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(server.run(async {
            stopped.await.ok();
        }));
        Self {
            base,
            db,
            state,
            client: reqwest::Client::new(),
            database_url: config.data.database_url.clone(),
            storage,
            running: Some(Running { shutdown, handle }),
        }
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        self.storage.data_dir.path()
    }

    /// Where the data lives, as the CLI takes it.
    pub fn data_config(&self) -> DataConfig {
        DataConfig {
            data_dir: self.data_dir().to_owned(),
            database_url: self.database_url.clone(),
        }
    }

    /// Creates an org the way `org create` does.
    pub async fn create_org(&self, domains: &[&str], auto_collect: bool) -> CreatedOrg {
        let command = OrgCreate {
            name: "Test Org".into(),
            domains: domains
                .iter()
                .map(|d| Host::parse(d).expect("valid host"))
                .collect(),
            no_auto_collect: !auto_collect,
            data: self.data_config(),
        };
        command.run().await.expect("org created")
    }

    /// A lead generator on `example.com` (auto-collect as given).
    pub async fn generator(&self, auto_collect: bool) -> CreatedOrg {
        self.create_org(&["example.com"], auto_collect).await
    }

    /// A lead buyer with no domains.
    pub async fn buyer(&self) -> CreatedOrg {
        self.create_org(&[], true).await
    }

    /// `POST /v1/captures?cid=…` from a page at `origin`, with a JSON body.
    pub async fn capture(&self, cid: &str, origin: &str, body: &Value) -> Response {
        self.capture_raw(cid, Some(origin), body.to_string().into_bytes())
            .await
    }

    /// `POST /v1/captures?cid=…` with raw bytes and an optional `Origin`.
    pub async fn capture_raw(&self, cid: &str, origin: Option<&str>, body: Vec<u8>) -> Response {
        let mut request = self
            .client
            .post(format!("{}/v1/captures", self.base))
            .query(&[("cid", cid)])
            .header("content-type", "application/json")
            .body(body);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send().await.expect("request sent")
    }

    /// Captures `body` for `cid` from [`SITE`] and returns the result's `data`.
    pub async fn captured(&self, cid: &str, body: &Value) -> Value {
        let response = self.capture(cid, SITE, body).await;
        ok_data(response).await
    }

    /// `POST <share_url>` with an API key and an optional body.
    pub async fn claim(&self, api_key: &str, share_url: &str, body: Option<Value>) -> Response {
        let mut request = self.client.post(share_url).header("x-api-key", api_key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request sent")
    }

    /// Rows in `table`.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.db.pool())
            .await
            .expect("count")
    }

    /// Every file under `evidence/` but the transparency log's (`evidence/log/`: tiles and
    /// checkpoints, not evidence).
    pub fn evidence_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(&self.data_dir().join("evidence"), &mut files);
        let log = self.data_dir().join("evidence").join("log");
        files.retain(|f| !f.starts_with(&log));
        files
    }

    /// Asserts that no CDR, relation, billing event or evidence file exists.
    pub async fn assert_nothing_stored(&self) {
        assert_eq!(self.count("cdrs").await, 0, "no CDR row");
        assert_eq!(self.count("cdr_access").await, 0, "no access row");
        assert_eq!(self.count("billing_events").await, 0, "no billing event");
        assert!(self.evidence_files().is_empty(), "no evidence file");
    }
}

/// The page of [`capture_body`]: one disclosure, its checkbox ticked, a tagged submit.
pub const CONSENT_FORM: &str = r#"<!DOCTYPE html><html><body><form>
<input type="checkbox" checked data-ec-consent-checkbox data-ec-consent-for="tcpa">
<p data-ec-disclosure="tcpa">I agree to be called.</p>
<button data-ec-submit>Submit</button></form></body></html>"#;

/// A minimal valid capture body with this idempotency key.
pub fn capture_body(idempotency_key: &str) -> Value {
    json!({
        "idempotencyKey": idempotency_key,
        "packageId": "pkg_session1",
        "subGroupIds": ["buyer-a"],
        "custom": { "leadId": "L-1" },
        "page": { "url": "https://example.com/form", "title": "Form", "userAgent": "test" },
        "snapshot": { "html": CONSENT_FORM, "scrollX": 0, "scrollY": 0 },
        "disclosures": [{ "id": "tcpa", "text": "I agree to be called.", "rendered": true,
                          "inViewport": true, "opacity": 1, "fontSizePx": 14 }],
        "consentCheckboxes": [{ "consentFor": "tcpa", "checked": true }],
        "sdkVersion": "0.1.0"
    })
}

/// The same body asking for a share link, optionally with a lifetime.
pub fn auto_share_body(idempotency_key: &str, expires_in_ms: Option<u64>) -> Value {
    let mut body = capture_body(idempotency_key);
    body["autoShare"] = match expires_in_ms {
        Some(ms) => json!({ "expiresInMs": ms }),
        None => json!({}),
    };
    body
}

/// Asserts a success envelope and returns its `data`.
pub async fn ok_data(response: Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(status, StatusCode::OK, "body: {body}");
    assert_eq!(body["ok"], true);
    assert!(
        body["requestId"]
            .as_str()
            .is_some_and(|id| id.starts_with("req_")),
        "{body}"
    );
    body["data"].clone()
}

/// Asserts an error envelope with this status and code; returns the message.
pub async fn error_message(response: Response, status: u16, code: &str) -> String {
    assert_eq!(response.status().as_u16(), status);
    let header_id = response.headers().get("x-request-id").cloned();
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body["ok"], false, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    let request_id = body["error"]["requestId"].as_str().expect("requestId");
    assert!(request_id.starts_with("req_"), "{body}");
    assert_eq!(
        header_id.as_ref().and_then(|h| h.to_str().ok()),
        Some(request_id)
    );
    body["error"]["message"]
        .as_str()
        .expect("message")
        .to_owned()
}
