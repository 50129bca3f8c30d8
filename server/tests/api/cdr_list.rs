//! `GET /v1/cdrs`: every CDR an org has a relation to, captured or received, filtered and
//! paged.

use std::collections::HashSet;

use expressconsent_server::db::listing::explain_plans;
use expressconsent_server::db::Backend;
use serde_json::{json, Value};

use crate::helpers::{auto_share_body, capture_body, error_message, TestApp};

/// Captures one CDR for `cid` from `origin` with `custom`, asking for a share link;
/// returns (cdrId, shareUrl).
async fn capture(
    app: &TestApp,
    cid: &str,
    origin: &str,
    key: &str,
    custom: Value,
) -> (String, String) {
    let mut body = auto_share_body(key, None);
    body["custom"] = custom;
    let data = crate::helpers::ok_data(app.capture(cid, origin, &body).await).await;
    (
        data["cdrId"].as_str().unwrap().to_owned(),
        data["shareUrl"].as_str().unwrap().to_owned(),
    )
}

/// The ids of one page of `path`.
async fn ids(app: &TestApp, api_key: &str, path: &str) -> Vec<String> {
    let data = app.get_data(api_key, path).await;
    data["cdrs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["cdrId"].as_str().unwrap().to_owned())
        .collect()
}

/// Sets a CDR's creation time where the list reads it (the CDR and every relation's copy).
async fn set_created_at(app: &TestApp, cdr_id: &str, at: i64) {
    for sql in [
        "UPDATE cdrs SET created_at = $1 WHERE id = $2",
        "UPDATE cdr_access SET cdr_created_at = $1 WHERE cdr_id = $2",
    ] {
        sqlx::query(sql)
            .bind(at)
            .bind(cdr_id)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_buyer_lists_what_it_received_in_every_relation_and_an_owner_what_it_captured() {
    let app = TestApp::start().await;
    let payer = app.generator(true).await;
    let unpaid = app.generator(false).await;
    let buyer = app.buyer().await;
    let (free, free_url) =
        capture(&app, &payer.org_id, "https://example.com", "k1", json!({})).await;
    let (paid, paid_url) =
        capture(&app, &unpaid.org_id, "https://example.com", "k2", json!({})).await;
    let (saved, saved_url) =
        capture(&app, &unpaid.org_id, "https://example.com", "k3", json!({})).await;
    set_created_at(&app, &free, 1_000).await;
    set_created_at(&app, &paid, 2_000).await;
    set_created_at(&app, &saved, 3_000).await;
    app.claimed(&buyer.api_key, &free_url, None).await;
    app.claimed(&buyer.api_key, &paid_url, None).await;
    app.claimed(
        &buyer.api_key,
        &saved_url,
        Some(json!({ "collect": false })),
    )
    .await;

    let bought = app.get_data(&buyer.api_key, "/v1/cdrs").await;
    let captured = app.get_data(&unpaid.api_key, "/v1/cdrs").await;
    let own_paid = app.get_data(&payer.api_key, "/v1/cdrs").await;

    let rows = bought["cdrs"].as_array().unwrap();
    let seen: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["cdrId"].as_str().unwrap(),
                r["relation"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (saved.as_str(), "saved"),
            (paid.as_str(), "paid"),
            (free.as_str(), "free")
        ],
        "newest first, each in its relation"
    );
    for row in rows {
        assert_eq!(row["isOwner"], false, "{row}");
        assert_eq!(row["access"], row["relation"], "{row}");
        // The helper's form is captured without a trigger: no trusted submit.
        assert_eq!(row["consentMechanisms"], json!(["not_detected"]), "{row}");
        assert_eq!(row["domainId"], "example.com");
        assert_eq!(row["packageId"], "pkg_session1");
        assert_eq!(row["pageUrl"], "https://example.com/form");
    }
    assert_eq!(rows[0]["orgId"], unpaid.org_id.as_str());
    assert_eq!(rows[2]["createdAt"], 1_000);
    assert!(bought.get("nextPageToken").is_none());
    let captured: Vec<(&str, &Value)> = captured["cdrs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["relation"].as_str().unwrap(), &r["isOwner"]))
        .collect();
    assert_eq!(
        captured,
        [("unpaid", &json!(true)), ("unpaid", &json!(true))]
    );
    assert_eq!(own_paid["cdrs"][0]["relation"], "paid");
    assert_eq!(own_paid["cdrs"][0]["isOwner"], true);
}

#[tokio::test]
async fn the_relation_filter_picks_each_relation() {
    let app = TestApp::start().await;
    let payer = app.generator(true).await;
    let unpaid = app.generator(false).await;
    let buyer = app.buyer().await;
    let (free, free_url) =
        capture(&app, &payer.org_id, "https://example.com", "k1", json!({})).await;
    let (paid, paid_url) =
        capture(&app, &unpaid.org_id, "https://example.com", "k2", json!({})).await;
    let (saved, saved_url) =
        capture(&app, &unpaid.org_id, "https://example.com", "k3", json!({})).await;
    app.claimed(&buyer.api_key, &free_url, None).await;
    app.claimed(&buyer.api_key, &paid_url, None).await;
    app.claimed(
        &buyer.api_key,
        &saved_url,
        Some(json!({ "collect": false })),
    )
    .await;

    for (relation, expected) in [("free", &free), ("paid", &paid), ("saved", &saved)] {
        let found = ids(
            &app,
            &buyer.api_key,
            &format!("/v1/cdrs?relation={relation}"),
        )
        .await;
        assert_eq!(found, [expected.as_str()], "{relation}");
    }
    let none = ids(&app, &buyer.api_key, "/v1/cdrs?relation=unpaid").await;
    assert!(none.is_empty());
    let mut own = ids(&app, &unpaid.api_key, "/v1/cdrs?relation=unpaid").await;
    own.sort();
    let mut expected = vec![paid.as_str(), saved.as_str()];
    expected.sort();
    assert_eq!(
        own, expected,
        "the owner that has not paid holds both as unpaid"
    );

    // Collecting a saved CDR moves it to paid in the list at once.
    crate::helpers::ok_data(app.collect(&buyer.api_key, &saved).await).await;
    let now_saved = ids(&app, &buyer.api_key, "/v1/cdrs?relation=saved").await;
    let now_paid = ids(&app, &buyer.api_key, "/v1/cdrs?relation=paid").await;
    assert!(now_saved.is_empty());
    assert_eq!(now_paid.len(), 2);
}

#[tokio::test]
async fn domain_time_package_and_metadata_filters_narrow_the_list() {
    let app = TestApp::start().await;
    let generator = app.create_org(&["example.com", "example.org"], true).await;
    let (a, _) = capture(
        &app,
        &generator.org_id,
        "https://example.com",
        "k1",
        json!({ "campaign": "spring", "score": 7 }),
    )
    .await;
    let (b, _) = capture(
        &app,
        &generator.org_id,
        "https://shop.example.org",
        "k2",
        json!({ "campaign": "fall" }),
    )
    .await;
    let mut other_package = capture_body("k3");
    other_package["packageId"] = json!("pkg_other");
    let c = app.captured(&generator.org_id, &other_package).await["cdrId"]
        .as_str()
        .unwrap()
        .to_owned();
    set_created_at(&app, &a, 1_000).await;
    set_created_at(&app, &b, 2_000).await;
    set_created_at(&app, &c, 3_000).await;
    let key = &generator.api_key;

    assert_eq!(
        ids(&app, key, "/v1/cdrs?domainId=example.org").await,
        [b.as_str()]
    );
    assert_eq!(
        ids(&app, key, "/v1/cdrs?domainId=Example.COM").await,
        [c.as_str(), a.as_str()]
    );
    assert_eq!(
        ids(&app, key, "/v1/cdrs?from=1000&to=2000").await,
        [a.as_str()],
        "from inclusive, to exclusive"
    );
    assert_eq!(
        ids(&app, key, "/v1/cdrs?from=2000").await,
        [c.as_str(), b.as_str()]
    );
    assert_eq!(
        ids(&app, key, "/v1/cdrs?to=2001").await,
        [b.as_str(), a.as_str()]
    );
    assert_eq!(
        ids(&app, key, "/v1/cdrs?packageId=pkg_other").await,
        [c.as_str()]
    );
    assert_eq!(
        ids(
            &app,
            key,
            "/v1/cdrs?metadataKey=campaign&metadataValue=spring"
        )
        .await,
        [a.as_str()]
    );
    assert_eq!(
        ids(&app, key, "/v1/cdrs?metadataKey=score&metadataValue=7").await,
        [a.as_str()]
    );
    assert!(ids(
        &app,
        key,
        "/v1/cdrs?metadataKey=campaign&metadataValue=winter"
    )
    .await
    .is_empty());
    assert_eq!(
        ids(
            &app,
            key,
            "/v1/cdrs?domainId=example.com&packageId=pkg_session1&relation=paid&from=0&to=5000"
        )
        .await,
        [a.as_str()],
        "filters combine"
    );
    assert!(ids(&app, key, "/v1/cdrs?domainId=example.net")
        .await
        .is_empty());
}

#[tokio::test]
async fn paging_walks_every_cdr_once_in_both_orders_even_within_one_millisecond() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let mut all = Vec::new();
    for i in 0..13 {
        let (id, url) = capture(
            &app,
            &generator.org_id,
            "https://example.com",
            &format!("k{i}"),
            json!({}),
        )
        .await;
        // Half of them received by the buyer, the rest only captured.
        if i % 2 == 0 {
            app.claimed(&buyer.api_key, &url, Some(json!({ "collect": false })))
                .await;
        }
        set_created_at(&app, &id, 1_000 + (i as i64 / 4)).await;
        all.push(id);
    }

    let walk = |order: &'static str| {
        let app = &app;
        let key = generator.api_key.clone();
        async move {
            let mut seen = Vec::new();
            let mut token: Option<String> = None;
            for _ in 0..20 {
                let mut path = format!("/v1/cdrs?pageSize=3&order={order}");
                if let Some(t) = &token {
                    path.push_str(&format!("&pageToken={t}"));
                }
                let data = app.get_data(&key, &path).await;
                let rows = data["cdrs"].as_array().unwrap();
                assert!(rows.len() <= 3);
                seen.extend(rows.iter().map(|r| r["cdrId"].as_str().unwrap().to_owned()));
                match data["nextPageToken"].as_str() {
                    Some(t) => token = Some(t.to_owned()),
                    None => return seen,
                }
            }
            panic!("the walk did not end");
        }
    };
    let desc = walk("desc").await;
    let mut asc = walk("asc").await;

    assert_eq!(desc.len(), all.len(), "no duplicates, no gaps");
    assert_eq!(desc.iter().collect::<HashSet<_>>(), all.iter().collect());
    asc.reverse();
    assert_eq!(desc, asc, "asc is desc backwards");
}

#[tokio::test]
async fn another_org_never_sees_a_row() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let buyer = app.buyer().await;
    let stranger = app.create_org(&["example.com"], true).await;
    let (_, url) = capture(
        &app,
        &generator.org_id,
        "https://example.com",
        "k1",
        json!({ "campaign": "spring" }),
    )
    .await;
    app.claimed(&buyer.api_key, &url, None).await;

    for path in [
        "/v1/cdrs",
        "/v1/cdrs?domainId=example.com",
        "/v1/cdrs?packageId=pkg_session1",
        "/v1/cdrs?relation=free",
        "/v1/cdrs?metadataKey=campaign&metadataValue=spring",
    ] {
        assert!(
            ids(&app, &stranger.api_key, path).await.is_empty(),
            "{path}"
        );
    }
    assert_eq!(ids(&app, &buyer.api_key, "/v1/cdrs").await.len(), 1);
}

