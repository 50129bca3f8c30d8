//! The archive against two real local origins (the page's and a "CDN"), a real evidence
//! folder, and the default limits.

use std::collections::BTreeSet;

use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;

use super::*;
use crate::net::NetPolicy;

const ALLOW: NetPolicy = NetPolicy {
    allow_private_networks: true,
};

async fn serve(app: Router) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Url::parse(&format!("http://{addr}/")).unwrap()
}

fn typed(content_type: &'static str, body: impl Into<Bytes>) -> impl IntoResponse {
    ([(CONTENT_TYPE, content_type)], body.into())
}

const FONT: &[u8] = b"wOF2 not really a font";
const HERO: &[u8] = b"\xff\xd8\xff hero jpeg";
const PHOTO: &[u8] = b"\xff\xd8\xff photo jpeg";
const LOGO: &[u8] = b"\x89PNG logo";
const PAGE_BG: &[u8] = b"\x89PNG page background";

/// The CDN: a stylesheet with a font and a background image, and images.
async fn cdn() -> Url {
    let app = Router::new()
        .route(
            "/cdn/theme.css",
            get(|| async {
                typed(
                    "text/css; charset=utf-8",
                    "@font-face { font-family: T; src: url(fonts/t.woff2) format(\"woff2\") }\n\
                     .hero { background-image: url('../cdn/hero.jpg') } /* url(nope.png) */",
                )
            }),
        )
        .route(
            "/cdn/fonts/t.woff2",
            get(|| async { typed("font/woff2", FONT) }),
        )
        .route("/cdn/hero.jpg", get(|| async { typed("image/jpeg", HERO) }))
        .route(
            "/cdn/photo.jpg",
            get(|| async { typed("image/jpeg", PHOTO) }),
        )
        .route("/cdn/logo.png", get(|| async { typed("image/png", LOGO) }));
    serve(app).await
}

/// The page's origin: a stylesheet that imports the CDN's, a redirect to the CDN, a 404
/// and an asset one byte over the per-asset limit.
async fn page_origin(cdn: &Url) -> Url {
    let site_css = format!(
        "@import url(\"{}\");\nbody {{ background: url(/img/page-bg.png) }}",
        cdn.join("cdn/theme.css").unwrap()
    );
    let logo = cdn.join("cdn/logo.png").unwrap().to_string();
    let app = Router::new()
        .route(
            "/css/site.css",
            get(move || async move { typed("text/css", site_css) }),
        )
        .route(
            "/img/page-bg.png",
            get(|| async { typed("image/png", PAGE_BG) }),
        )
        .route(
            "/old-logo.png",
            get(move || async move { (StatusCode::MOVED_PERMANENTLY, [(LOCATION, logo)]) }),
        )
        .route("/missing.png", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/huge.bin",
            get(|| async {
                let over = ArchiveLimits::DEFAULT.per_asset.max_bytes as usize + 1;
                typed("application/octet-stream", vec![0u8; over])
            }),
        );
    serve(app).await
}

fn snapshot(cdn: &Url) -> String {
    format!(
        r#"<!doctype html><html><head><link rel="stylesheet" href="/css/site.css"></head>
        <body><img src="{photo}"><img src="/old-logo.png"><img src="/missing.png">
        <img src="/huge.bin"><img src="http://169.254.169.254/latest/meta-data/">
        <img src="data:image/png;base64,AAAA"><img src="{photo}#again"></body></html>"#,
        photo = cdn.join("cdn/photo.jpg").unwrap()
    )
}

fn store_in(dir: &tempfile::TempDir) -> EvidenceStore {
    EvidenceStore::local(dir.path()).unwrap()
}

/// Every file under the store's folder, relative to it.
fn stored_files(dir: &tempfile::TempDir) -> BTreeSet<String> {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir.path(), dir.path(), &mut out);
    out
}

fn statuses(manifest: &Manifest) -> Vec<(String, AssetStatus, Option<u16>)> {
    manifest
        .assets
        .iter()
        .map(|a| (a.url.clone(), a.status, a.http_status))
        .collect()
}

