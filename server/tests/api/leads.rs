//! Lead matching: `POST /v1/cdrs/search` and `POST /v1/cdrs/{cdrId}/match` find and check
//! CDRs by the consumer's email and phone, stored only as keyed fingerprints.

use serde_json::{json, Value};

use crate::helpers::{auto_share_body, error_message, ok_data, TestApp, SITE};

/// A lead form with the consent tags, an email field and a phone field holding these
/// values (`None`: the field is there but the SDK recorded no value, as for a masked one).
fn lead_form(email: Option<&str>, phone: Option<&str>) -> String {
    let value = |v: Option<&str>| v.map(|v| format!(r#" value="{v}""#)).unwrap_or_default();
    format!(
        r#"<!DOCTYPE html><html><body><form>
<input type="text" name="name" value="Jane Doe">
<input type="email" name="email"{}>
<input type="text" autocomplete="tel-national" name="phone"{}>
<input type="checkbox" checked data-ec-consent-checkbox data-ec-consent-for="tcpa">
<p data-ec-disclosure="tcpa">I agree to be called.</p>
<button data-ec-submit>Submit</button></form></body></html>"#,
        value(email),
        value(phone)
    )
}

/// Captures a lead form for `cid` with a share link; returns (cdrId, shareUrl).
async fn capture_lead(
    app: &TestApp,
    cid: &str,
    key: &str,
    email: Option<&str>,
    phone: Option<&str>,
) -> (String, String) {
    let mut body = auto_share_body(key, None);
    body["snapshot"]["html"] = json!(lead_form(email, phone));
    // Submitted by a trusted press of the tagged button: consent by checkbox.
    body["trigger"] = json!({ "tagName": "button", "eventType": "click",
        "selector": "html > body > form > button", "isTrusted": true, "isTaggedSubmit": true });
    let data = ok_data(app.capture(cid, SITE, &body).await).await;
    (
        data["cdrId"].as_str().unwrap().to_owned(),
        data["shareUrl"].as_str().unwrap().to_owned(),
    )
}

/// `POST /v1/cdrs/search`; the ids found.
async fn search(app: &TestApp, api_key: &str, body: Value) -> Vec<String> {
    let data = ok_data(app.post(api_key, "/v1/cdrs/search", Some(body)).await).await;
    data["cdrs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cdrId"].as_str().unwrap().to_owned())
        .collect()
}

/// `POST /v1/cdrs/{cdrId}/match`.
async fn match_lead(app: &TestApp, api_key: &str, cdr_id: &str, body: Value) -> reqwest::Response {
    app.post(api_key, &format!("/v1/cdrs/{cdr_id}/match"), Some(body))
        .await
}

#[tokio::test]
async fn a_buyer_finds_a_received_cdr_by_the_phone_or_email_however_it_is_written() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let buyer = app.buyer().await;
    let (cdr, url) = capture_lead(
        &app,
        &generator.org_id,
        "k1",
        Some("Jane.Doe@Example.com"),
        Some("(201) 555-0123"),
    )
    .await;
    capture_lead(
        &app,
        &generator.org_id,
        "k2",
        Some("john@example.com"),
        Some("201-555-0199"),
    )
    .await;
    app.claimed(&buyer.api_key, &url, Some(json!({ "collect": false })))
        .await;

    for body in [
        json!({ "phone": "+1 201 555 0123" }),
        json!({ "phone": "2015550123" }),
        json!({ "phone": "201.555.0123" }),
        json!({ "email": "  jane.doe@EXAMPLE.com " }),
        json!({ "email": "jane.doe@example.com", "phone": "+12015550123" }),
        json!({ "email": "nobody@example.com", "phone": "+12015550123" }),
    ] {
        assert_eq!(
            search(&app, &buyer.api_key, body.clone()).await,
            [cdr.as_str()],
            "{body}"
        );
    }
    let data = ok_data(
        app.post(
            &buyer.api_key,
            "/v1/cdrs/search",
            Some(json!({ "phone": "2015550123" })),
        )
        .await,
    )
    .await;
    let row = &data["cdrs"][0];
    assert_eq!(row["relation"], "free", "a paying generator's share");
    assert_eq!(row["isOwner"], false);
    assert_eq!(row["consentMechanisms"], json!(["checkbox"]));
    assert!(
        search(&app, &buyer.api_key, json!({ "phone": "201 555 0124" }))
            .await
            .is_empty()
    );
    assert!(search(
        &app,
        &buyer.api_key,
        json!({ "email": "jane.doe@example.org" })
    )
    .await
    .is_empty());
    // The generator finds both of its own.
    assert_eq!(
        search(
            &app,
            &generator.api_key,
            json!({ "email": "JOHN@example.com" })
        )
        .await
        .len(),
        1
    );
}