#[tokio::test]
async fn bad_queries_are_refused_with_a_message_that_names_the_problem() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let key = &generator.api_key;
    let domain_token = {
        for i in 0..2 {
            app.captured(&generator.org_id, &capture_body(&format!("k{i}")))
                .await;
        }
        let page = app
            .get_data(key, "/v1/domains/example.com/cdrs?pageSize=1")
            .await;
        page["nextPageToken"].as_str().unwrap().to_owned()
    };

    for (path, names) in [
        ("/v1/cdrs?pageSize=0".to_owned(), "pageSize"),
        ("/v1/cdrs?pageSize=101".to_owned(), "pageSize"),
        ("/v1/cdrs?relation=owned".to_owned(), "relation"),
        ("/v1/cdrs?from=-1".to_owned(), "from"),
        ("/v1/cdrs?from=yesterday".to_owned(), "from"),
        ("/v1/cdrs?from=2000&to=1000".to_owned(), "to"),
        ("/v1/cdrs?from=1000&to=1000".to_owned(), "to"),
        ("/v1/cdrs?domainId=exa%20mple.com".to_owned(), "domainId"),
        ("/v1/cdrs?packageId=".to_owned(), "packageId"),
        ("/v1/cdrs?metadataKey=campaign".to_owned(), "metadataValue"),
        ("/v1/cdrs?order=sideways".to_owned(), "order"),
        (format!("/v1/cdrs?pageToken={domain_token}"), "pageToken"),
    ] {
        let message = error_message(app.get(key, &path).await, 400, "INVALID_ARGUMENT").await;
        assert!(message.contains(names), "{path}: {message}");
    }
    let nul = ids(&app, key, "/v1/cdrs?metadataKey=a%00&metadataValue=b").await;
    assert!(nul.is_empty());
    let anonymous = app.call(reqwest::Method::GET, None, "/v1/cdrs", None).await;
    error_message(anonymous, 401, "UNAUTHENTICATED").await;
}

