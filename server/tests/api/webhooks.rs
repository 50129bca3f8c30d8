//! Webhooks end to end: setting the endpoint (its secret answered once), `cdr.completed`
//! after a capture, signed as Standard Webhooks says, retried until a 2xx with the same
//! `webhook-id`, a `410` disabling the endpoint, secret rotation, the deliveries list, and
//! a server process killed mid-delivery.

use std::collections::VecDeque;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::helpers::{capture_body, error_message, ok_data, FreshDatabase, TestApp};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

/// A webhook endpoint on 127.0.0.1 that answers each request with the next scripted
/// status (200 when the script is used up; `None` never answers).
struct Receiver {
    url: String,
    arrivals: mpsc::UnboundedReceiver<Received>,
}

type Script = Arc<Mutex<VecDeque<Option<u16>>>>;

async fn receiver(script: &[Option<u16>]) -> Receiver {
    let script: Script = Arc::new(Mutex::new(script.iter().copied().collect()));
    let (tx, arrivals) = mpsc::unbounded_channel();
    async fn hook(
        State((script, tx)): State<(Script, mpsc::UnboundedSender<Received>)>,
        headers: HeaderMap,
        body: Bytes,
    ) -> StatusCode {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        tx.send(Received {
            id: header("webhook-id"),
            timestamp: header("webhook-timestamp"),
            signature: header("webhook-signature"),
            body: String::from_utf8(body.to_vec()).expect("UTF-8 body"),
        })
        .ok();
        let next = script
            .lock()
            .expect("lock")
            .pop_front()
            .unwrap_or(Some(200));
        match next {
            Some(status) => StatusCode::from_u16(status).expect("a status"),
            None => std::future::pending().await,
        }
    }
    let app = Router::new()
        .route("/hook", post(hook))
        .with_state((script, tx));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { url, arrivals }
}

impl Receiver {
    async fn next(&mut self) -> Received {
        tokio::time::timeout(Duration::from_secs(60), self.arrivals.recv())
            .await
            .expect("a delivery within a minute")
            .expect("the receiver runs")
    }
}

