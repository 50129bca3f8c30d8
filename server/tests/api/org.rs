//! `GET/PATCH /v1/org` and `GET/POST /v1/domains`: an org's own settings.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{capture_body, error_message, ok_data, TestApp};

#[tokio::test]
async fn an_org_reads_its_settings() {
    let app = TestApp::start().await;
    let generator = app.create_org(&["example.com", "localhost"], false).await;

    let data = app.get_data(&generator.api_key, "/v1/org").await;

    assert_eq!(data["orgId"], generator.org_id.as_str());
    assert_eq!(data["name"], "Test Org");
    assert_eq!(data["autoCollect"], false);
    assert_eq!(data["domains"], json!(["example.com", "localhost"]));
    assert!(data["createdAt"].as_i64().unwrap() > 1_600_000_000_000);
}

#[tokio::test]
async fn turning_auto_collect_off_lets_later_captures_sit_unpaid() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let before = app.captured(&generator.org_id, &capture_body("k1")).await;

    let patch = Some(json!({ "autoCollect": false }));
    let response = app
        .call(Method::PATCH, Some(&generator.api_key), "/v1/org", patch)
        .await;
    let after = app.captured(&generator.org_id, &capture_body("k2")).await;

    assert_eq!(ok_data(response).await["autoCollect"], false);
    let before_id = before["cdrId"].as_str().unwrap();
    let after_id = after["cdrId"].as_str().unwrap();
    assert_eq!(
        app.relation(&generator.org_id, before_id).await.as_deref(),
        Some("paid")
    );
    assert_eq!(
        app.relation(&generator.org_id, after_id).await.as_deref(),
        Some("unpaid")
    );
    assert_eq!(app.billed(&generator.org_id).await, 1);
}

#[tokio::test]
async fn a_patch_with_an_unknown_field_or_a_wrong_type_changes_nothing() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    for body in [
        json!({ "name": "Renamed" }),
        json!({ "autoCollect": "no" }),
        json!({ "webhookUrl": 42 }),
        // A bad webhook URL refuses the whole patch: autoCollect stays on.
        json!({ "autoCollect": false, "webhookUrl": "ftp://hooks.example.com" }),
    ] {
        let response = app
            .call(
                Method::PATCH,
                Some(&generator.api_key),
                "/v1/org",
                Some(body.clone()),
            )
            .await;
        error_message(response, 400, "INVALID_ARGUMENT").await;
    }

    let data = app.get_data(&generator.api_key, "/v1/org").await;
    assert_eq!(data["autoCollect"], true);
    assert_eq!(data["name"], "Test Org");
    assert_eq!(data["webhookUrl"], serde_json::Value::Null);
}

#[tokio::test]
async fn registering_a_domain_lets_its_pages_upload_and_is_idempotent() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let new_site = "https://shop.leads.example";
    let refused = app
        .capture(&generator.org_id, new_site, &capture_body("k1"))
        .await;
    error_message(refused, 403, "FORBIDDEN").await;

    let body = Some(json!({ "domain": "Leads.Example" }));
    let first = ok_data(
        app.post(&generator.api_key, "/v1/domains", body.clone())
            .await,
    )
    .await;
    let again = ok_data(app.post(&generator.api_key, "/v1/domains", body).await).await;
    let listed = app.get_data(&generator.api_key, "/v1/domains").await;
    let accepted = app
        .capture(&generator.org_id, new_site, &capture_body("k1"))
        .await;

    assert_eq!(first["domainId"], "leads.example");
    assert_eq!(again, first, "the first registration, unchanged");
    let domains: Vec<&str> = listed["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["domainId"].as_str().unwrap())
        .collect();
    assert_eq!(domains, ["example.com", "leads.example"]);
    assert!(listed["domains"][0]["createdAt"].is_i64());
    let data = ok_data(accepted).await;
    let details = app
        .get_data(
            &generator.api_key,
            &format!("/v1/cdrs/{}", data["cdrId"].as_str().unwrap()),
        )
        .await;
    assert_eq!(details["domainId"], "leads.example");
}

#[tokio::test]
async fn a_domain_that_is_not_a_host_is_an_invalid_argument() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    for body in [
        json!({ "domain": "https://example.org" }),
        json!({ "domain": "example.org:8080" }),
        json!({ "domain": "" }),
        json!({ "domain": 7 }),
        json!({}),
        json!({ "domain": "example.org", "extra": 1 }),
    ] {
        let response = app
            .post(&generator.api_key, "/v1/domains", Some(body))
            .await;
        error_message(response, 400, "INVALID_ARGUMENT").await;
    }
    let listed = app.get_data(&generator.api_key, "/v1/domains").await;
    assert_eq!(listed["domains"].as_array().unwrap().len(), 1);
}
