//! Schema migrations: a database created by an older version is brought up to date,
//! including the data a new table derives from old rows.

use expressconsent_server::db::{Backend, Db};
use expressconsent_server::evidence::metadata::entries;
use serde_json::{json, Value};
use sqlx::migrate::Migrator;
use sqlx::AnyPool;

use crate::helpers::FreshDatabase;

/// Applies only the foundation migration, as the first released version did.
async fn foundation_only(url: &str) -> AnyPool {
    let backend = Backend::from_url(url).unwrap();
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder)
        .join("20250101000000_foundation.sql");
    let only = tempfile::tempdir().unwrap();
    std::fs::copy(&source, only.path().join("20250101000000_foundation.sql")).unwrap();
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(url).await.unwrap();
    Migrator::new(only.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    pool
}

#[tokio::test]
async fn the_metadata_migration_indexes_the_custom_keys_of_cdrs_stored_before_it() {
    let fresh = FreshDatabase::create().await;
    let url = fresh.url();
    let pool = foundation_only(&url).await;
    let custom = json!({
        "leadId": "L-1", "score": 7, "ratio": 0.5, "vip": true, "none": null,
        "tags": ["a", "b"], "nested": { "x": 1 }, "quoted": "say \"hi\""
    });
    sqlx::query(
        "INSERT INTO orgs (id, name, auto_collect, created_at) VALUES ('cid_a', 'A', 1, 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    for (id, custom_json) in [
        ("cdr_with", Some(custom.to_string())),
        ("cdr_without", None),
    ] {
        sqlx::query(
            "INSERT INTO cdrs (id, org_id, domain_id, package_id, idempotency_key, object_key, \
             content_sha256, size_bytes, page_url, custom_json, received_ip, user_agent, \
             created_at) VALUES ($1, 'cid_a', 'example.com', 'p', $1, 'k', 'h', 1, 'u', $2, \
             'ip', 'ua', 1)",
        )
        .bind(id)
        .bind(custom_json)
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;

    let db = Db::open(&url).await.unwrap();
    let mut stored: Vec<(String, String, String)> =
        sqlx::query_as("SELECT cdr_id, key, value FROM cdr_metadata")
            .fetch_all(db.pool())
            .await
            .unwrap();
    db.close().await;

    stored.sort();
    let Value::Object(map) = custom else {
        unreachable!()
    };
    let mut expected: Vec<(String, String, String)> = entries(&map)
        .into_iter()
        .map(|(k, v)| ("cdr_with".to_owned(), k, v))
        .collect();
    expected.sort();
    assert_eq!(stored, expected, "the same spelling as new captures get");
}

#[tokio::test]
async fn the_lead_migration_copies_each_cdrs_time_domain_and_package_into_every_relation() {
    let fresh = FreshDatabase::create().await;
    let url = fresh.url();
    let pool = foundation_only(&url).await;
    for org in ["cid_a", "cid_b"] {
        sqlx::query("INSERT INTO orgs (id, name, auto_collect, created_at) VALUES ($1, 'O', 1, 1)")
            .bind(org)
            .execute(&pool)
            .await
            .unwrap();
    }
    sqlx::query(
        "INSERT INTO cdrs (id, org_id, domain_id, package_id, idempotency_key, object_key, \
         content_sha256, size_bytes, page_url, custom_json, received_ip, user_agent, \
         created_at) VALUES ('cdr_old', 'cid_a', 'example.com', 'pkg_s', 'i', 'k', 'h', 1, \
         'u', NULL, 'ip', 'ua', 1234)",
    )
    .execute(&pool)
    .await
    .unwrap();
    for (org, relation) in [("cid_a", "paid"), ("cid_b", "saved")] {
        sqlx::query(
            "INSERT INTO cdr_access (org_id, cdr_id, relation, created_at, updated_at) \
             VALUES ($1, 'cdr_old', $2, 5, 5)",
        )
        .bind(org)
        .bind(relation)
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;

    let db = Db::open(&url).await.unwrap();
    let mut copied: Vec<(String, i64, String, String)> = sqlx::query_as(
        "SELECT org_id, cdr_created_at, cdr_domain_id, cdr_package_id FROM cdr_access",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let leads: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cdr_leads")
        .fetch_one(db.pool())
        .await
        .unwrap();
    db.close().await;

    copied.sort();
    let row = |org: &str| {
        (
            org.to_owned(),
            1234,
            "example.com".to_owned(),
            "pkg_s".to_owned(),
        )
    };
    assert_eq!(copied, [row("cid_a"), row("cid_b")]);
    assert_eq!(leads, 0, "old snapshots are not parsed again");
}
