//! The envelope on unknown routes, CORS of captures, the SDK files and the demo page.

use crate::helpers::{error_message, TestApp, SITE};

#[tokio::test]
async fn an_unknown_route_answers_a_not_found_envelope() {
    let app = TestApp::start().await;

    let response = app
        .client
        .get(format!("{}/v1/nothing-here", app.base))
        .send()
        .await
        .unwrap();

    error_message(response, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn a_wrong_method_answers_a_method_not_allowed_envelope() {
    let app = TestApp::start().await;

    let response = app
        .client
        .get(format!("{}/v1/captures", app.base))
        .send()
        .await
        .unwrap();

    error_message(response, 405, "METHOD_NOT_ALLOWED").await;
}

/// A CORS preflight for a capture from `origin`.
async fn preflight(app: &TestApp, cid: &str, origin: &str) -> reqwest::Response {
    app.client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/captures?cid={cid}", app.base),
        )
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,content-encoding",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_preflight_from_a_registered_origin_is_allowed() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let response = preflight(&app, &generator.org_id, SITE).await;

    assert!(response.status().is_success());
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], SITE);
    assert!(headers["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    assert!(headers["vary"].to_str().unwrap().contains("origin"));
}

#[tokio::test]
async fn a_preflight_from_an_unregistered_origin_gets_no_allow_origin() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let unregistered = preflight(&app, &generator.org_id, "https://evil-example.com").await;
    let unknown_cid = preflight(&app, "cid_unknown", SITE).await;

    assert!(!unregistered
        .headers()
        .contains_key("access-control-allow-origin"));
    assert!(!unknown_cid
        .headers()
        .contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn a_capture_response_to_a_registered_origin_carries_allow_origin() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let response = app
        .capture(&generator.org_id, SITE, &crate::helpers::capture_body("k1"))
        .await;

    assert_eq!(response.headers()["access-control-allow-origin"], SITE);
}

/// A server whose SDK folder holds just `files`; the folder lives as long as the guard.
async fn serving_sdk_files(files: &[(&str, &[u8])]) -> (tempfile::TempDir, TestApp) {
    let sdk_dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(sdk_dir.path().join(name), bytes).unwrap();
    }
    let app = TestApp::start_with(|config| config.sdk_dir = sdk_dir.path().to_owned()).await;
    (sdk_dir, app)
}

#[tokio::test]
async fn sdk_files_are_public_with_the_right_type() {
    let (_sdk_dir, app) = serving_sdk_files(&[
        ("sdk.js", b"export {};"),
        ("expressconsent_sdk_bg.wasm", b"\0asm"),
    ])
    .await;

    let get = |file: &str| app.client.get(format!("{}/sdk/v1/{file}", app.base)).send();
    let js = get("sdk.js").await.unwrap();
    let wasm = get("expressconsent_sdk_bg.wasm").await.unwrap();
    let missing = get("nope.js").await.unwrap();

    assert_eq!(js.headers()["content-type"], "text/javascript");
    assert_eq!(js.headers()["access-control-allow-origin"], "*");
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.headers()["access-control-allow-origin"], "*");
    error_message(missing, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn sdk_files_are_sent_precompressed_to_browsers_that_accept_it() {
    let (_sdk_dir, app) = serving_sdk_files(&[
        ("expressconsent_sdk_bg.wasm", b"\0asm plain"),
        ("expressconsent_sdk_bg.wasm.gz", b"gzipped bytes"),
        ("expressconsent_sdk_bg.wasm.br", b"brotli bytes"),
        ("sdk.js", b"plain js"),
    ])
    .await;
    let get = |name: &str, accept: &str| {
        let request = app.client.get(format!("{}/sdk/v1/{name}", app.base));
        let request = if accept.is_empty() {
            request
        } else {
            request.header("accept-encoding", accept)
        };
        request.send()
    };

    let br = get("expressconsent_sdk_bg.wasm", "gzip, deflate, br")
        .await
        .unwrap();
    let gzip = get("expressconsent_sdk_bg.wasm", "gzip, deflate")
        .await
        .unwrap();
    let plain = get("expressconsent_sdk_bg.wasm", "").await.unwrap();
    let no_gz_file = get("sdk.js", "gzip, br").await.unwrap();

    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["vary"], "accept-encoding");
    assert_eq!(br.headers()["content-type"], "application/wasm");
    assert_eq!(br.bytes().await.unwrap().as_ref(), b"brotli bytes");
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_eq!(gzip.headers()["access-control-allow-origin"], "*");
    assert_eq!(gzip.bytes().await.unwrap().as_ref(), b"gzipped bytes");
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"\0asm plain");
    assert!(no_gz_file.headers().get("content-encoding").is_none());
    assert_eq!(no_gz_file.bytes().await.unwrap().as_ref(), b"plain js");
}

#[tokio::test]
async fn the_demo_page_points_the_sdk_at_this_server_and_the_demo_generator() {
    let app = TestApp::start_with(|config| config.demo = true).await;
    let credentials = std::fs::read(app.data_dir().join("demo-credentials.json")).unwrap();
    let credentials: serde_json::Value = serde_json::from_slice(&credentials).unwrap();

    let response = app
        .client
        .get(format!("{}/demo/", app.base))
        .send()
        .await
        .unwrap();

    assert!(response.status().is_success());
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("src=\"{}/sdk/v1/sdk.js\"", app.base)),
        "{html}"
    );
    let cid = credentials["generator"]["orgId"].as_str().unwrap();
    assert!(html.contains(&format!("data-ec-cid=\"{cid}\"")));
    assert!(!html.contains("{{"));
}

#[tokio::test]
async fn the_demo_page_is_off_without_demo_mode() {
    let app = TestApp::start().await;

    let response = app
        .client
        .get(format!("{}/demo/", app.base))
        .send()
        .await
        .unwrap();

    let message = error_message(response, 404, "NOT_FOUND").await;
    assert!(message.contains("--demo"), "{message}");
}

#[tokio::test]
async fn health_answers_ok() {
    let app = TestApp::start().await;

    let response = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();

    crate::helpers::ok_data(response).await;
}
