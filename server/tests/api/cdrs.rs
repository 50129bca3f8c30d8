//! Reading a CDR: its metadata for any relation, its snapshot for orgs with access, and
//! the renderings when rendering is off.

use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::helpers::{capture_body, error_message, ok_data, TestApp, SITE};

#[tokio::test]
async fn the_owner_reads_a_cdrs_metadata_disclosures_and_its_own_access() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let body = capture_body("k1");
    let sent = body.to_string();
    let response = app
        .client
        .post(format!("{}/v1/captures", app.base))
        .query(&[("cid", &generator.org_id)])
        .header("origin", SITE)
        .header("user-agent", "LeadForm/1.0")
        .body(sent.clone())
        .send()
        .await
        .unwrap();
    let cdr_id = ok_data(response).await["cdrId"]
        .as_str()
        .unwrap()
        .to_owned();

    let data = app
        .get_data(&generator.api_key, &format!("/v1/cdrs/{cdr_id}"))
        .await;

    assert_eq!(data["cdrId"], cdr_id.as_str());
    assert_eq!(data["orgId"], generator.org_id.as_str());
    assert_eq!(data["domainId"], "example.com");
    assert_eq!(data["packageId"], "pkg_session1");
    assert!(data["createdAt"].as_i64().unwrap() > 1_600_000_000_000);
    assert_eq!(data["pageUrl"], "https://example.com/form");
    assert_eq!(data["custom"], json!({ "leadId": "L-1" }));
    assert_eq!(
        data["contentSha256"],
        hex::encode(Sha256::digest(sent.as_bytes()))
    );
    assert_eq!(data["sizeBytes"], sent.len());
    assert_eq!(data["receivedIp"], "127.0.0.1");
    assert_eq!(data["userAgent"], "LeadForm/1.0");
    assert_eq!(data["disclosures"][0]["id"], "tcpa");
    assert_eq!(data["disclosures"][0]["text"], "I agree to be called.");
    assert_eq!(data["disclosures"][0]["inViewport"], true);
    assert_eq!(
        data["disclosures"][0]["consentMechanism"], "not_detected",
        "a capture without a trusted trigger proves no consent, whatever the client says"
    );
    assert_eq!(data["consentCheckboxes"][0]["checked"], true);
    assert_eq!(data["access"], "paid");
    assert_eq!(data["isOwner"], true);
    assert_eq!(data["canDownload"], true);
}

#[tokio::test]
async fn a_saved_recipient_sees_the_metadata_but_cannot_download() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;
    app.claimed(
        &buyer.api_key,
        &share_url,
        Some(json!({ "collect": false })),
    )
    .await;

    let buyer_view = app
        .get_data(&buyer.api_key, &format!("/v1/cdrs/{cdr_id}"))
        .await;
    let owner_view = app
        .get_data(&generator.api_key, &format!("/v1/cdrs/{cdr_id}"))
        .await;

    assert_eq!(buyer_view["access"], "saved");
    assert_eq!(buyer_view["isOwner"], false);
    assert_eq!(buyer_view["canDownload"], false);
    assert_eq!(buyer_view["orgId"], generator.org_id.as_str());
    assert_eq!(owner_view["access"], "unpaid");
    assert_eq!(owner_view["isOwner"], true);
    assert_eq!(owner_view["canDownload"], false);
}

#[tokio::test]
async fn the_snapshot_is_the_captured_html_served_so_that_no_script_can_run() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let mut body = capture_body("k1");
    let html = "<!DOCTYPE html><html><body><p>consent</p><img src=\"https://cdn.example.com/a.png\"></body></html>";
    body["snapshot"]["html"] = json!(html);
    let cdr_id = app.captured(&generator.org_id, &body).await["cdrId"]
        .as_str()
        .unwrap()
        .to_owned();

    let response = app
        .get(&generator.api_key, &format!("/v1/cdrs/{cdr_id}/snapshot"))
        .await;

    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "text/html; charset=utf-8");
    assert_eq!(
        header("content-security-policy"),
        "sandbox; default-src 'none'; img-src * data:; style-src * 'unsafe-inline'; \
         font-src * data:"
    );
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("x-request-id").starts_with("req_"));
    assert_eq!(response.text().await.unwrap(), html);
}

#[tokio::test]
async fn with_rendering_off_the_image_and_the_report_say_so() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let (cdr_id, _) = app.shared_capture(&generator.org_id).await;

    for what in ["image", "report"] {
        let response = app
            .get(&generator.api_key, &format!("/v1/cdrs/{cdr_id}/{what}"))
            .await;
        let message = error_message(response, 412, "FAILED_PRECONDITION").await;
        assert!(
            message.contains("rendering is off on this server (EC_RENDER=off)"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn an_unknown_or_malformed_cdr_id_is_not_found_on_every_cdr_endpoint() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    app.shared_capture(&generator.org_id).await;

    for id in ["cdr_aaaaaaaaaaaaaaaaaaaaaaaa", "nonsense", "cdr_"] {
        for path in ["", "/snapshot", "/image", "/report"] {
            let response = app
                .get(&generator.api_key, &format!("/v1/cdrs/{id}{path}"))
                .await;
            error_message(response, 404, "NOT_FOUND").await;
        }
        for path in ["/share", "/collect"] {
            let response = app
                .post(&generator.api_key, &format!("/v1/cdrs/{id}{path}"), None)
                .await;
            error_message(response, 404, "NOT_FOUND").await;
        }
    }
}

#[tokio::test]
async fn a_stranger_gets_the_same_answer_for_an_existing_cdr_as_for_none() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let stranger = app.buyer().await;
    let (cdr_id, _) = app.shared_capture(&generator.org_id).await;
    let missing = "cdr_aaaaaaaaaaaaaaaaaaaaaaaa";

    let existing = app
        .get(&stranger.api_key, &format!("/v1/cdrs/{cdr_id}"))
        .await;
    let absent = app
        .get(&stranger.api_key, &format!("/v1/cdrs/{missing}"))
        .await;

    let existing = error_message(existing, 404, "NOT_FOUND").await;
    let absent = error_message(absent, 404, "NOT_FOUND").await;
    assert_eq!(
        existing.replace(&cdr_id, "ID"),
        absent.replace(missing, "ID")
    );
}

#[tokio::test]
async fn evidence_with_a_whole_number_written_with_a_fraction_reads_back() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let mut body = capture_body("k1");
    // JSON Schema's integers include 3.0, so ingest accepts it; reading the stored
    // evidence back must too.
    body["telemetry"]["fields"] = json!({ "email": { "fillMethod": "typed", "keystrokes": 3.0 } });
    let cdr_id = app.captured(&generator.org_id, &body).await["cdrId"]
        .as_str()
        .unwrap()
        .to_owned();

    for path in ["", "/snapshot"] {
        let response = app
            .get(&generator.api_key, &format!("/v1/cdrs/{cdr_id}{path}"))
            .await;
        assert_eq!(response.status(), 200, "GET /v1/cdrs/:id{path}");
    }
}
