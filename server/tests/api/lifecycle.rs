//! Restarting the server loses nothing: CDRs, evidence, shares, relations and the ledger
//! all live in the database and the evidence store, none in the process.

use serde_json::json;

use crate::helpers::{ok_data, TestApp};

#[tokio::test]
async fn a_restarted_server_keeps_cdrs_shares_relations_and_the_ledger() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let payer = app.buyer().await;
    let saver = app.buyer().await;
    let latecomer = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;
    app.claimed(&payer.api_key, &share_url, None).await;
    app.claimed(
        &saver.api_key,
        &share_url,
        Some(json!({ "collect": false })),
    )
    .await;
    let ledger_before = app.get_data(&payer.api_key, "/v1/billing/events").await;
    let path = share_url.replace(&app.base, "");

    let app = app.restart().await;

    let share_url = format!("{}{path}", app.base);
    let cdr = format!("/v1/cdrs/{cdr_id}");
    assert_eq!(app.get_data(&payer.api_key, &cdr).await["access"], "paid");
    assert_eq!(app.get_data(&saver.api_key, &cdr).await["access"], "saved");
    assert_eq!(
        app.get_data(&generator.api_key, &cdr).await["access"],
        "unpaid"
    );
    let ledger_after = app.get_data(&payer.api_key, "/v1/billing/events").await;
    assert_eq!(ledger_after, ledger_before);
    let snapshot = app.get(&payer.api_key, &format!("{cdr}/snapshot")).await;
    assert_eq!(snapshot.status(), 200, "the evidence is still there");
    let again = app.claimed(&payer.api_key, &share_url, None).await;
    assert_eq!(again["alreadyClaimed"], true);
    let late = app.claimed(&latecomer.api_key, &share_url, None).await;
    assert_eq!(late["access"], "paid", "the share link still works");
    let listed = app
        .get_data(&generator.api_key, "/v1/domains/example.com/cdrs")
        .await;
    assert_eq!(listed["cdrs"][0]["cdrId"], cdr_id.as_str());
    assert_eq!(app.billed(&payer.org_id).await, 1);
    ok_data(app.collect(&saver.api_key, &cdr_id).await).await;
    assert_eq!(app.count("billing_events").await, 3);
}
