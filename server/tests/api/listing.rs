//! Listing: an org's CDRs on a domain and its billing ledger, page by page.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::helpers::{capture_body, error_message, ok_data, TestApp};

/// Captures `n` CDRs for `cid`, the i-th with `custom` from `custom(i)`; returns their ids.
async fn capture_many(
    app: &TestApp,
    cid: &str,
    n: usize,
    custom: impl Fn(usize) -> Value,
) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let mut body = capture_body(&format!("key-{i}"));
        body["custom"] = custom(i);
        let data = app.captured(cid, &body).await;
        ids.push(data["cdrId"].as_str().unwrap().to_owned());
    }
    ids
}

/// Walks every page of `path` (which already has a `?`), returning the ids in order.
async fn walk(app: &TestApp, api_key: &str, path: &str, list: &str, id: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..100 {
        let url = match &token {
            Some(t) => format!("{path}&pageToken={t}"),
            None => path.to_owned(),
        };
        let data = app.get_data(api_key, &url).await;
        for row in data[list].as_array().unwrap() {
            seen.push(row[id].as_str().unwrap().to_owned());
        }
        match data["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => return seen,
        }
    }
    panic!("the walk did not end");
}

#[tokio::test]
async fn pagination_walks_every_cdr_exactly_once_in_both_orders() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let ids = capture_many(&app, &generator.org_id, 23, |i| json!({ "n": i })).await;
    // Many CDRs in one millisecond: the id breaks the tie, so nothing is skipped or repeated.
    sqlx::query("UPDATE cdrs SET created_at = 1000 WHERE idempotency_key < 'key-2'")
        .execute(app.db.pool())
        .await
        .unwrap();

    let base = "/v1/domains/example.com/cdrs?pageSize=4";
    let desc = walk(&app, &generator.api_key, base, "cdrs", "cdrId").await;
    let asc_path = format!("{base}&order=asc");
    let asc = walk(&app, &generator.api_key, &asc_path, "cdrs", "cdrId").await;

    assert_eq!(desc.len(), ids.len());
    assert_eq!(desc.iter().collect::<HashSet<_>>(), ids.iter().collect());
    let mut reversed = asc.clone();
    reversed.reverse();
    assert_eq!(desc, reversed, "asc is exactly desc backwards");
}

#[tokio::test]
async fn the_default_page_is_twenty_newest_first() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let ids = capture_many(&app, &generator.org_id, 21, |i| json!({ "n": i })).await;

    let data = app
        .get_data(&generator.api_key, "/v1/domains/example.com/cdrs")
        .await;

    let cdrs = data["cdrs"].as_array().unwrap();
    assert_eq!(cdrs.len(), 20);
    assert!(data["nextPageToken"].is_string());
    let times: Vec<i64> = cdrs
        .iter()
        .map(|c| c["createdAt"].as_i64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(
        !cdrs.iter().any(|c| c["cdrId"] == ids[0].as_str()),
        "oldest on page 2"
    );
    let first = &cdrs[0];
    assert_eq!(first["domainId"], "example.com");
    assert_eq!(first["access"], "paid");
    assert_eq!(first["pageUrl"], "https://example.com/form");
    assert!(first["custom"]["n"].is_number());
}

#[tokio::test]
async fn the_metadata_filter_finds_exactly_the_matching_cdrs() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let custom = |i: usize| json!({ "leadId": format!("L-{i}"), "tier": i % 3, "vip": i.is_multiple_of(4), "note": "same" });
    let ids = capture_many(&app, &generator.org_id, 12, custom).await;
    let matching = |pick: &dyn Fn(usize) -> bool| -> HashSet<String> {
        (0..ids.len())
            .filter(|&i| pick(i))
            .map(|i| ids[i].clone())
            .collect()
    };

    let cases: Vec<(&str, HashSet<String>)> = vec![
        (
            "metadataKey=tier&metadataValue=1",
            matching(&|i| i % 3 == 1),
        ),
        (
            "metadataKey=vip&metadataValue=true",
            matching(&|i| i % 4 == 0),
        ),
        (
            "metadataKey=leadId&metadataValue=L-7",
            matching(&|i| i == 7),
        ),
        ("metadataKey=note&metadataValue=same", matching(&|_| true)),
        ("metadataKey=leadId&metadataValue=L-99", HashSet::new()),
        ("metadataKey=missing&metadataValue=1", HashSet::new()),
        // Nothing stored can hold NUL (ingest refuses it): an empty page, on PostgreSQL too.
        ("metadataKey=note&metadataValue=same%00", HashSet::new()),
        ("metadataKey=no%00te&metadataValue=same", HashSet::new()),
    ];
    for (query, expected) in cases {
        let path = format!("/v1/domains/example.com/cdrs?pageSize=5&{query}");
        let found = walk(&app, &generator.api_key, &path, "cdrs", "cdrId").await;
        assert_eq!(found.len(), expected.len(), "{query}");
        assert_eq!(
            found.into_iter().collect::<HashSet<_>>(),
            expected,
            "{query}"
        );
    }
}

