//! The asset archive of a real captured CDR: archived from the stored snapshot against a
//! real local origin, its manifest stored and read back on the test's database (SQLite,
//! or PostgreSQL with `EC_TEST_POSTGRES_URL`), the evidence untouched.

use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use axum::Router;
use expressconsent_server::db::assets::{load_manifest, save_manifest};
use expressconsent_server::evidence::archive::{
    archive, lookup, ArchiveLimits, AssetStatus, Manifest,
};
use expressconsent_server::evidence::store::EvidenceStore;
use expressconsent_server::evidence::{self};
use expressconsent_server::net::{NetPolicy, SafeClient};
use sha2::{Digest, Sha256};
use url::Url;

use crate::helpers::{capture_body, TestApp, CONSENT_FORM};

/// An origin serving one stylesheet that references one image.
async fn asset_origin() -> Url {
    let app = Router::new()
        .route(
            "/site.css",
            get(|| async {
                (
                    [(CONTENT_TYPE, "text/css")],
                    "form { background: url(bg.png) }",
                )
            }),
        )
        .route(
            "/bg.png",
            get(|| async { ([(CONTENT_TYPE, "image/png")], &b"\x89PNG bg"[..]) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Url::parse(&format!("http://{addr}/")).unwrap()
}

#[tokio::test]
async fn a_captured_cdrs_assets_are_archived_and_its_manifest_stored_and_replaced_whole() {
    // No workers: the test does the archive job's work itself, step by step.
    let app = TestApp::start_with(|c| c.jobs.job_workers = 0).await;
    let generator = app.generator(false).await;
    let origin = asset_origin().await;
    let mut body = capture_body("archive-1");
    let html = CONSENT_FORM.replace(
        "<body>",
        &format!(
            r#"<head><link rel="stylesheet" href="{}"></head><body><img src="{}">"#,
            origin.join("site.css").unwrap(),
            origin.join("missing.png").unwrap()
        ),
    );
    body["snapshot"]["html"] = html.into();
    let cdr_id = app.captured(&generator.org_id, &body).await["cdrId"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = EvidenceStore::capture_key(&cdr_id);
    let evidence_before = app.state.store.get(&key).await.unwrap();

    // What a background job does: read the stored snapshot, archive, save the manifest.
    let stored = evidence::load(&app.state.store, &key).await.unwrap();
    let client = SafeClient::new(NetPolicy {
        allow_private_networks: true,
    })
    .unwrap();
    let page_url = Url::parse("https://example.com/form").unwrap();
    let manifest = archive(
        &client,
        &app.state.store,
        &stored.snapshot.html,
        &page_url,
        &ArchiveLimits::DEFAULT,
    )
    .await;
    save_manifest(&app.db, &cdr_id, &manifest).await.unwrap();

    let loaded = load_manifest(&app.db, &cdr_id).await.unwrap();
    assert_eq!(loaded, manifest);
    let summary: Vec<(&str, AssetStatus)> = loaded
        .assets
        .iter()
        .map(|a| (a.url.as_str(), a.status))
        .collect();
    let at = |path: &str| origin.join(path).unwrap();
    let (css, missing, bg) = (at("site.css"), at("missing.png"), at("bg.png"));
    assert_eq!(
        summary,
        [
            (css.as_str(), AssetStatus::Archived),
            (missing.as_str(), AssetStatus::Failed),
            (bg.as_str(), AssetStatus::Archived),
        ]
    );
    assert_eq!(loaded.assets[1].http_status, Some(404));
    let (content_type, png) = lookup(&app.state.store, &loaded, &bg).await.unwrap();
    assert_eq!(
        (content_type.as_str(), &png[..]),
        ("image/png", &b"\x89PNG bg"[..])
    );

    // The evidence the SDK sent is exactly as it was.
    let evidence_after = app.state.store.get(&key).await.unwrap();
    assert_eq!(
        Sha256::digest(&evidence_after),
        Sha256::digest(&evidence_before)
    );

    // Archiving again replaces the manifest whole: no row of the first one is left.
    let shorter = Manifest {
        assets: manifest.assets[2..].to_vec(),
    };
    save_manifest(&app.db, &cdr_id, &shorter).await.unwrap();
    assert_eq!(load_manifest(&app.db, &cdr_id).await.unwrap(), shorter);
    assert_eq!(app.count("cdr_assets").await, 1);

    // A CDR never archived has an empty manifest.
    assert_eq!(
        load_manifest(&app.db, "cdr_unknown").await.unwrap(),
        Manifest::default()
    );
}

/// The capture is answered while the asset origin has not answered yet (fetching is
/// background work, never the capture's); once it answers, the CDR lists the archived
/// assets with the hashes of the bytes served, and the evidence is what the SDK sent.
#[tokio::test]
async fn ingest_archives_in_the_background_and_the_cdr_lists_what_was_archived() {
    use std::sync::Arc;
    use tokio::sync::Notify;

    let release = Arc::new(Notify::new());
    let gate = release.clone();
    let css = "form { background: url(bg.png) }";
    let app_origin = Router::new()
        .route(
            "/site.css",
            get(move || {
                let gate = gate.clone();
                async move {
                    gate.notified().await;
                    ([(CONTENT_TYPE, "text/css")], css)
                }
            }),
        )
        .route(
            "/bg.png",
            get(|| async { ([(CONTENT_TYPE, "image/png")], &b"\x89PNG bg"[..]) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app_origin).await });

    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let mut body = capture_body("archive-bg");
    let html = CONSENT_FORM.replace(
        "<body>",
        &format!(r#"<head><link rel="stylesheet" href="{origin}/site.css"></head><body>"#),
    );
    body["snapshot"]["html"] = serde_json::Value::String(html.clone());
    let captured = app.captured(&generator.org_id, &body).await;
    let cdr_id = captured["cdrId"].as_str().unwrap().to_owned();
    let path = format!("/v1/cdrs/{cdr_id}");
    let before = app.get_data(&generator.api_key, &path).await;
    assert_eq!(
        before["assets"],
        serde_json::json!([]),
        "nothing archived yet"
    );

    release.notify_one();
    let details = loop {
        let details = app.get_data(&generator.api_key, &path).await;
        if details["assets"].as_array().is_some_and(|a| a.len() == 2) {
            break details;
        }
        release.notify_one();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let assets = details["assets"].as_array().unwrap();
    let sha = |bytes: &[u8]| hex::encode(Sha256::digest(bytes));
    assert_eq!(assets[0]["url"], format!("{origin}/site.css"));
    assert_eq!(assets[0]["status"], "archived");
    assert_eq!(assets[0]["sha256"], sha(css.as_bytes()));
    assert_eq!(assets[0]["contentType"], "text/css");
    assert_eq!(assets[1]["url"], format!("{origin}/bg.png"));
    assert_eq!(assets[1]["sha256"], sha(b"\x89PNG bg"));
    let stored = std::fs::read(
        app.data_dir()
            .join("evidence/assets/sha256")
            .join(sha(b"\x89PNG bg")),
    )
    .expect("the asset is stored by its hash");
    assert_eq!(stored, b"\x89PNG bg");
    let evidence = evidence::load(&app.state.store, &format!("cdrs/{cdr_id}/capture.json"))
        .await
        .expect("evidence");
    assert_eq!(
        evidence.snapshot.html, html,
        "the evidence is never modified"
    );
}
