//! The capture endpoint cannot be turned against an org: rate limits per client address
//! and per org, the client address behind trusted proxies, a bounded number of captures at
//! once and a deadline for the body.

use std::time::Duration;

use expressconsent_server::config::ServeConfig;
use reqwest::Response;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;

use crate::helpers::{capture_body, error_message, ok_data, TestApp, SITE};

/// A capture sent with an `X-Forwarded-For` header, as a proxy would forward it.
async fn capture_via(app: &TestApp, cid: &str, key: &str, forwarded_for: &str) -> Response {
    app.client
        .post(format!("{}/v1/captures", app.base))
        .query(&[("cid", cid)])
        .header("origin", SITE)
        .header("x-forwarded-for", forwarded_for)
        .body(capture_body(key).to_string())
        .send()
        .await
        .expect("request sent")
}

/// The `Retry-After` of a 429 answer, after checking its envelope.
async fn rate_limited(response: Response) -> (u64, String) {
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .expect("a Retry-After in seconds");
    let message = error_message(response, 429, "RATE_LIMITED").await;
    (retry_after, message)
}

async fn received_ip(app: &TestApp, cdr_id: &Value) -> String {
    sqlx::query_scalar("SELECT received_ip FROM cdrs WHERE id = $1")
        .bind(cdr_id.as_str().unwrap())
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

fn limits(per_ip: u32, per_cid: u32, proxies: &str) -> impl FnOnce(&mut ServeConfig) {
    let proxies: Vec<_> = proxies
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap())
        .collect();
    move |config| {
        config.capture.rate_per_ip = per_ip;
        config.capture.rate_per_cid = per_cid;
        config.capture.trusted_proxies = proxies;
    }
}

#[tokio::test]
async fn captures_over_the_per_address_limit_are_refused_with_retry_after_and_store_nothing() {
    let app = TestApp::start_with(limits(2, 0, "")).await;
    let generator = app.generator(true).await;

    for key in ["k1", "k2"] {
        ok_data(
            app.capture(&generator.org_id, SITE, &capture_body(key))
                .await,
        )
        .await;
    }
    let refused = app
        .capture(&generator.org_id, SITE, &capture_body("k3"))
        .await;

    let (retry_after, message) = rate_limited(refused).await;
    assert!(
        (1..=30).contains(&retry_after),
        "one per 30 s: {retry_after}"
    );
    assert!(message.contains("127.0.0.1"), "{message}");
    assert_eq!(app.count("cdrs").await, 2);
    assert_eq!(app.evidence_files().len(), 2);
}

#[tokio::test]
async fn without_trusted_proxies_x_forwarded_for_is_ignored() {
    let app = TestApp::start_with(limits(1, 0, "")).await;
    let generator = app.generator(true).await;

    let first = ok_data(capture_via(&app, &generator.org_id, "k1", "198.51.100.1").await).await;
    // A forged header does not buy a fresh address.
    let second = capture_via(&app, &generator.org_id, "k2", "198.51.100.2").await;

    assert_eq!(received_ip(&app, &first["cdrId"]).await, "127.0.0.1");
    rate_limited(second).await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_client_is_the_right_most_untrusted_forwarded_address() {
    let app = TestApp::start_with(limits(1, 0, "127.0.0.0/8,10.0.0.0/8")).await;
    let generator = app.generator(true).await;

    // The left-most entry is forgeable; the proxy chain appended the rest.
    let first = capture_via(
        &app,
        &generator.org_id,
        "k1",
        "1.2.3.4, 203.0.113.7, 10.0.0.9",
    )
    .await;
    let first = ok_data(first).await;
    let same_client = capture_via(&app, &generator.org_id, "k2", "9.9.9.9, 203.0.113.7").await;
    let other_client = capture_via(&app, &generator.org_id, "k3", "203.0.113.8").await;

    assert_eq!(received_ip(&app, &first["cdrId"]).await, "203.0.113.7");
    rate_limited(same_client).await;
    let other = ok_data(other_client).await;
    assert_eq!(received_ip(&app, &other["cdrId"]).await, "203.0.113.8");
}

#[tokio::test]
async fn captures_over_the_per_org_limit_are_refused_whatever_the_address() {
    let app = TestApp::start_with(limits(0, 2, "127.0.0.1/32")).await;
    let flooded = app.generator(true).await;
    let other = app.generator(true).await;

    for (key, client) in [("k1", "203.0.113.1"), ("k2", "203.0.113.2")] {
        ok_data(capture_via(&app, &flooded.org_id, key, client).await).await;
    }
    let refused = capture_via(&app, &flooded.org_id, "k3", "203.0.113.3").await;
    let elsewhere = capture_via(&app, &other.org_id, "k1", "203.0.113.3").await;

    let (_, message) = rate_limited(refused).await;
    assert!(message.contains(&flooded.org_id), "{message}");
    ok_data(elsewhere).await;
}

#[tokio::test]
async fn zero_means_unlimited() {
    let app = TestApp::start_with(limits(0, 0, "")).await;
    let generator = app.generator(true).await;

    for i in 0..30 {
        let body = capture_body(&format!("k{i}"));
        ok_data(app.capture(&generator.org_id, SITE, &body).await).await;
    }
    assert_eq!(app.count("cdrs").await, 30);
}

/// Opens a capture whose headers are sent but whose body never comes. With
/// `Expect: 100-continue` the server says `100 Continue` once the handler starts reading
/// the body, which is when the capture holds its turn.
async fn stalled_capture(app: &TestApp, cid: &str) -> BufReader<TcpStream> {
    let addr = app.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /v1/captures?cid={cid} HTTP/1.1\r\nHost: {addr}\r\nOrigin: {SITE}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\
         Expect: 100-continue\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).await.unwrap();
    assert!(line.starts_with("HTTP/1.1 100"), "{line}");
    reader.read_line(&mut line).await.unwrap();
    reader
}

#[tokio::test]
async fn a_body_that_stalls_is_answered_408_and_stores_nothing() {
    let app = TestApp::start_with(|config| config.capture.body_timeout_ms = 300).await;
    let generator = app.generator(true).await;

    let mut stalled = stalled_capture(&app, &generator.org_id).await;
    stalled
        .get_mut()
        .write_all(b"{\"idempotencyKey\":")
        .await
        .unwrap();
    let mut status = String::new();
    stalled.read_line(&mut status).await.unwrap();

    assert!(status.starts_with("HTTP/1.1 408"), "{status}");
    let mut rest = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut stalled, &mut rest)
        .await
        .ok();
    assert!(rest.contains("REQUEST_TIMEOUT"), "{rest}");
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn when_every_turn_is_taken_a_capture_waits_briefly_then_hears_429_with_retry_after() {
    let app = TestApp::start_with(|config| {
        config.capture.concurrency = 1;
        config.capture.queue_timeout_ms = 100;
    })
    .await;
    let generator = app.generator(true).await;
    let stalled = stalled_capture(&app, &generator.org_id).await;

    let busy = app
        .capture(&generator.org_id, SITE, &capture_body("k1"))
        .await;

    assert_eq!(
        busy.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    error_message(busy, 429, "RATE_LIMITED").await;
    drop(stalled);
    // The turn is given back when the stalled upload goes away.
    let later = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let response = app
                .capture(&generator.org_id, SITE, &capture_body("k1"))
                .await;
            if response.status() == 200 {
                return ok_data(response).await;
            }
        }
    })
    .await
    .expect("a turn frees up");
    assert!(later["cdrId"].is_string());
}
