//! Every capture limit of SPEC §2, at its edge: the largest accepted value is stored, one
//! more is refused in the envelope and stores nothing.

use expressconsent_protocol::{
    MAX_CAPTURE_BYTES, MAX_CONSENT_CHECKBOXES, MAX_CUSTOM_BYTES, MAX_DISCLOSURES,
    MAX_DISCLOSURE_CHARS, MAX_TELEMETRY_FIELDS, MAX_TEXT_CHARS, MAX_URL_CHARS,
};
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

/// A capture with one value set by `patch` to a size of `n`.
type Sized = fn(&mut Value, usize);

/// For each field: the value at its limit is stored, one more is refused naming the field
/// and the limit, and nothing of the refused capture is stored.
async fn edge_of(field: &str, max: usize, patch: Sized) {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let with = |n: usize| {
        let mut body = capture_body("k1");
        patch(&mut body, n);
        body
    };

    let response = app.capture(&generator.org_id, SITE, &with(max + 1)).await;
    let message = error_message(response, 400, "INVALID_ARGUMENT").await;
    assert!(message.contains(field), "{field}: {message}");
    assert!(message.contains(&max.to_string()), "{field}: {message}");
    app.assert_nothing_stored().await;

    let response = app.capture(&generator.org_id, SITE, &with(max)).await;
    assert!(ok_data(response).await["cdrId"].is_string(), "{field}");
}

#[tokio::test]
async fn a_page_url_or_referrer_of_8192_characters_is_stored_and_one_more_is_refused() {
    edge_of("page.url", MAX_URL_CHARS, |b, n| {
        b["page"]["url"] = json!(format!("https://example.com/{}", "é".repeat(n - 20)))
    })
    .await;
    edge_of("page.referrer", MAX_URL_CHARS, |b, n| {
        b["page"]["referrer"] = json!("r".repeat(n))
    })
    .await;
}

#[tokio::test]
async fn a_title_user_agent_or_selector_of_1024_characters_is_stored_and_one_more_is_refused() {
    edge_of("page.title", MAX_TEXT_CHARS, |b, n| {
        b["page"]["title"] = json!("😀".repeat(n))
    })
    .await;
    edge_of("page.userAgent", MAX_TEXT_CHARS, |b, n| {
        b["page"]["userAgent"] = json!("u".repeat(n))
    })
    .await;
    edge_of("trigger.selector", MAX_TEXT_CHARS, |b, n| {
        b["trigger"] = json!({ "tagName": "button", "selector": "b".repeat(n) })
    })
    .await;
}

#[tokio::test]
async fn fifty_disclosures_and_checkboxes_are_stored_and_one_more_is_refused() {
    edge_of("disclosures", MAX_DISCLOSURES, |b, n| {
        let one = b["disclosures"][0].clone();
        b["disclosures"] = json!(vec![one; n])
    })
    .await;
    edge_of("consentCheckboxes", MAX_CONSENT_CHECKBOXES, |b, n| {
        b["consentCheckboxes"] = json!(vec![json!({ "checked": true }); n])
    })
    .await;
}

#[tokio::test]
async fn five_hundred_telemetry_fields_are_stored_and_one_more_is_refused() {
    edge_of("telemetry.fields", MAX_TELEMETRY_FIELDS, |b, n| {
        let fields: serde_json::Map<String, Value> = (0..n)
            .map(|i| (format!("field{i}"), json!({ "fillMethod": "typed" })))
            .collect();
        b["telemetry"] = json!({ "fields": fields })
    })
    .await;
}

