//! The evidence image and the PDF report through the API, rendered by real headless
//! Chromium from the stored snapshot and the archive: `202` with `Retry-After` until the
//! image exists (made by any process's workers), then the PNG at the captured size with the
//! trigger outlined; the report read back with poppler.

use std::process::Command;
use std::time::Duration;

use expressconsent_server::config::Switch;
use serde_json::{json, Value};

use crate::helpers::{capture_body, error_message, ok_data, TestApp};

/// A capture of the consent form as a browser at 640 px, pixel ratio 2, would send it,
/// its submit button recorded as the trigger.
fn rendered_body(key: &str) -> Value {
    let mut body = capture_body(key);
    body["page"]["viewport"] = json!({ "width": 640, "height": 480 });
    body["page"]["devicePixelRatio"] = json!(2);
    body["trigger"] = json!({
        "tagName": "BUTTON", "text": "Submit", "selector": "html > body > form > button",
        "eventType": "submit", "isTrusted": true, "isTaggedSubmit": true, "time": 1000
    });
    body
}

/// Polls `path` until it answers 200; every other answer must be the documented 202.
async fn when_ready(app: &TestApp, api_key: &str, path: &str) -> reqwest::Response {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        let response = app.get(api_key, path).await;
        if response.status() == 200 {
            return response;
        }
        assert_eq!(response.status(), 202, "{path}: only 202 before 200");
        let retry: u64 = response.headers()["retry-after"]
            .to_str()
            .expect("ASCII")
            .parse()
            .expect("whole seconds");
        assert!((1..=60).contains(&retry), "Retry-After {retry}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["data"]["status"], "pending");
        assert_eq!(body["data"]["retryAfterSeconds"], retry);
        assert!(
            tokio::time::Instant::now() < deadline,
            "{path} ready within 90 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    let rgb = buf[..info.buffer_size()]
        .chunks(channels)
        .flat_map(|px| [px[0], px[1], px[2]])
        .collect();
    (info.width, info.height, rgb)
}

/// No worker in the first process: the image is pending (202) until a second process,
/// whose workers render, makes it; then it is the full page at 640 × 2 px wide with the
/// trigger outlined in red, and the report carries the evidence.
#[tokio::test]
async fn the_image_is_pending_then_rendered_by_any_process_and_the_report_carries_the_evidence() {
    let app = TestApp::start_with(|c| {
        c.render.render = Switch::On;
        c.jobs.job_workers = 0;
    })
    .await;
    let generator = app.generator(true).await;
    let captured = app
        .captured(&generator.org_id, &rendered_body("render-1"))
        .await;
    let cdr_id = captured["cdrId"].as_str().expect("cdrId").to_owned();
    let image_path = format!("/v1/cdrs/{cdr_id}/image");

    for path in [&image_path, &format!("/v1/cdrs/{cdr_id}/report")] {
        let response = app.get(&generator.api_key, path).await;
        assert_eq!(response.status(), 202, "{path}: nobody renders yet");
        assert_eq!(response.headers()["retry-after"], "1");
    }
    let details = app
        .get_data(&generator.api_key, &format!("/v1/cdrs/{cdr_id}"))
        .await;
    assert_eq!(details["image"], Value::Null);

    let _worker = app
        .another_process_with(|c| c.render.render = Switch::On)
        .await;
    let response = when_ready(&app, &generator.api_key, &image_path).await;
    assert_eq!(response.headers()["content-type"], "image/png");
    let png = response.bytes().await.expect("bytes");
    let (width, height, rgb) = decode_png(&png);
    assert_eq!(width, 1280, "640 CSS px at pixel ratio 2");
    assert!(height >= 960, "at least the viewport: {height}");

    let details = app
        .get_data(&generator.api_key, &format!("/v1/cdrs/{cdr_id}"))
        .await;
    let image = &details["image"];
    assert_eq!(
        (image["width"].as_u64(), image["height"].as_u64()),
        (Some(1280), Some(u64::from(height)))
    );
    let outlined = image["outlined"].as_array().expect("boxes");
    assert_eq!(outlined.len(), 1, "the trigger: {image}");
    let (x, y) = (
        outlined[0]["x"].as_u64().unwrap() as u32,
        outlined[0]["y"].as_u64().unwrap() as u32,
    );
    let at = |x: u32, y: u32| {
        let i = ((y * width + x) * 3) as usize;
        (rgb[i], rgb[i + 1], rgb[i + 2])
    };
    let (r, g, b) = at(x + 1, y + 1);
    assert!(
        r > 200 && g < 80 && b < 80,
        "the outline is red at the box's corner: {:?}",
        (r, g, b)
    );

    // The report: a PDF that says what the CDR is and embeds the evidence unchanged, with
    // its inclusion proof once the CDR is in the log.
    let proof = when_ready(
        &app,
        &generator.api_key,
        &format!("/v1/cdrs/{cdr_id}/proof"),
    )
    .await
    .text()
    .await
    .expect("proof text");
    let report_path = format!("/v1/cdrs/{cdr_id}/report");
    let response = when_ready(&app, &generator.api_key, &report_path).await;
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.expect("bytes");
    assert!(pdf.starts_with(b"%PDF-"));
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &pdf).expect("write");
    let text = Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains(&cdr_id), "the CDR id is in the report");
    assert!(
        text.contains("I agree to be called."),
        "the disclosure is in the report"
    );
    let saved = Command::new("pdfdetach")
        .args(["-save", "1", "-o"])
        .arg(dir.path().join("evidence.json"))
        .arg(&file)
        .status()
        .expect("pdfdetach");
    assert!(saved.success());
    let embedded = std::fs::read(dir.path().join("evidence.json")).expect("embedded evidence");
    let stored = std::fs::read(
        app.data_dir()
            .join(format!("evidence/cdrs/{cdr_id}/capture.json")),
    )
    .expect("stored evidence");
    assert_eq!(
        embedded, stored,
        "the report carries the evidence byte for byte"
    );
    let saved = Command::new("pdfdetach")
        .args(["-save", "2", "-o"])
        .arg(dir.path().join("proof.txt"))
        .arg(&file)
        .status()
        .expect("pdfdetach");
    assert!(saved.success());
    let embedded_proof = std::fs::read(dir.path().join("proof.txt")).expect("embedded proof");
    assert_eq!(String::from_utf8_lossy(&embedded_proof), proof);
    // What the report prints and carries is enough to verify offline.
    let vkey = app
        .client
        .get(format!("{}/log/key", app.base))
        .send()
        .await
        .expect("log key")
        .text()
        .await
        .expect("text");
    let verified = expressconsent_server::verify::offline::verify(
        &embedded,
        &embedded_proof,
        vkey.trim(),
        &[],
        None,
    )
    .expect("the report's evidence and proof verify offline");
    assert!(
        text.contains("expressconsent-server verify"),
        "the verify command is printed"
    );
    assert!(
        text.contains(&verified.index.to_string()),
        "the log index is printed"
    );
}

/// A saved org cannot download the image either; an unknown CDR is not found.
#[tokio::test]
async fn the_image_obeys_the_download_rules() {
    let app = TestApp::start_with(|c| {
        c.render.render = Switch::On;
        c.jobs.job_workers = 0;
    })
    .await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;
    ok_data(
        app.claim(
            &buyer.api_key,
            &share_url,
            Some(json!({ "collect": false })),
        )
        .await,
    )
    .await;
    for path in ["image", "report"] {
        let path = format!("/v1/cdrs/{cdr_id}/{path}");
        let message = error_message(app.get(&buyer.api_key, &path).await, 403, "FORBIDDEN").await;
        assert!(message.contains("collect"), "{message}");
        error_message(app.get(&generator.api_key, &path).await, 403, "FORBIDDEN").await;
    }
    let stranger = app.buyer().await;
    error_message(
        app.get(&stranger.api_key, &format!("/v1/cdrs/{cdr_id}/image"))
            .await,
        404,
        "NOT_FOUND",
    )
    .await;
}
