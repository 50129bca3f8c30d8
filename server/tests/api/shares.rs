//! Share links: the claim's answer, minting, tokens, and API-key authentication. The
//! reference document's scenarios are in `scenarios`.

use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::helpers::{auto_share_body, error_message, ok_data, TestApp};

#[tokio::test]
async fn a_buyer_claiming_a_paying_generators_share_gets_free_access_without_a_bill() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let buyer = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;

    let data = ok_data(app.claim(&buyer.api_key, &share_url, None).await).await;

    assert_eq!(data["claimed"], true);
    assert_eq!(data["alreadyClaimed"], false);
    assert_eq!(data["cdrId"], cdr_id);
    assert_eq!(data["domainId"], "example.com");
    assert!(data["shareEventId"].as_str().unwrap().starts_with("se_"));
    assert_eq!(data["access"], "free");
    assert_eq!(
        app.count("billing_events").await,
        1,
        "only the generator's auto-collect"
    );
}

#[tokio::test]
async fn a_buyer_claiming_a_non_paying_generators_share_pays_once() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (_, share_url) = app.shared_capture(&generator.org_id).await;
    assert_eq!(app.count("billing_events").await, 0);

    let data = ok_data(app.claim(&buyer.api_key, &share_url, None).await).await;

    assert_eq!(data["access"], "paid");
    assert_eq!(app.count("billing_events").await, 1);
}

#[tokio::test]
async fn a_second_claim_is_already_claimed_and_bills_nothing_more() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (_, share_url) = app.shared_capture(&generator.org_id).await;
    ok_data(app.claim(&buyer.api_key, &share_url, None).await).await;
    let billed = app.count("billing_events").await;

    let data = ok_data(app.claim(&buyer.api_key, &share_url, None).await).await;

    assert_eq!(data["alreadyClaimed"], true);
    assert_eq!(data["access"], "paid");
    assert_eq!(app.count("billing_events").await, billed);
    assert_eq!(
        app.count("share_events").await,
        2,
        "every claim is recorded"
    );
}

#[tokio::test]
async fn collect_false_saves_the_cdr_without_billing() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;

    let body = Some(json!({ "collect": false }));
    let data = ok_data(app.claim(&buyer.api_key, &share_url, body).await).await;

    assert_eq!(data["access"], "saved");
    assert_eq!(data["alreadyClaimed"], false);
    assert_eq!(app.count("billing_events").await, 0);
    let refused = app.mint(&buyer.api_key, &cdr_id).await;
    let message = error_message(refused, 403, "FORBIDDEN").await;
    assert!(message.contains("collect"), "{message}");
}

#[tokio::test]
async fn an_org_without_a_relation_cannot_mint_and_learns_nothing() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let stranger = app.buyer().await;
    let (cdr_id, _) = app.shared_capture(&generator.org_id).await;

    let response = app.mint(&stranger.api_key, &cdr_id).await;

    error_message(response, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn an_unknown_token_is_not_found() {
    let app = TestApp::start().await;
    let buyer = app.buyer().await;

    let url = format!("{}/v1/shares/{}", app.base, "x".repeat(43));
    let response = app.claim(&buyer.api_key, &url, None).await;

    error_message(response, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn an_expired_share_is_gone() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let buyer = app.buyer().await;
    let (_, share_url) = app.shared_capture(&generator.org_id).await;
    sqlx::query("UPDATE shares SET expires_at = 1")
        .execute(app.db.pool())
        .await
        .unwrap();

    let response = app.claim(&buyer.api_key, &share_url, None).await;

    error_message(response, 410, "GONE").await;
}

#[tokio::test]
async fn a_claim_without_an_api_key_is_unauthenticated() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let (_, share_url) = app.shared_capture(&generator.org_id).await;

    let response = app.client.post(&share_url).send().await.unwrap();

    let message = error_message(response, 401, "UNAUTHENTICATED").await;
    assert_eq!(message, "missing X-API-Key header");
}

#[tokio::test]
async fn a_wrong_secret_a_malformed_key_and_a_revoked_key_are_unauthenticated() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let buyer = app.buyer().await;
    let (_, share_url) = app.shared_capture(&generator.org_id).await;
    let (key_id, _) = buyer.api_key.split_once('.').unwrap();

    let wrong_secret = format!("{key_id}.{}", "A".repeat(43));
    for bad in [wrong_secret.as_str(), "not-a-key", "key_x.y"] {
        let response = app.claim(bad, &share_url, None).await;
        error_message(response, 401, "UNAUTHENTICATED").await;
    }
    sqlx::query("UPDATE api_keys SET revoked_at = 1 WHERE id = $1")
        .bind(key_id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let response = app.claim(&buyer.api_key, &share_url, None).await;
    error_message(response, 401, "UNAUTHENTICATED").await;
}

#[tokio::test]
async fn api_keys_and_share_tokens_are_stored_only_as_hashes() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let data = app
        .captured(&generator.org_id, &auto_share_body("k1", None))
        .await;
    let (key_id, secret) = generator.api_key.split_once('.').unwrap();
    let token = data["shareToken"].as_str().unwrap();

    let stored: String = sqlx::query_scalar("SELECT secret_hash FROM api_keys WHERE id = $1")
        .bind(key_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let token_hash: String = sqlx::query_scalar("SELECT token_hash FROM shares")
        .fetch_one(app.db.pool())
        .await
        .unwrap();

    assert_eq!(stored, hex::encode(Sha256::digest(secret.as_bytes())));
    assert_eq!(token_hash, hex::encode(Sha256::digest(token.as_bytes())));
    let db_file = std::fs::read(app.data_dir().join("expressconsent.db")).unwrap_or_default();
    let wal = std::fs::read(app.data_dir().join("expressconsent.db-wal")).unwrap_or_default();
    for bytes in [db_file, wal] {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(secret), "the secret is not in the database");
        assert!(!text.contains(token), "the token is not in the database");
    }
}
