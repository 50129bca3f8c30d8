//! Session packages and the consent facts the server derives, read back through the API.

use serde_json::{json, Value};

use crate::helpers::{capture_body, error_message, ok_data, TestApp};

/// A capture of `session` joining `groups`, with a page that has one disclosure, its
/// checkbox in `checked` state, and a trusted press of the tagged submit button.
fn step(key: &str, session: &str, groups: &[&str], checked: bool) -> Value {
    let mut body = capture_body(key);
    body["packageId"] = json!(session);
    body["subGroupIds"] = json!(groups);
    body["autoShare"] = json!({});
    let checked_attr = if checked { " checked" } else { "" };
    body["snapshot"]["html"] = json!(format!(
        r#"<!DOCTYPE html><html><body><form>
           <input type="checkbox" data-ec-consent-checkbox data-ec-consent-for="tcpa"{checked_attr}>
           <p data-ec-disclosure="tcpa">I agree to be called.</p>
           <button data-ec-submit>Submit</button></form></body></html>"#
    ));
    body["trigger"] = json!({ "tagName": "button", "eventType": "click",
                              "selector": "html > body > form > button",
                              "isTrusted": true, "isTaggedSubmit": true });
    body
}

#[tokio::test]
async fn a_package_lists_the_sessions_cdrs_each_org_can_see_in_time_order() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let buyer = app.buyer().await;
    let mut steps = Vec::new();
    for (i, groups) in [&["buyer-a"][..], &["buyer-b"], &["buyer-a", "buyer-b"]]
        .iter()
        .enumerate()
    {
        let data = app
            .captured(
                &generator.org_id,
                &step(&format!("k{i}"), "pkg_tab1", groups, true),
            )
            .await;
        steps.push(data);
    }
    app.captured(&generator.org_id, &step("other", "pkg_tab2", &[], true))
        .await;
    // The buyer receives the first and the last step only.
    for data in [&steps[0], &steps[2]] {
        app.claimed(&buyer.api_key, data["shareUrl"].as_str().unwrap(), None)
            .await;
    }

    let ids = |data: &Value| -> Vec<String> {
        data["cdrs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["cdrId"].as_str().unwrap().to_owned())
            .collect()
    };
    let step_id = |i: usize| steps[i]["cdrId"].as_str().unwrap().to_owned();

    let owner_view = app
        .get_data(&generator.api_key, "/v1/packages/pkg_tab1")
        .await;
    assert_eq!(ids(&owner_view), [step_id(0), step_id(1), step_id(2)]);
    assert_eq!(owner_view["cdrs"][0]["offsetMs"], 0);
    assert!(owner_view["cdrs"][2]["offsetMs"].as_i64().unwrap() >= 0);

    let buyer_view = app.get_data(&buyer.api_key, "/v1/packages/pkg_tab1").await;
    assert_eq!(ids(&buyer_view), [step_id(0), step_id(2)]);
    assert_eq!(buyer_view["cdrs"][0]["access"], "free");

    let group_b = steps[1]["packageData"]["subGroupIdMap"]["buyer-b"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        steps[2]["packageData"]["subGroupIdMap"]["buyer-b"],
        group_b.as_str()
    );
    let group_view = app
        .get_data(&generator.api_key, &format!("/v1/packages/{group_b}"))
        .await;
    assert_eq!(ids(&group_view), [step_id(1), step_id(2)]);
}

#[tokio::test]
async fn a_package_an_org_has_no_cdr_of_is_not_found() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let stranger = app.buyer().await;
    app.captured(&generator.org_id, &step("k", "pkg_tab1", &[], true))
        .await;

    for path in ["/v1/packages/pkg_tab1", "/v1/packages/pkg_nothing"] {
        let response = app.get(&stranger.api_key, path).await;
        error_message(response, 404, "NOT_FOUND").await;
    }
    // No package id can hold NUL (ingest refuses it); PostgreSQL text could not either.
    let response = app
        .get(&generator.api_key, "/v1/packages/pkg_tab1%00")
        .await;
    error_message(response, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn the_cdr_reports_the_consent_mechanism_derived_from_the_captured_dom() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let ticked = app
        .captured(&generator.org_id, &step("ticked", "pkg_t", &[], true))
        .await;
    let unticked = app
        .captured(&generator.org_id, &step("unticked", "pkg_t", &[], false))
        .await;
    let mut scripted = step("scripted", "pkg_t", &[], true);
    scripted["trigger"]["isTrusted"] = json!(false);
    let scripted = app.captured(&generator.org_id, &scripted).await;

    for (capture, expected) in [
        (ticked, "checkbox"),
        (unticked, "unchecked"),
        (scripted, "not_detected"),
    ] {
        let path = format!("/v1/cdrs/{}", capture["cdrId"].as_str().unwrap());
        let data = ok_data(app.get(&generator.api_key, &path).await).await;
        assert_eq!(data["disclosures"][0]["id"], "tcpa");
        assert_eq!(data["disclosures"][0]["text"], "I agree to be called.");
        assert_eq!(
            data["disclosures"][0]["consentMechanism"], expected,
            "{path}"
        );
    }
}