#[tokio::test]
async fn another_org_never_finds_or_matches_a_cdr_it_has_no_relation_to() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let stranger = app.create_org(&["example.com"], true).await;
    let (cdr, _) = capture_lead(
        &app,
        &generator.org_id,
        "k1",
        Some("jane@example.com"),
        Some("2015550123"),
    )
    .await;

    let found = search(
        &app,
        &stranger.api_key,
        json!({ "email": "jane@example.com", "phone": "2015550123" }),
    )
    .await;
    let matched = match_lead(
        &app,
        &stranger.api_key,
        &cdr,
        json!({ "email": "jane@example.com" }),
    )
    .await;
    let unknown = match_lead(
        &app,
        &stranger.api_key,
        "cdr_doesnotexist",
        json!({ "email": "jane@example.com" }),
    )
    .await;

    assert!(found.is_empty());
    let message = error_message(matched, 404, "NOT_FOUND").await;
    error_message(unknown, 404, "NOT_FOUND").await;
    assert!(!message.contains("jane"), "{message}");
}

#[tokio::test]
async fn match_answers_true_false_or_null_for_each_kind_to_any_relation() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (cdr, url) = capture_lead(
        &app,
        &generator.org_id,
        "k1",
        Some("jane@example.com"),
        None,
    )
    .await;
    app.claimed(&buyer.api_key, &url, Some(json!({ "collect": false })))
        .await;

    for (body, expected) in [
        (
            json!({ "email": "JANE@example.com" }),
            json!({ "email": true, "phone": null }),
        ),
        (
            json!({ "email": "john@example.com" }),
            json!({ "email": false, "phone": null }),
        ),
        (
            json!({ "email": "jane@example.com", "phone": "2015550123" }),
            json!({ "email": true, "phone": null }),
        ),
        (
            json!({ "phone": "2015550123" }),
            json!({ "email": null, "phone": null }),
        ),
    ] {
        // The saved buyer (it has not paid) and the unpaid owner both may check.
        for key in [&buyer.api_key, &generator.api_key] {
            let data = ok_data(match_lead(&app, key, &cdr, body.clone()).await).await;
            assert_eq!(data, expected, "{body}");
        }
    }
    let (with_phone, _) = capture_lead(
        &app,
        &generator.org_id,
        "k2",
        None,
        Some("+1 (201) 555-0123"),
    )
    .await;
    let both = ok_data(
        match_lead(
            &app,
            &generator.api_key,
            &with_phone,
            json!({ "email": "jane@example.com", "phone": "201-555-0123" }),
        )
        .await,
    )
    .await;
    assert_eq!(both, json!({ "email": null, "phone": true }));
    let wrong = ok_data(
        match_lead(
            &app,
            &generator.api_key,
            &with_phone,
            json!({ "phone": "201-555-0124" }),
        )
        .await,
    )
    .await;
    assert_eq!(wrong, json!({ "email": null, "phone": false }));
}

#[tokio::test]
async fn only_keyed_fingerprints_are_stored_and_they_still_match_after_a_restart() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let (cdr, _) = capture_lead(
        &app,
        &generator.org_id,
        "k1",
        Some("jane@example.com"),
        Some("2015550123"),
    )
    .await;

    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, fingerprint FROM cdr_leads WHERE cdr_id = $1 ORDER BY kind")
            .bind(&cdr)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].0, "email");
    assert_eq!(rows[1].0, "phone");
    for (_, fingerprint) in &rows {
        assert_eq!(fingerprint.len(), 64);
        assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(!fingerprint.contains("2015550123") && !fingerprint.contains("jane"));
    }
    let key_file = app.data_dir().join("match.key");
    assert!(
        key_file.exists(),
        "the key lives in the data folder, not the database"
    );

    let app = app.restart().await;
    assert_eq!(
        search(&app, &generator.api_key, json!({ "phone": "+12015550123" })).await,
        [cdr]
    );
}