/// What a receiver does with any Standard Webhooks library: HMAC-SHA256 of
/// `id.timestamp.body` under the base64-decoded secret, compared with each `v1,` signature.
fn signed_by(secret: &str, got: &Received) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .expect("base64 secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
    mac.update(format!("{}.{}.{}", got.id, got.timestamp, got.body).as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    got.signature
        .split(' ')
        .any(|sig| sig.strip_prefix("v1,") == Some(expected.as_str()))
}

async fn patch_org(app: &TestApp, api_key: &str, body: Value) -> reqwest::Response {
    app.client
        .patch(format!("{}/v1/org", app.base))
        .header("x-api-key", api_key)
        .json(&body)
        .send()
        .await
        .expect("request sent")
}

fn quick_retries(config: &mut expressconsent_server::config::ServeConfig) {
    config.jobs.webhook_retry_first_ms = 50;
    config.jobs.webhook_retry_cap_ms = 200;
}

#[tokio::test]
async fn the_secret_is_answered_once_and_bad_urls_are_refused() {
    let app = TestApp::start().await;
    let org = app.generator(true).await;

    let set = ok_data(
        patch_org(
            &app,
            &org.api_key,
            json!({ "webhookUrl": "https://hooks.example.com/ec" }),
        )
        .await,
    )
    .await;
    assert_eq!(set["webhookUrl"], "https://hooks.example.com/ec");
    let secret = set["webhookSecret"].as_str().expect("the secret, once");
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(STANDARD.decode(&secret[6..]).expect("base64").len(), 32);

    let shown = app.get_data(&org.api_key, "/v1/org").await;
    assert_eq!(shown["webhookUrl"], "https://hooks.example.com/ec");
    assert!(
        shown.get("webhookSecret").is_none(),
        "GET never shows it: {shown}"
    );
    assert!(!shown.to_string().contains(secret));

    let moved = ok_data(
        patch_org(
            &app,
            &org.api_key,
            json!({ "webhookUrl": "https://hooks.example.com/v2" }),
        )
        .await,
    )
    .await;
    assert!(
        moved.get("webhookSecret").is_none(),
        "changing the URL keeps the secret: {moved}"
    );
    let other = ok_data(patch_org(&app, &org.api_key, json!({ "autoCollect": false })).await).await;
    assert_eq!(
        other["webhookUrl"], "https://hooks.example.com/v2",
        "left out, left alone"
    );

    for bad in [
        "ftp://hooks.example.com/ec",
        "https://user:pass@hooks.example.com/ec",
        "/relative",
        "javascript:alert(1)",
        "",
    ] {
        let message = error_message(
            patch_org(&app, &org.api_key, json!({ "webhookUrl": bad })).await,
            400,
            "INVALID_ARGUMENT",
        )
        .await;
        assert!(message.contains("webhookUrl"), "{bad}: {message}");
    }
    let long = format!("https://hooks.example.com/{}", "a".repeat(2048));
    error_message(
        patch_org(&app, &org.api_key, json!({ "webhookUrl": long })).await,
        400,
        "INVALID_ARGUMENT",
    )
    .await;

    let removed = ok_data(patch_org(&app, &org.api_key, json!({ "webhookUrl": null })).await).await;
    assert_eq!(removed["webhookUrl"], Value::Null);
    let rotate = app.post(&org.api_key, "/v1/org/webhook-secret", None).await;
    error_message(rotate, 412, "FAILED_PRECONDITION").await;
    let again = ok_data(
        patch_org(
            &app,
            &org.api_key,
            json!({ "webhookUrl": "https://hooks.example.com/ec" }),
        )
        .await,
    )
    .await;
    let new_secret = again["webhookSecret"]
        .as_str()
        .expect("a new webhook, a new secret");
    assert_ne!(new_secret, secret);
}

#[tokio::test]
async fn a_failing_endpoint_gets_the_same_signed_event_until_it_accepts() {
    let app = TestApp::start_with(quick_retries).await;
    let org = app.generator(true).await;
    let mut hook = receiver(&[Some(500), Some(503)]).await;
    let set = ok_data(patch_org(&app, &org.api_key, json!({ "webhookUrl": hook.url })).await).await;
    let secret = set["webhookSecret"].as_str().expect("secret").to_owned();

    let mut body = capture_body("webhook-1");
    body["custom"] = json!({ "leadId": "L-77" });
    let cdr = app.captured(&org.org_id, &body).await;
    let cdr_id = cdr["cdrId"].as_str().expect("cdrId");

    let attempts = [hook.next().await, hook.next().await, hook.next().await];
    let mut processed = std::collections::HashSet::new();
    for got in &attempts {
        assert!(signed_by(&secret, got), "signature checks: {got:?}");
        let age = chrono_secs() - got.timestamp.parse::<i64>().expect("unix seconds");
        assert!((0..300).contains(&age), "a fresh timestamp: {age}");
        processed.insert(got.id.clone());
    }
    assert_eq!(processed.len(), 1, "the same webhook-id on every retry");
    assert!(
        attempts.iter().all(|a| a.body == attempts[0].body),
        "the same body"
    );
    let event: Value = serde_json::from_str(&attempts[0].body).expect("JSON");
    assert_eq!(event["event"], "cdr.completed");
    assert_eq!(event["webhookId"], attempts[0].id.as_str());
    assert!(attempts[0].id.starts_with("msg_"));
    assert_eq!(event["cdrId"], cdr_id);
    assert_eq!(event["orgId"], org.org_id.as_str());
    assert_eq!(event["domainId"], "example.com");
    assert_eq!(event["customMetadata"]["leadId"], "L-77");
    assert_eq!(event["sessionId"], "pkg_session1");
    let details = app
        .get_data(&org.api_key, &format!("/v1/cdrs/{cdr_id}"))
        .await;
    assert_eq!(
        event["disclosures"], details["disclosures"],
        "the server's own facts"
    );
    assert_eq!(event["disclosures"][0]["text"], "I agree to be called.");
    for field in ["createdAt", "ip", "userAgent", "timestamp"] {
        assert!(!event[field].is_null(), "{field} in {event}");
    }

    // The deliveries list tells the story, newest first; nothing is sent again.
    let list = loop {
        let list = app.get_data(&org.api_key, "/v1/webhooks/deliveries").await;
        if list["deliveries"].as_array().map(Vec::len) == Some(3) {
            break list;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let outcomes: Vec<(&str, u64, u64)> = list["deliveries"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["outcome"].as_str().expect("outcome"),
                d["httpStatus"].as_u64().expect("status"),
                d["attempt"].as_u64().expect("attempt"),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("delivered", 200, 3),
            ("failed", 503, 2),
            ("failed", 500, 1)
        ]
    );
    assert_eq!(list["deliveries"][0]["webhookId"], attempts[0].id.as_str());
    assert_eq!(list["deliveries"][0]["cdrId"], cdr_id);
    let limited = app
        .get_data(&org.api_key, "/v1/webhooks/deliveries?limit=1")
        .await;
    assert_eq!(limited["deliveries"].as_array().map(Vec::len), Some(1));
    let bad = app
        .get(&org.api_key, "/v1/webhooks/deliveries?limit=0")
        .await;
    error_message(bad, 400, "INVALID_ARGUMENT").await;

    // Another org sees none of it.
    let buyer = app.buyer().await;
    let theirs = app
        .get_data(&buyer.api_key, "/v1/webhooks/deliveries")
        .await;
    assert_eq!(theirs["deliveries"], json!([]));
    assert!(
        hook.arrivals.try_recv().is_err(),
        "delivered once, then never again"
    );
}

#[tokio::test]
async fn gone_disables_the_endpoint_until_it_is_set_again() {
    let app = TestApp::start_with(quick_retries).await;
    let org = app.generator(true).await;
    let mut hook = receiver(&[Some(410)]).await;
    ok_data(patch_org(&app, &org.api_key, json!({ "webhookUrl": hook.url })).await).await;

    app.captured(&org.org_id, &capture_body("gone-1")).await;
    hook.next().await;
    let settings = loop {
        let settings = app.get_data(&org.api_key, "/v1/org").await;
        if settings["webhookDisabledReason"].is_string() {
            break settings;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(settings["webhookDisabledReason"]
        .as_str()
        .expect("reason")
        .contains("410"));

    // Disabled: the next CDR's event is not sent. Set again: the one after is.
    app.captured(&org.org_id, &capture_body("gone-2")).await;
    loop {
        let done: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'deliver_webhook' AND state = 'done'",
        )
        .fetch_one(app.db.pool())
        .await
        .expect("count");
        if done == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    ok_data(patch_org(&app, &org.api_key, json!({ "webhookUrl": hook.url })).await).await;
    let cdr = app.captured(&org.org_id, &capture_body("gone-3")).await;
    let got = hook.next().await;
    let event: Value = serde_json::from_str(&got.body).expect("JSON");
    assert_eq!(
        event["cdrId"], cdr["cdrId"],
        "the CDR captured while disabled was skipped"
    );
}

#[tokio::test]
async fn after_a_rotation_deliveries_carry_both_signatures() {
    let app = TestApp::start_with(quick_retries).await;
    let org = app.generator(true).await;
    let mut hook = receiver(&[]).await;
    let set = ok_data(patch_org(&app, &org.api_key, json!({ "webhookUrl": hook.url })).await).await;
    let old = set["webhookSecret"].as_str().expect("secret").to_owned();
    let rotated = ok_data(app.post(&org.api_key, "/v1/org/webhook-secret", None).await).await;
    let new = rotated["webhookSecret"]
        .as_str()
        .expect("new secret")
        .to_owned();
    assert_ne!(new, old);
    let until = rotated["previousSecretExpiresAt"].as_i64().expect("until");
    let day = 24 * 3600 * 1000;
    assert!(
        (until - chrono_secs() * 1000 - day).abs() < 60_000,
        "24 hours"
    );

    app.captured(&org.org_id, &capture_body("rotated-1")).await;
    let got = hook.next().await;
    assert_eq!(got.signature.split(' ').count(), 2, "{}", got.signature);
    assert!(signed_by(&new, &got) && signed_by(&old, &got));
    assert!(!signed_by("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &got));
}

fn chrono_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// A server process started from the binary on `database` with a short lease.
fn spawn_server(fresh: &FreshDatabase, data_dir: &std::path::Path) -> (Child, String) {
    use std::io::{BufRead as _, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_expressconsent-server"))
        .arg("serve")
        .env("EC_DATA_DIR", data_dir)
        .env("EC_DATABASE_URL", fresh.url())
        .env("EC_BIND", "127.0.0.1:0")
        .env("EC_JOB_LEASE_MS", "1500")
        .env("EC_JOB_WORKERS", "1")
        .env("EC_WEBHOOK_RETRY_FIRST_MS", "50")
        .env("EC_ARCHIVE_PRIVATE_NETWORKS", "allow")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().expect("a line").expect("UTF-8");
        if let Some(url) = line.strip_prefix("listening on ") {
            break url.trim().to_owned();
        }
    };
    // Keep reading so the process never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, base)
}

/// Process A is killed with SIGKILL while its delivery hangs; process B, started after,
/// finishes the job once A's lease has expired: same `webhook-id`, accepted.
#[tokio::test]
async fn a_delivery_cut_short_by_kill_9_is_finished_by_another_process() {
    let fresh = FreshDatabase::create().await;
    let data_dir = tempfile::tempdir().expect("temp dir");
    let db = expressconsent_server::db::Db::open(&fresh.url())
        .await
        .expect("open");
    let org = expressconsent_server::db::orgs::create_org(
        &db,
        &expressconsent_server::db::orgs::NewOrg {
            name: "Generator".into(),
            domains: vec![
                expressconsent_server::orgs::host::Host::parse("example.com").expect("host"),
            ],
            auto_collect: true,
        },
    )
    .await
    .expect("org");
    let mut hook = receiver(&[None]).await;
    let client = reqwest::Client::new();

    let (mut first, base) = spawn_server(&fresh, data_dir.path());
    let set = client
        .patch(format!("{base}/v1/org"))
        .header("x-api-key", &org.api_key)
        .json(&json!({ "webhookUrl": hook.url }))
        .send()
        .await
        .expect("sent");
    let secret = ok_data(set).await["webhookSecret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let captured = client
        .post(format!("{base}/v1/captures?cid={}", org.org_id))
        .header("origin", "https://example.com")
        .json(&capture_body("killed-1"))
        .send()
        .await
        .expect("sent");
    ok_data(captured).await;

    let hung = hook.next().await;
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");

    let (mut second, _) = spawn_server(&fresh, data_dir.path());
    let retried = hook.next().await;
    assert_eq!(retried.id, hung.id, "the same event");
    assert_eq!(retried.body, hung.body);
    assert!(signed_by(&secret, &retried));
    let done = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let state: String =
                sqlx::query_scalar("SELECT state FROM jobs WHERE kind = 'deliver_webhook'")
                    .fetch_one(db.pool())
                    .await
                    .expect("the job");
            if state == "done" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    second.kill().ok();
    second.wait().ok();
    done.expect("the second process records the delivery as done");
    assert!(
        hook.arrivals.try_recv().is_err(),
        "delivered twice in all: cut short, then done"
    );
}
