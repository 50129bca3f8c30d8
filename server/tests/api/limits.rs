//! Every capture limit of SPEC §2, at its edge: the largest accepted value is stored, one
//! more is refused in the envelope and stores nothing.

use expressconsent_protocol::{MAX_CAPTURE_BYTES, MAX_CUSTOM_BYTES, MAX_DISCLOSURE_CHARS};
use serde_json::{json, Value};

use crate::helpers::{capture_body, error_message, ok_data, TestApp, SITE};

/// A capture whose `custom` serializes to exactly `bytes` bytes.
fn with_custom_of(bytes: usize) -> Value {
    let mut body = capture_body("k1");
    // `{"a":"` + padding + `"}` is 8 bytes of structure.
    body["custom"] = json!({ "a": "x".repeat(bytes - 8) });
    assert_eq!(body["custom"].to_string().len(), bytes);
    body
}

#[tokio::test]
async fn custom_of_exactly_sixteen_kib_is_stored_and_one_byte_more_is_refused() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let too_big = app
        .capture(
            &generator.org_id,
            SITE,
            &with_custom_of(MAX_CUSTOM_BYTES + 1),
        )
        .await;
    let message = error_message(too_big, 400, "INVALID_ARGUMENT").await;
    assert!(message.contains("custom"), "{message}");
    app.assert_nothing_stored().await;

    let at_limit = app
        .capture(&generator.org_id, SITE, &with_custom_of(MAX_CUSTOM_BYTES))
        .await;
    assert!(ok_data(at_limit).await["cdrId"].is_string());
}

#[tokio::test]
async fn five_sub_groups_are_accepted_but_six_duplicates_or_empty_ids_are_refused() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let refused = [
        json!(["a", "b", "c", "d", "e", "f"]),
        json!(["a", "a"]),
        json!(["a", ""]),
    ];
    for ids in refused {
        let mut body = capture_body("k1");
        body["subGroupIds"] = ids.clone();
        let response = app.capture(&generator.org_id, SITE, &body).await;
        let message = error_message(response, 400, "INVALID_ARGUMENT").await;
        assert!(message.contains("subGroupIds"), "{ids}: {message}");
    }
    app.assert_nothing_stored().await;

    let mut body = capture_body("k1");
    body["subGroupIds"] = json!(["a", "b", "c", "d", "e"]);
    let data = ok_data(app.capture(&generator.org_id, SITE, &body).await).await;
    assert_eq!(
        data["packageData"]["subGroupIdMap"]
            .as_object()
            .unwrap()
            .len(),
        5
    );
}

#[tokio::test]
async fn a_disclosure_of_five_thousand_characters_is_kept_and_one_more_is_refused() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    // Multi-byte characters: the limit counts characters, not bytes.
    let with_text = |chars: usize| {
        let mut body = capture_body("k1");
        body["disclosures"][0]["text"] = json!("é".repeat(chars));
        body
    };

    let response = app
        .capture(
            &generator.org_id,
            SITE,
            &with_text(MAX_DISCLOSURE_CHARS + 1),
        )
        .await;
    error_message(response, 400, "INVALID_ARGUMENT").await;
    app.assert_nothing_stored().await;

    let response = app
        .capture(&generator.org_id, SITE, &with_text(MAX_DISCLOSURE_CHARS))
        .await;
    assert!(ok_data(response).await["cdrId"].is_string());
}

#[tokio::test]
async fn an_upload_of_exactly_the_size_limit_is_stored_and_one_byte_more_is_refused() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let sized = |bytes: usize| {
        let mut body = capture_body("k1");
        body["snapshot"]["html"] = json!("");
        let bare = body.to_string().len();
        body["snapshot"]["html"] = json!("x".repeat(bytes - bare));
        let text = body.to_string().into_bytes();
        assert_eq!(text.len(), bytes);
        text
    };

    let response = app
        .capture_raw(&generator.org_id, Some(SITE), sized(MAX_CAPTURE_BYTES + 1))
        .await;
    error_message(response, 413, "PAYLOAD_TOO_LARGE").await;
    app.assert_nothing_stored().await;

    let response = app
        .capture_raw(&generator.org_id, Some(SITE), sized(MAX_CAPTURE_BYTES))
        .await;
    assert!(ok_data(response).await["cdrId"].is_string());
}
