//! Idempotent captures, as Stripe's idempotency keys work: the same key with the same
//! body answers the very same result and stores one CDR; the same key with another body
//! is `CONFLICT`; a retry never mints a share link.

use serde_json::Value;

use crate::helpers::{auto_share_body, capture_body, error_message, ok_data, TestApp, SITE};

#[tokio::test]
async fn a_retry_with_the_same_key_and_body_answers_the_very_same_result() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let mut body = auto_share_body("same", Some(86_400_000));
    body["subGroupIds"] = serde_json::json!(["buyer-a", "buyer-b"]);

    let first = app.captured(&generator.org_id, &body).await;
    let second = app.captured(&generator.org_id, &body).await;

    assert!(first["shareToken"].is_string(), "{first}");
    assert_eq!(first, second, "cdrId, share link and sub-group map alike");
    assert_eq!(app.count("cdrs").await, 1);
    assert_eq!(app.count("shares").await, 1, "the retry minted no link");
    assert_eq!(app.count("billing_events").await, 1);
    assert_eq!(app.evidence_files().len(), 1);
}

#[tokio::test]
async fn the_share_link_a_retry_answers_is_the_one_a_buyer_can_claim() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let buyer = app.buyer().await;
    let body = auto_share_body("k1", None);
    app.captured(&generator.org_id, &body).await;

    let again = app.captured(&generator.org_id, &body).await;
    let claim = app
        .claimed(&buyer.api_key, again["shareUrl"].as_str().unwrap(), None)
        .await;

    assert_eq!(claim["cdrId"], again["cdrId"]);
    assert_eq!(claim["claimed"], true);
}

#[tokio::test]
async fn the_same_key_with_a_different_body_is_a_conflict_and_stores_nothing_more() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let first = app
        .captured(&generator.org_id, &auto_share_body("k1", None))
        .await;

    let mut other = auto_share_body("k1", None);
    other["page"]["title"] = Value::from("Another form");
    let response = app.capture(&generator.org_id, SITE, &other).await;

    let message = error_message(response, 409, "CONFLICT").await;
    assert!(message.contains("idempotencyKey"), "{message}");
    assert_eq!(app.count("cdrs").await, 1);
    assert_eq!(app.count("shares").await, 1);
    assert_eq!(app.evidence_files().len(), 1);
    // The first body is still answered as before.
    let again = app
        .captured(&generator.org_id, &auto_share_body("k1", None))
        .await;
    assert_eq!(again, first);
}

#[tokio::test]
async fn a_gzip_retry_of_the_same_json_is_the_same_request() {
    use std::io::Write as _;
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let body = capture_body("k1");
    let first = app.captured(&generator.org_id, &body).await;

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body.to_string().as_bytes()).unwrap();
    let response = app
        .client
        .post(format!("{}/v1/captures?cid={}", app.base, generator.org_id))
        .header("origin", SITE)
        .header("content-encoding", "gzip")
        .body(gz.finish().unwrap())
        .send()
        .await
        .unwrap();

    assert_eq!(ok_data(response).await, first);
}

#[tokio::test]
async fn the_same_key_for_two_orgs_is_two_captures() {
    let app = TestApp::start().await;
    let one = app.generator(true).await;
    let two = app.generator(true).await;

    let first = app.captured(&one.org_id, &capture_body("k1")).await;
    let second = app.captured(&two.org_id, &capture_body("k1")).await;

    assert_ne!(first["cdrId"], second["cdrId"]);
    assert_eq!(app.count("cdrs").await, 2);
}

/// Sends every capture at once (spawned first, awaited after) and returns the answers.
async fn all_at_once(app: &TestApp, cid: &str, bodies: &[Value]) -> Vec<reqwest::Response> {
    let sent: Vec<_> = bodies
        .iter()
        .map(|body| {
            let request = app
                .client
                .post(format!("{}/v1/captures", app.base))
                .query(&[("cid", cid)])
                .header("origin", SITE)
                .body(body.to_string());
            tokio::spawn(request.send())
        })
        .collect();
    let mut answers = Vec::new();
    for response in sent {
        answers.push(response.await.expect("task").expect("response"));
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_simultaneous_uploads_with_one_key_store_one_cdr_and_answer_it_alike() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let bodies = vec![auto_share_body("raced", None); 20];

    let answers = all_at_once(&app, &generator.org_id, &bodies).await;

    let mut results = Vec::new();
    for response in answers {
        results.push(ok_data(response).await);
    }
    assert!(results.iter().all(|r| *r == results[0]), "{results:?}");
    assert_eq!(app.count("cdrs").await, 1);
    assert_eq!(app.count("shares").await, 1);
    assert_eq!(app.count("billing_events").await, 1);
    assert_eq!(
        app.evidence_files().len(),
        1,
        "the losers' evidence was removed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_uploads_of_one_key_with_different_bodies_store_one_and_refuse_the_rest() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let bodies: Vec<Value> = (0..10)
        .map(|i| {
            let mut body = capture_body("raced");
            body["page"]["title"] = Value::from(format!("variant {i}"));
            body
        })
        .collect();

    let answers = all_at_once(&app, &generator.org_id, &bodies).await;

    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        9,
        "{statuses:?}"
    );
    assert_eq!(app.count("cdrs").await, 1);
    assert_eq!(app.evidence_files().len(), 1);
}
