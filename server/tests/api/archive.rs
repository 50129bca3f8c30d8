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
    let app = TestApp::start().await;
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
