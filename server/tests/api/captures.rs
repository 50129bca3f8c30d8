//! `POST /v1/captures`: refusals store nothing; accepted captures store exact evidence.

use expressconsent_protocol::{MAX_CAPTURE_BYTES, MAX_SHARE_EXPIRY_MS};
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::helpers::{auto_share_body, capture_body, error_message, ok_data, TestApp, SITE};

#[tokio::test]
async fn a_capture_for_an_unknown_cid_is_refused_and_stores_nothing() {
    let app = TestApp::start().await;
    app.generator(true).await;

    let response = app
        .capture("cid_doesnotexist", SITE, &capture_body("k1"))
        .await;

    let message = error_message(response, 404, "NOT_FOUND").await;
    assert!(message.contains("unknown cid"), "{message}");
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_capture_from_an_unregistered_origin_is_forbidden_and_stores_nothing() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let response = app
        .capture(
            &generator.org_id,
            "https://evil-example.com",
            &capture_body("k1"),
        )
        .await;

    let message = error_message(response, 403, "FORBIDDEN").await;
    assert_eq!(
        message,
        format!(
            "origin evil-example.com is not a registered domain of {}",
            generator.org_id
        )
    );
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_capture_without_origin_or_referer_is_forbidden() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let body = capture_body("k1").to_string().into_bytes();
    let response = app.capture_raw(&generator.org_id, None, body).await;

    error_message(response, 403, "FORBIDDEN").await;
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_malformed_json_capture_is_an_invalid_argument_and_stores_nothing() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let response = app
        .capture_raw(
            &generator.org_id,
            Some(SITE),
            b"{\"idempotencyKey\": ".to_vec(),
        )
        .await;

    let message = error_message(response, 400, "INVALID_ARGUMENT").await;
    assert!(message.starts_with("invalid JSON body"), "{message}");
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_capture_of_the_wrong_shape_names_the_missing_field() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let response = app
        .capture(&generator.org_id, SITE, &json!({ "packageId": "p" }))
        .await;

    let message = error_message(response, 400, "INVALID_ARGUMENT").await;
    assert!(message.contains("idempotencyKey"), "{message}");
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_capture_larger_than_the_limit_is_refused_with_413_and_stores_nothing() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let body = vec![b' '; MAX_CAPTURE_BYTES + 1];
    let response = app.capture_raw(&generator.org_id, Some(SITE), body).await;

    error_message(response, 413, "PAYLOAD_TOO_LARGE").await;
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn an_auto_share_of_zero_ms_is_an_invalid_argument_and_stores_nothing() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let response = app
        .capture(&generator.org_id, SITE, &auto_share_body("k1", Some(0)))
        .await;

    let message = error_message(response, 400, "INVALID_ARGUMENT").await;
    assert!(message.contains("expiresInMs"), "{message}");
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn an_auto_share_of_two_years_and_one_ms_is_an_invalid_argument_and_stores_nothing() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let body = auto_share_body("k1", Some(MAX_SHARE_EXPIRY_MS + 1));
    let response = app.capture(&generator.org_id, SITE, &body).await;

    error_message(response, 400, "INVALID_ARGUMENT").await;
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn an_auto_share_of_exactly_two_years_is_accepted() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let body = auto_share_body("k1", Some(MAX_SHARE_EXPIRY_MS));
    let before = now_ms();
    let data = app.captured(&generator.org_id, &body).await;

    let expires_at = data["shareExpiresAt"].as_i64().expect("shareExpiresAt");
    assert!(expires_at >= before + MAX_SHARE_EXPIRY_MS as i64, "{data}");
}

#[tokio::test]
async fn too_many_sub_groups_are_an_invalid_argument() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let mut body = capture_body("k1");
    body["subGroupIds"] = json!(["a", "b", "c", "d", "e", "f"]);
    let response = app.capture(&generator.org_id, SITE, &body).await;

    error_message(response, 400, "INVALID_ARGUMENT").await;
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_capture_from_a_registered_origin_returns_its_cdr_and_an_absolute_share_url() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let data = app
        .captured(&generator.org_id, &auto_share_body("k1", None))
        .await;

    let cdr_id = data["cdrId"].as_str().expect("cdrId");
    assert!(cdr_id.starts_with("cdr_"));
    let token = data["shareToken"].as_str().expect("shareToken");
    assert!(token.len() >= 32);
    assert_eq!(data["shareUrl"], format!("{}/v1/shares/{token}", app.base));
    assert_eq!(data["packageData"]["packageId"], "pkg_session1");
    let sub_group = data["packageData"]["subGroupIdMap"]["buyer-a"]
        .as_str()
        .expect("sub-group");
    assert!(sub_group.starts_with("pkg_"));
    assert_eq!(app.count("cdrs").await, 1);
    assert_eq!(
        app.count("billing_events").await,
        1,
        "auto-collect bills the generator once"
    );
}

#[tokio::test]
async fn a_capture_from_a_subdomain_of_a_registered_domain_is_accepted() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let response = app
        .capture(
            &generator.org_id,
            "https://quotes.example.com:8443",
            &capture_body("k1"),
        )
        .await;

    ok_data(response).await;
    let domain: String = sqlx::query_scalar("SELECT domain_id FROM cdrs")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(domain, "example.com");
}

#[tokio::test]
async fn the_stored_evidence_is_the_exact_body_and_its_hash_is_recorded() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let body = capture_body("k1").to_string().into_bytes();

    let response = app
        .capture_raw(&generator.org_id, Some(SITE), body.clone())
        .await;
    let data = ok_data(response).await;

    let cdr_id = data["cdrId"].as_str().unwrap();
    let path = app
        .data_dir()
        .join("evidence/cdrs")
        .join(cdr_id)
        .join("capture.json");
    let stored = std::fs::read(&path).expect("evidence file");
    assert_eq!(stored, body);
    let recorded: String = sqlx::query_scalar("SELECT content_sha256 FROM cdrs WHERE id = $1")
        .bind(cdr_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(recorded, hex::encode(Sha256::digest(&stored)));
}

#[tokio::test]
async fn a_gzip_compressed_capture_is_accepted_and_stored_decompressed() {
    use std::io::Write as _;
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let body = capture_body("k1").to_string().into_bytes();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&body).unwrap();

    let response = app
        .client
        .post(format!("{}/v1/captures?cid={}", app.base, generator.org_id))
        .header("origin", SITE)
        .header("content-encoding", "gzip")
        .body(gz.finish().unwrap())
        .send()
        .await
        .unwrap();

    let data = ok_data(response).await;
    let path = app
        .data_dir()
        .join("evidence/cdrs")
        .join(data["cdrId"].as_str().unwrap());
    assert_eq!(std::fs::read(path.join("capture.json")).unwrap(), body);
}

fn now_ms() -> i64 {
    expressconsent_server::db::now_ms()
}
