//! The scenarios of the reference document "Sharing evidence with lead buyers", each
//! through the real API: who gets which access, and who is billed how often.

use serde_json::json;

use crate::helpers::{error_message, ok_data, TestApp};

/// `GET /v1/cdrs/{cdrId}/snapshot`: the download an org with access can make.
async fn snapshot_status(app: &TestApp, api_key: &str, cdr_id: &str) -> u16 {
    let path = format!("/v1/cdrs/{cdr_id}/snapshot");
    app.get(api_key, &path).await.status().as_u16()
}

#[tokio::test]
async fn a_paying_generator_shares_to_several_buyers_and_none_of_them_is_billed() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;
    let buyers = [app.buyer().await, app.buyer().await, app.buyer().await];

    for buyer in &buyers {
        let data = app.claimed(&buyer.api_key, &share_url, None).await;
        assert_eq!(data["access"], "free");
        assert_eq!(data["alreadyClaimed"], false);
    }

    assert_eq!(app.billed(&generator.org_id).await, 1, "auto-collect, once");
    for buyer in &buyers {
        assert_eq!(app.billed(&buyer.org_id).await, 0);
        assert_eq!(snapshot_status(&app, &buyer.api_key, &cdr_id).await, 200);
    }
}

#[tokio::test]
async fn a_buyer_of_a_generator_without_auto_collect_pays_once_in_the_claim() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;
    assert_eq!(
        snapshot_status(&app, &generator.api_key, &cdr_id).await,
        403
    );

    let data = app.claimed(&buyer.api_key, &share_url, None).await;

    assert_eq!(data["access"], "paid");
    assert_eq!(app.billed(&buyer.org_id).await, 1);
    assert_eq!(app.billed(&generator.org_id).await, 0);
    assert_eq!(snapshot_status(&app, &buyer.api_key, &cdr_id).await, 200);
    assert_eq!(
        snapshot_status(&app, &generator.api_key, &cdr_id).await,
        403,
        "the generator still has not paid"
    );
}

#[tokio::test]
async fn the_same_lead_shared_to_three_buyers_bills_each_buyer_separately() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let (cdr_id, _) = app.shared_capture(&generator.org_id).await;
    let buyers = [app.buyer().await, app.buyer().await, app.buyer().await];

    for buyer in &buyers {
        let own_url = app.minted_url(&generator.api_key, &cdr_id).await;
        let data = app.claimed(&buyer.api_key, &own_url, None).await;
        assert_eq!(data["access"], "paid");
    }

    for buyer in &buyers {
        assert_eq!(app.billed_for(&buyer.org_id, &cdr_id).await, 1);
    }
    assert_eq!(app.billed(&generator.org_id).await, 0);
    assert_eq!(app.count("billing_events").await, 3);
}

#[tokio::test]
async fn a_buyer_that_paid_reshares_and_its_partner_gets_free_access() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let partner = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;
    app.claimed(&buyer.api_key, &share_url, None).await;

    let resale_url = app.minted_url(&buyer.api_key, &cdr_id).await;
    let data = app.claimed(&partner.api_key, &resale_url, None).await;

    assert_eq!(data["access"], "free");
    assert_eq!(app.billed(&partner.org_id).await, 0);
    assert_eq!(app.billed(&buyer.org_id).await, 1);
    assert_eq!(snapshot_status(&app, &partner.api_key, &cdr_id).await, 200);
}

#[tokio::test]
async fn a_free_recipient_reshares_and_the_downstream_buyer_pays() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let buyer = app.buyer().await;
    let downstream = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;
    let first = app.claimed(&buyer.api_key, &share_url, None).await;
    assert_eq!(first["access"], "free");

    let resale_url = app.minted_url(&buyer.api_key, &cdr_id).await;
    let data = app.claimed(&downstream.api_key, &resale_url, None).await;

    assert_eq!(data["access"], "paid", "free access flows one hop only");
    assert_eq!(app.billed(&downstream.org_id).await, 1);
    assert_eq!(app.billed(&buyer.org_id).await, 0);
    assert_eq!(
        app.count("billing_events").await,
        2,
        "generator and downstream"
    );
}