#[tokio::test]
async fn no_list_query_scans_a_whole_table() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    app.captured(&generator.org_id, &capture_body("k1")).await;

    let plans = explain_plans(&app.db, &generator.org_id).await.unwrap();

    assert_eq!(plans.len(), 8);
    for (shape, plan) in plans {
        match app.db.backend() {
            Backend::Sqlite => {
                // Subqueries (`CO-ROUTINE x`, `MATERIALIZE x`) hold a page's rows or a
                // value's holders, found by index; scanning them is not a table scan.
                let subqueries: Vec<&str> = plan
                    .lines()
                    .filter_map(|l| {
                        let l = l.trim();
                        l.strip_prefix("CO-ROUTINE ")
                            .or_else(|| l.strip_prefix("MATERIALIZE "))
                    })
                    .collect();
                for line in plan.lines() {
                    // `SCAN t` alone reads the whole table; `SCAN t USING INDEX` walks an
                    // index in order, which LIMIT stops after a page.
                    let line = line.trim();
                    let Some(scanned) = line.strip_prefix("SCAN ") else {
                        continue;
                    };
                    let full = !line.contains("USING") && !subqueries.contains(&scanned);
                    assert!(!full, "{shape}: {plan}");
                }
                assert!(plan.contains("USING"), "{shape}: {plan}");
            }
            Backend::Postgres => {
                assert!(!plan.contains("Seq Scan"), "{shape}: {plan}");
            }
        }
    }
}

