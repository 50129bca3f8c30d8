//! `GET /v1/cdrs/{cdrId}/evidence`: the stored evidence bytes, whose SHA-256 is the CDR's
//! `contentSha256` (and its transparency-log entry's hash).

use std::io::Write as _;

use sha2::{Digest as _, Sha256};

use crate::helpers::{capture_body, error_message, ok_data, TestApp, SITE};

#[tokio::test]
async fn the_evidence_is_the_upload_as_received_decompressed_and_hashes_to_content_sha256() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    // Odd spacing and key order: the evidence is these bytes, not a re-serialization.
    let body = format!("  {}\n", capture_body("k1")).into_bytes();
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
    let cdr_id = ok_data(response).await["cdrId"]
        .as_str()
        .unwrap()
        .to_owned();

    let details = app
        .get_data(&generator.api_key, &format!("/v1/cdrs/{cdr_id}"))
        .await;
    let response = app
        .get(&generator.api_key, &format!("/v1/cdrs/{cdr_id}/evidence"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), body.as_slice(), "exactly what the SDK sent");
    assert_eq!(
        hex::encode(Sha256::digest(&bytes)),
        details["contentSha256"].as_str().unwrap()
    );
}

#[tokio::test]
async fn only_orgs_with_download_access_get_the_evidence() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let stranger = app.buyer().await;
    let cdr_id = app.captured(&generator.org_id, &capture_body("k1")).await["cdrId"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/cdrs/{cdr_id}/evidence");

    let unpaid = app.get(&generator.api_key, &path).await;
    let message = error_message(unpaid, 403, "FORBIDDEN").await;
    assert!(message.contains("collect"), "{message}");
    error_message(app.get(&stranger.api_key, &path).await, 404, "NOT_FOUND").await;

    assert_eq!(app.collect(&generator.api_key, &cdr_id).await.status(), 200);
    assert_eq!(app.get(&generator.api_key, &path).await.status(), 200);
}