#[tokio::test]
async fn a_user_agent_header_over_its_limit_is_shortened_not_refused() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let long = "Mozilla/5.0 ".repeat(200);

    let response = app
        .client
        .post(format!("{}/v1/captures", app.base))
        .query(&[("cid", generator.org_id.as_str())])
        .header("origin", SITE)
        .header("user-agent", &long)
        .body(capture_body("k1").to_string())
        .send()
        .await
        .unwrap();

    let data = ok_data(response).await;
    let stored: String = sqlx::query_scalar("SELECT user_agent FROM cdrs WHERE id = $1")
        .bind(data["cdrId"].as_str().unwrap())
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(stored.chars().count(), MAX_TEXT_CHARS);
    assert!(stored.ends_with('…'), "{stored}");
    assert!(long.starts_with(stored.trim_end_matches('…')));
}

#[tokio::test]
async fn the_openapi_document_states_every_capture_limit_the_server_enforces() {
    use expressconsent_protocol::{
        MAX_CODE_CHARS, MAX_ELEMENT_SCROLLS, MAX_FIELD_NAME_CHARS, MAX_KEY_CHARS,
        MAX_SUB_GROUP_IDS, MAX_TAG_CHARS, MAX_WARNINGS,
    };
    let app = TestApp::start().await;
    let doc: Value = app
        .client
        .get(format!("{}/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    let cases = [
        (
            "CaptureRequest",
            "idempotencyKey",
            "maxLength",
            MAX_KEY_CHARS,
        ),
        ("CaptureRequest", "packageId", "maxLength", MAX_KEY_CHARS),
        (
            "CaptureRequest",
            "subGroupIds",
            "maxItems",
            MAX_SUB_GROUP_IDS,
        ),
        ("CaptureRequest", "disclosures", "maxItems", MAX_DISCLOSURES),
        (
            "CaptureRequest",
            "consentCheckboxes",
            "maxItems",
            MAX_CONSENT_CHECKBOXES,
        ),
        (
            "CaptureRequest",
            "highlightTarget",
            "maxLength",
            MAX_TAG_CHARS,
        ),
        ("CaptureRequest", "sdkVersion", "maxLength", MAX_CODE_CHARS),
        ("PageInfo", "url", "maxLength", MAX_URL_CHARS),
        ("PageInfo", "referrer", "maxLength", MAX_URL_CHARS),
        ("PageInfo", "title", "maxLength", MAX_TEXT_CHARS),
        ("PageInfo", "userAgent", "maxLength", MAX_TEXT_CHARS),
        ("PageInfo", "language", "maxLength", MAX_CODE_CHARS),
        ("PageInfo", "timeZone", "maxLength", MAX_CODE_CHARS),
        ("Snapshot", "warnings", "maxItems", MAX_WARNINGS),
        (
            "Snapshot",
            "elementScrolls",
            "maxItems",
            MAX_ELEMENT_SCROLLS,
        ),
        ("Disclosure", "id", "maxLength", MAX_TAG_CHARS),
        ("Disclosure", "text", "maxLength", MAX_DISCLOSURE_CHARS),
        ("ConsentCheckbox", "consentFor", "maxLength", MAX_TAG_CHARS),
        ("Trigger", "tagName", "maxLength", MAX_CODE_CHARS),
        ("Trigger", "text", "maxLength", MAX_TEXT_CHARS),
        ("Trigger", "selector", "maxLength", MAX_TEXT_CHARS),
        ("Trigger", "eventType", "maxLength", MAX_CODE_CHARS),
        ("Telemetry", "fields", "maxProperties", MAX_TELEMETRY_FIELDS),
    ];
    for (schema, property, keyword, limit) in cases {
        let stated = &schemas[schema]["properties"][property][keyword];
        assert_eq!(stated, &json!(limit), "{schema}.{property} {keyword}");
    }
    let fields = &schemas["Telemetry"]["properties"]["fields"];
    assert_eq!(
        fields["propertyNames"]["maxLength"],
        json!(MAX_FIELD_NAME_CHARS)
    );
    let fill_method = &fields["additionalProperties"]["properties"]["fillMethod"];
    assert_eq!(fill_method["maxLength"], json!(MAX_CODE_CHARS));
}
