//! Nothing acknowledged is lost, nothing stored is unusable: text that a backend cannot
//! store (NUL) is refused the same way on SQLite and PostgreSQL, never a 500 that the SDK
//! would retry for 30 days; evidence is removed only with a CDR that never committed.

use serde_json::{json, Value};

use crate::helpers::{capture_body, error_message, ok_data, TestApp, SITE};

/// A field the refusal must name, and how to put a NUL into it.
type Case = (&'static str, fn(&mut Value));

#[tokio::test]
async fn a_nul_character_anywhere_in_stored_text_is_an_invalid_argument_and_stores_nothing() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let cases: [Case; 8] = [
        ("custom", |b| b["custom"] = json!({ "leadId": "L\u{0}1" })),
        ("custom", |b| b["custom"] = json!({ "lead\u{0}Id": "L-1" })),
        ("custom", |b| {
            b["custom"] = json!({ "deep": { "list": ["\u{0}"] } })
        }),
        ("page.url", |b| {
            b["page"]["url"] = json!("https://example.com/\u{0}")
        }),
        ("page.title", |b| b["page"]["title"] = json!("Form\u{0}")),
        ("page.userAgent", |b| {
            b["page"]["userAgent"] = json!("\u{0}")
        }),
        ("idempotencyKey", |b| b["idempotencyKey"] = json!("k\u{0}")),
        ("subGroupId", |b| b["subGroupIds"] = json!(["a\u{0}"])),
    ];
    for (field, patch) in cases {
        let mut body = capture_body("k1");
        patch(&mut body);
        let response = app.capture(&generator.org_id, SITE, &body).await;
        let message = error_message(response, 400, "INVALID_ARGUMENT").await;
        assert!(message.contains(field), "{field}: {message}");
    }
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_nul_character_in_the_snapshot_html_is_kept_as_evidence() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let mut body = capture_body("k1");
    body["snapshot"]["html"] = json!("<p>a\u{0}b</p>");

    let data = app.captured(&generator.org_id, &body).await;

    assert!(data["cdrId"].is_string());
    assert_eq!(app.evidence_files().len(), 1);
}

#[tokio::test]
async fn when_the_cdr_cannot_be_inserted_its_evidence_is_removed_and_the_error_is_internal() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    // Break the transaction after the evidence is written: the reply table is gone.
    sqlx::query("DROP TABLE capture_replies")
        .execute(app.db.pool())
        .await
        .unwrap();

    let response = app
        .capture(&generator.org_id, SITE, &capture_body("k1"))
        .await;

    let message = error_message(response, 500, "INTERNAL").await;
    assert!(
        !message.contains("capture_replies"),
        "no internals: {message}"
    );
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_capture_stored_before_replies_were_kept_is_answered_again_without_a_new_link() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let body = crate::helpers::auto_share_body("old", None);
    let first = app.captured(&generator.org_id, &body).await;
    // As the migration leaves CDRs stored before it: fingerprint, no reply.
    sqlx::query("UPDATE capture_replies SET reply_sealed = NULL")
        .execute(app.db.pool())
        .await
        .unwrap();

    let again = ok_data(app.capture(&generator.org_id, SITE, &body).await).await;

    assert_eq!(again["cdrId"], first["cdrId"]);
    assert_eq!(again["packageData"], first["packageData"]);
    assert!(again.get("shareToken").is_none(), "{again}");
    assert_eq!(app.count("shares").await, 1, "no link minted");
}