#[tokio::test]
async fn collect_false_saves_without_access_and_a_later_collect_bills_once_and_grants_it() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;

    let saved = app
        .claimed(
            &buyer.api_key,
            &share_url,
            Some(json!({ "collect": false })),
        )
        .await;
    assert_eq!(saved["access"], "saved");
    assert_eq!(app.billed(&buyer.org_id).await, 0);
    let refused = app
        .get(&buyer.api_key, &format!("/v1/cdrs/{cdr_id}/snapshot"))
        .await;
    let message = error_message(refused, 403, "FORBIDDEN").await;
    assert!(
        message.contains(&format!("POST /v1/cdrs/{cdr_id}/collect")),
        "{message}"
    );

    let collected = ok_data(app.collect(&buyer.api_key, &cdr_id).await).await;
    let again = ok_data(app.collect(&buyer.api_key, &cdr_id).await).await;

    assert_eq!(collected["access"], "paid");
    assert_eq!(collected["billed"], true);
    assert_eq!(collected["alreadyCollected"], false);
    assert_eq!(again["billed"], false);
    assert_eq!(again["alreadyCollected"], true);
    assert_eq!(app.billed(&buyer.org_id).await, 1);
    assert_eq!(snapshot_status(&app, &buyer.api_key, &cdr_id).await, 200);
}

#[tokio::test]
async fn collect_false_on_a_share_from_a_payer_still_grants_free_access() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let buyer = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;

    let data = app
        .claimed(
            &buyer.api_key,
            &share_url,
            Some(json!({ "collect": false })),
        )
        .await;

    assert_eq!(data["access"], "free");
    assert_eq!(app.billed(&buyer.org_id).await, 0);
    assert_eq!(snapshot_status(&app, &buyer.api_key, &cdr_id).await, 200);
}

#[tokio::test]
async fn posting_the_same_url_twice_is_already_claimed_and_never_bills_twice() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (_, share_url) = app.shared_capture(&generator.org_id).await;

    let first = app.claimed(&buyer.api_key, &share_url, None).await;
    let second = app.claimed(&buyer.api_key, &share_url, None).await;
    let third = app
        .claimed(
            &buyer.api_key,
            &share_url,
            Some(json!({ "collect": false })),
        )
        .await;

    assert_eq!(first["alreadyClaimed"], false);
    for later in [&second, &third] {
        assert_eq!(later["alreadyClaimed"], true);
        assert_eq!(later["access"], "paid");
        assert_ne!(later["shareEventId"], first["shareEventId"]);
    }
    assert_eq!(app.billed(&buyer.org_id).await, 1);
}

#[tokio::test]
async fn a_saved_recipient_that_claims_again_with_collect_pays_once_and_is_already_claimed() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (_, share_url) = app.shared_capture(&generator.org_id).await;
    app.claimed(
        &buyer.api_key,
        &share_url,
        Some(json!({ "collect": false })),
    )
    .await;

    let data = app.claimed(&buyer.api_key, &share_url, None).await;

    assert_eq!(data["access"], "paid");
    assert_eq!(
        data["alreadyClaimed"], true,
        "it held the CDR (saved) before"
    );
    assert_eq!(app.billed(&buyer.org_id).await, 1);
}

#[tokio::test]
async fn a_link_minted_before_the_generator_paid_is_free_once_it_has_paid() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;

    let collected = ok_data(app.collect(&generator.api_key, &cdr_id).await).await;
    let data = app.claimed(&buyer.api_key, &share_url, None).await;

    assert_eq!(collected["billed"], true);
    assert_eq!(
        data["access"], "free",
        "the minter had paid when the buyer claimed"
    );
    assert_eq!(app.billed(&buyer.org_id).await, 0);
    assert_eq!(app.billed(&generator.org_id).await, 1);
    assert_eq!(
        snapshot_status(&app, &generator.api_key, &cdr_id).await,
        200
    );
}

#[tokio::test]
async fn collecting_with_free_access_bills_nothing() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let buyer = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;
    app.claimed(&buyer.api_key, &share_url, None).await;

    let data = ok_data(app.collect(&buyer.api_key, &cdr_id).await).await;

    assert_eq!(data["access"], "free");
    assert_eq!(data["billed"], false);
    assert_eq!(data["alreadyCollected"], true);
    assert_eq!(app.billed(&buyer.org_id).await, 0);
}

#[tokio::test]
async fn every_claim_is_recorded_as_a_share_event_with_its_outcome() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (_, share_url) = app.shared_capture(&generator.org_id).await;
    app.claimed(
        &buyer.api_key,
        &share_url,
        Some(json!({ "collect": false })),
    )
    .await;
    app.claimed(&buyer.api_key, &share_url, None).await;
    app.claimed(&buyer.api_key, &share_url, None).await;

    let outcomes: Vec<(String, i64)> = sqlx::query_as(
        "SELECT outcome, billed FROM share_events WHERE org_id = $1 ORDER BY created_at, id",
    )
    .bind(&buyer.org_id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();

    let mut outcomes = outcomes;
    outcomes.sort();
    assert_eq!(
        outcomes,
        vec![
            ("already_claimed".to_owned(), 0),
            ("paid".to_owned(), 1),
            ("saved".to_owned(), 0)
        ]
    );
}