#[tokio::test]
async fn a_field_without_a_recorded_value_cannot_be_found() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    // As the SDK leaves a masked field: there, but with no value.
    let (cdr, _) = capture_lead(&app, &generator.org_id, "k1", None, None).await;

    let data = ok_data(
        match_lead(
            &app,
            &generator.api_key,
            &cdr,
            json!({ "email": "jane@example.com", "phone": "2015550123" }),
        )
        .await,
    )
    .await;

    assert_eq!(data, json!({ "email": null, "phone": null }));
    assert_eq!(app.count("cdr_leads").await, 0);
}

#[tokio::test]
async fn search_results_are_paged_newest_first_without_duplicates() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let mut all = Vec::new();
    for i in 0..5 {
        let (cdr, _) = capture_lead(
            &app,
            &generator.org_id,
            &format!("k{i}"),
            Some("jane@example.com"),
            Some("2015550123"),
        )
        .await;
        all.push(cdr);
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let mut body = json!({ "email": "jane@example.com", "phone": "2015550123", "pageSize": 2 });
        if let Some(t) = &token {
            body["pageToken"] = json!(t);
        }
        let data = ok_data(
            app.post(&generator.api_key, "/v1/cdrs/search", Some(body))
                .await,
        )
        .await;
        let rows = data["cdrs"].as_array().unwrap();
        assert!(rows.len() <= 2);
        seen.extend(rows.iter().map(|r| {
            (
                r["createdAt"].as_i64().unwrap(),
                r["cdrId"].as_str().unwrap().to_owned(),
            )
        }));
        match data["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "each CDR once though both values match it");
    let mut newest_first = seen.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, newest_first);
    let mut sorted_seen: Vec<String> = seen.into_iter().map(|(_, id)| id).collect();
    sorted_seen.sort();
    let mut sorted_all = all.clone();
    sorted_all.sort();
    assert_eq!(sorted_seen, sorted_all);
}

#[tokio::test]
async fn bad_values_and_bodies_are_refused_with_a_clear_message() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let (cdr, _) = capture_lead(
        &app,
        &generator.org_id,
        "k1",
        Some("jane@example.com"),
        None,
    )
    .await;
    let key = &generator.api_key;
    let match_path = format!("/v1/cdrs/{cdr}/match");

    for path in ["/v1/cdrs/search", match_path.as_str()] {
        for (body, names) in [
            (json!({}), "email, phone"),
            (json!({ "email": "jane" }), "email"),
            (json!({ "email": "Jane <jane@example.com>" }), "email"),
            (json!({ "phone": "12" }), "phone"),
            (json!({ "phone": "call me maybe" }), "phone"),
            (json!({ "phone": "9".repeat(100) }), "phone"),
            (
                json!({ "email": "jane@example.com", "phone": "+999 1" }),
                "phone",
            ),
            (json!({ "emial": "jane@example.com" }), "emial"),
            (json!({ "email": 7 }), "expected a string"),
        ] {
            let response = app.post(key, path, Some(body.clone())).await;
            let message = error_message(response, 400, "INVALID_ARGUMENT").await;
            assert!(message.contains(names), "{path} {body}: {message}");
        }
    }
    let page = app
        .post(
            key,
            "/v1/cdrs/search",
            Some(json!({ "email": "jane@example.com", "pageSize": 101 })),
        )
        .await;
    error_message(page, 400, "INVALID_ARGUMENT").await;
    let token = app
        .post(
            key,
            "/v1/cdrs/search",
            Some(json!({ "email": "jane@example.com", "pageToken": "nope" })),
        )
        .await;
    error_message(token, 400, "INVALID_ARGUMENT").await;
    let no_body = app.post(key, "/v1/cdrs/search", None).await;
    error_message(no_body, 400, "INVALID_ARGUMENT").await;
    let anonymous = app
        .call(
            reqwest::Method::POST,
            None,
            "/v1/cdrs/search",
            Some(json!({ "email": "jane@example.com" })),
        )
        .await;
    error_message(anonymous, 401, "UNAUTHENTICATED").await;
}