#[tokio::test]
async fn a_metadata_value_common_elsewhere_is_paged_exactly_like_a_rare_one() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    // 2,000 CDRs of another org hold the value, so the list reads the org's own rows first
    // and falls back to the value's holders when they do not fill a page.
    let setup = [
        "INSERT INTO orgs (id, name, auto_collect, created_at) VALUES ('cid_other', 'O', 1, 1)",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
         INSERT INTO cdrs (id, org_id, domain_id, package_id, idempotency_key, object_key, \
         content_sha256, size_bytes, page_url, custom_json, received_ip, user_agent, created_at) \
         SELECT 'cdr_other' || i, 'cid_other', 'example.com', 'p', 'k' || i, 'o', 'h', 1, 'u', \
         NULL, 'ip', 'ua', i FROM n",
        "INSERT INTO cdr_metadata (cdr_id, key, value) \
         SELECT id, 'campaign', 'common' FROM cdrs WHERE org_id = 'cid_other'",
    ];
    for sql in setup {
        sqlx::query(sql).execute(app.db.pool()).await.unwrap();
    }
    let mut expected = Vec::new();
    for i in 0..6 {
        let campaign = if i % 2 == 0 { "common" } else { "own" };
        let (id, _) = capture(
            &app,
            &generator.org_id,
            "https://example.com",
            &format!("k{i}"),
            json!({ "campaign": campaign }),
        )
        .await;
        set_created_at(&app, &id, 10_000 + i).await;
        if campaign == "common" {
            expected.insert(0, id);
        }
    }

    let path = "/v1/cdrs?metadataKey=campaign&metadataValue=common&pageSize=2";
    let first = app.get_data(&generator.api_key, path).await;
    let token = first["nextPageToken"].as_str().expect("a second page");
    let second = app
        .get_data(&generator.api_key, &format!("{path}&pageToken={token}"))
        .await;

    let ids = |page: &Value| -> Vec<String> {
        page["cdrs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["cdrId"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut seen = ids(&first);
    seen.extend(ids(&second));
    assert_eq!(seen, expected, "newest first, only the org's, none missed");
    assert!(second.get("nextPageToken").is_none());
}
