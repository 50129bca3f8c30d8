//! Shared test set-up: start the app, create orgs, send captures and claims, read the
//! database and the evidence folder.

use std::path::{Path, PathBuf};

use expressconsent_server::cli::OrgCreate;
use expressconsent_server::config::{DataConfig, ServeConfig};
use expressconsent_server::db::orgs::CreatedOrg;
use expressconsent_server::db::Db;
use expressconsent_server::host::Host;
use expressconsent_server::ids::IdKind;
use expressconsent_server::startup::Server;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;

/// A running server with its own data folder.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The server's database, for assertions.
    pub db: Db,
    /// HTTP client.
    pub client: reqwest::Client,
    /// `None`: the default SQLite file in the data folder.
    pub database_url: Option<String>,
    data_dir: TempDir,
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
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut config = ServeConfig::with_data_dir(data_dir.path());
        config.bind = "127.0.0.1:0".into();
        config.www_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../www");
        config.data.database_url = fresh_postgres_database().await;
        adjust(&mut config);
        let server = Server::build(&config).await.expect("server starts");
        let base = format!("http://{}", server.local_addr());
        let db = server.state().db.clone();
        tokio::spawn(server.run(std::future::pending()));
        let database_url = config.data.database_url.clone();
        Self {
            base,
            db,
            client: reqwest::Client::new(),
            database_url,
            data_dir,
        }
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
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
            data: DataConfig {
                data_dir: self.data_dir().to_owned(),
                database_url: self.database_url.clone(),
            },
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

    /// Every file under `evidence/`.
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

/// With `EC_TEST_POSTGRES_URL` set to an admin URL (e.g. the one `scripts/postgres.sh
/// start` prints), every test gets its own new PostgreSQL database instead of SQLite.
async fn fresh_postgres_database() -> Option<String> {
    use sqlx::Connection as _;
    let admin = std::env::var("EC_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())?;
    sqlx::any::install_default_drivers();
    let name = format!(
        "ec_test_{}",
        expressconsent_server::ids::new_id(IdKind::Request)
    );
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .expect("PostgreSQL reachable");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create db");
    conn.close().await.ok();
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    Some(format!("{base}/{name}"))
}

/// A minimal valid capture body with this idempotency key.
pub fn capture_body(idempotency_key: &str) -> Value {
    json!({
        "idempotencyKey": idempotency_key,
        "packageId": "pkg_session1",
        "subGroupIds": ["buyer-a"],
        "custom": { "leadId": "L-1" },
        "page": { "url": "https://example.com/form", "title": "Form", "userAgent": "test" },
        "snapshot": { "html": "<!DOCTYPE html><p>consent</p>", "scrollX": 0, "scrollY": 0 },
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