#[tokio::test]
async fn invalid_list_parameters_are_invalid_arguments() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    capture_many(&app, &generator.org_id, 1, |_| json!({})).await;

    for query in [
        "pageSize=0",
        "pageSize=101",
        "pageSize=abc",
        "pageSize=-1",
        "order=sideways",
        "pageToken=not-a-token",
        // A well-formed token whose row id holds NUL or is not an id's shape.
        "pageToken=djF8Y2Ryc3xkZXNjfDE3MDAwMDAwMDAwMDB8Y2RyXwBh",
        "pageToken=djF8Y2Ryc3xkZXNjfDE3MDAwMDAwMDAwMDB8Q0RSIGE",
        "metadataKey=tier",
        "metadataValue=1",
    ] {
        let path = format!("/v1/domains/example.com/cdrs?{query}");
        let response = app.get(&generator.api_key, &path).await;
        let message = error_message(response, 400, "INVALID_ARGUMENT").await;
        assert!(!message.is_empty(), "{query}");
    }
    for query in ["pageSize=0", "pageToken=xyz"] {
        let response = app
            .get(&generator.api_key, &format!("/v1/billing/events?{query}"))
            .await;
        error_message(response, 400, "INVALID_ARGUMENT").await;
    }
}

#[tokio::test]
async fn a_page_token_only_continues_the_order_it_came_from() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    capture_many(&app, &generator.org_id, 3, |_| json!({})).await;
    let base = "/v1/domains/example.com/cdrs?pageSize=1";
    let data = app.get_data(&generator.api_key, base).await;
    let token = data["nextPageToken"].as_str().unwrap();

    let response = app
        .get(
            &generator.api_key,
            &format!("{base}&order=asc&pageToken={token}"),
        )
        .await;
    let message = error_message(response, 400, "INVALID_ARGUMENT").await;
    assert!(message.contains("order"), "{message}");
}

#[tokio::test]
async fn the_list_holds_only_cdrs_the_org_captured_on_that_domain() {
    let app = TestApp::start().await;
    let generator = app
        .create_org(&["example.com", "other.example"], true)
        .await;
    let buyer = app.buyer().await;
    let (_, share_url) = app.shared_capture(&generator.org_id).await;
    app.claimed(&buyer.api_key, &share_url, None).await;

    let other = app
        .get_data(&generator.api_key, "/v1/domains/other.example/cdrs")
        .await;
    let own = app
        .get_data(&generator.api_key, "/v1/domains/Example.COM/cdrs")
        .await;
    let not_registered = app
        .get(&buyer.api_key, "/v1/domains/example.com/cdrs")
        .await;
    let not_a_host = app
        .get(&generator.api_key, "/v1/domains/exa%20mple.com/cdrs")
        .await;

    assert_eq!(other["cdrs"].as_array().unwrap().len(), 0);
    assert!(other.get("nextPageToken").is_none());
    assert_eq!(own["cdrs"].as_array().unwrap().len(), 1);
    error_message(not_registered, 404, "NOT_FOUND").await;
    error_message(not_a_host, 400, "INVALID_ARGUMENT").await;
}

#[tokio::test]
async fn the_billing_ledger_lists_this_orgs_events_newest_first_page_by_page() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let mut cdrs = Vec::new();
    for _ in 0..5 {
        let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;
        app.claimed(&buyer.api_key, &share_url, None).await;
        cdrs.push(cdr_id);
    }

    let path = "/v1/billing/events?pageSize=2";
    let events = walk(&app, &buyer.api_key, path, "events", "cdrId").await;
    let first_page = app.get_data(&buyer.api_key, path).await;
    let generator_page = app.get_data(&generator.api_key, "/v1/billing/events").await;

    let mut sorted_events = events.clone();
    sorted_events.sort();
    let mut sorted_cdrs = cdrs.clone();
    sorted_cdrs.sort();
    assert_eq!(sorted_events, sorted_cdrs, "each CDR once");
    let event = &first_page["events"][0];
    assert_eq!(event["reason"], "shareClaim");
    assert!(event["billingEventId"]
        .as_str()
        .unwrap()
        .starts_with("bil_"));
    let times: Vec<i64> = first_page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["createdAt"].as_i64().unwrap())
        .collect();
    assert!(times[0] >= times[1], "newest first");
    assert_eq!(
        generator_page["events"],
        json!([]),
        "only the caller's ledger"
    );
}

#[tokio::test]
async fn billing_reasons_name_what_caused_each_charge() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let buyer = app.buyer().await;
    let unpaid = app.generator(false).await;
    app.shared_capture(&generator.org_id).await;
    let (cdr_id, share_url) = app.shared_capture(&unpaid.org_id).await;
    app.claimed(
        &buyer.api_key,
        &share_url,
        Some(json!({ "collect": false })),
    )
    .await;
    ok_data(app.collect(&buyer.api_key, &cdr_id).await).await;

    let generator_events = app.get_data(&generator.api_key, "/v1/billing/events").await;
    let buyer_events = app.get_data(&buyer.api_key, "/v1/billing/events").await;

    assert_eq!(generator_events["events"][0]["reason"], "autoCollect");
    assert_eq!(buyer_events["events"][0]["reason"], "collect");
    assert_eq!(buyer_events["events"][0]["cdrId"], cdr_id.as_str());
}