#[tokio::test]
async fn a_page_and_its_stylesheets_assets_are_archived_across_origins_by_hash() {
    let cdn = cdn().await;
    let page = page_origin(&cdn).await;
    let page_url = page.join("forms/lead.html").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let client = SafeClient::new(ALLOW).unwrap();

    let manifest = archive(
        &client,
        &store,
        &snapshot(&cdn),
        &page_url,
        &ArchiveLimits::DEFAULT,
    )
    .await;

    let at = |base: &Url, path: &str| base.join(path).unwrap().to_string();
    use AssetStatus::*;
    assert_eq!(
        statuses(&manifest),
        [
            (at(&page, "css/site.css"), Archived, Some(200)),
            (at(&cdn, "cdn/photo.jpg"), Archived, Some(200)),
            (at(&page, "old-logo.png"), Archived, Some(200)),
            (at(&page, "missing.png"), Failed, Some(404)),
            (at(&page, "huge.bin"), TooLarge, None),
            (
                "http://169.254.169.254/latest/meta-data/".into(),
                Refused,
                None
            ),
            // What the stylesheets reference comes after the page's own references.
            (at(&cdn, "cdn/theme.css"), Archived, Some(200)),
            (at(&page, "img/page-bg.png"), Archived, Some(200)),
            (at(&cdn, "cdn/fonts/t.woff2"), Archived, Some(200)),
            (at(&cdn, "cdn/hero.jpg"), Archived, Some(200)),
        ]
    );

    // Each archived body is stored under its own hash, with its size and type recorded.
    let expected: &[(&str, &[u8], &str)] = &[
        ("cdn/photo.jpg", PHOTO, "image/jpeg"),
        ("old-logo.png", LOGO, "image/png"),
        ("img/page-bg.png", PAGE_BG, "image/png"),
        ("cdn/fonts/t.woff2", FONT, "font/woff2"),
        ("cdn/hero.jpg", HERO, "image/jpeg"),
    ];
    for record in manifest.assets.iter().filter(|a| a.status == Archived) {
        let sha = record.sha256.as_deref().unwrap();
        let stored = store.get(&asset_key(sha)).await.unwrap();
        assert_eq!(hex::encode(Sha256::digest(&stored)), sha, "{}", record.url);
        assert_eq!(record.size, Some(stored.len() as u64));
        if let Some((path, body, content_type)) = expected
            .iter()
            .find(|(path, ..)| record.url.ends_with(path))
        {
            assert_eq!(&stored[..], *body, "{path}");
            assert_eq!(record.content_type.as_deref(), Some(*content_type));
        }
    }

    // Nothing but content-addressed assets was written, one per distinct body.
    let files = stored_files(&dir);
    assert_eq!(files.len(), 7, "{files:?}");
    assert!(
        files.iter().all(|f| f.starts_with("assets/sha256/")),
        "{files:?}"
    );

    // The renderer gets the bytes for the URL the page asked for, fragment or not, and
    // nothing for what was not archived.
    let photo = Url::parse(&format!("{}#x", at(&cdn, "cdn/photo.jpg"))).unwrap();
    let (content_type, bytes) = lookup(&store, &manifest, &photo).await.unwrap();
    assert_eq!((content_type.as_str(), &bytes[..]), ("image/jpeg", PHOTO));
    let old_logo = page.join("old-logo.png").unwrap();
    assert_eq!(lookup(&store, &manifest, &old_logo).await.unwrap().1, LOGO);
    let missing = page.join("missing.png").unwrap();
    assert!(lookup(&store, &manifest, &missing).await.is_none());
}

#[tokio::test]
async fn with_private_networks_refused_the_loopback_origins_are_not_fetched_at_all() {
    let cdn = cdn().await;
    let page = page_origin(&cdn).await;
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let client = SafeClient::new(NetPolicy::default()).unwrap();

    let manifest = archive(
        &client,
        &store,
        &snapshot(&cdn),
        &page,
        &ArchiveLimits::DEFAULT,
    )
    .await;

    assert_eq!(manifest.assets.len(), 6, "{manifest:?}");
    assert!(
        manifest
            .assets
            .iter()
            .all(|a| a.status == AssetStatus::Refused && a.sha256.is_none()),
        "{manifest:?}"
    );
    assert!(stored_files(&dir).is_empty());
}

#[tokio::test]
async fn a_host_name_resolving_to_loopback_is_refused_unless_allowed() {
    let cdn = cdn().await;
    let by_name = format!("http://localhost:{}/cdn/photo.jpg", cdn.port().unwrap());
    let html = format!(r#"<img src="{by_name}">"#);
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);

    let refusing = SafeClient::new(NetPolicy::default()).unwrap();
    let refused = archive(&refusing, &store, &html, &cdn, &ArchiveLimits::DEFAULT).await;
    assert_eq!(
        statuses(&refused),
        [(by_name.clone(), AssetStatus::Refused, None)]
    );

    let allowing = SafeClient::new(ALLOW).unwrap();
    let fetched = archive(&allowing, &store, &html, &cdn, &ArchiveLimits::DEFAULT).await;
    assert_eq!(
        statuses(&fetched),
        [(by_name, AssetStatus::Archived, Some(200))]
    );
}

#[tokio::test]
async fn past_the_per_cdr_budgets_the_rest_is_recorded_skipped_and_duplicates_stored_once() {
    let cdn = cdn().await;
    let html = r#"<img src="/cdn/photo.jpg"><img src="/cdn/photo.jpg?copy"><img src="/cdn/hero.jpg">
        <img src="/cdn/logo.png">"#;
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let client = SafeClient::new(ALLOW).unwrap();

    let by_count = ArchiveLimits {
        max_assets: 3,
        concurrency: 1,
        ..ArchiveLimits::DEFAULT
    };
    let manifest = archive(&client, &store, html, &cdn, &by_count).await;
    let kinds: Vec<AssetStatus> = manifest.assets.iter().map(|a| a.status).collect();
    use AssetStatus::*;
    assert_eq!(kinds, [Archived, Archived, Archived, Skipped]);
    assert_eq!(manifest.assets[0].sha256, manifest.assets[1].sha256);
    assert_eq!(
        stored_files(&dir).len(),
        2,
        "the same bytes are stored once"
    );

    // A byte budget smaller than the first asset: it is cut short and the rest skipped.
    let by_bytes = ArchiveLimits {
        max_total_bytes: 5,
        concurrency: 1,
        ..ArchiveLimits::DEFAULT
    };
    let manifest = archive(&client, &store, html, &cdn, &by_bytes).await;
    assert!(
        manifest.assets.iter().all(|a| a.status == Skipped),
        "{manifest:?}"
    );
}

#[test]
fn the_manifest_is_camel_case_json_with_snake_case_statuses() {
    let manifest = Manifest {
        assets: vec![AssetRecord {
            url: "https://cdn.example/a.png".into(),
            status: AssetStatus::TooLarge,
            http_status: Some(200),
            content_type: None,
            sha256: None,
            size: None,
        }],
    };
    let json = serde_json::to_value(&manifest).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"assets": [{"url": "https://cdn.example/a.png", "status": "too_large", "httpStatus": 200}]})
    );
    for status in [
        AssetStatus::Archived,
        AssetStatus::Refused,
        AssetStatus::Failed,
        AssetStatus::TooLarge,
        AssetStatus::Skipped,
    ] {
        assert_eq!(AssetStatus::parse(status.as_str()), Some(status));
        assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
    }
}
