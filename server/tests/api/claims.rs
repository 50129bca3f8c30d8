//! The claim answer of SPEC "Access and billing", through the real API: for every relation
//! the claiming org can already hold, a POST to a share URL answers `alreadyClaimed` and
//! `access` as the README's table says, and bills at most once.

use serde_json::{json, Value};

use crate::helpers::{ok_data, TestApp};

/// What the claiming org holds before the POST under test.
#[derive(Debug, Clone, Copy)]
enum Before {
    /// No relation.
    Nothing,
    /// Claimed earlier with `collect: false` from a non-paying generator.
    Saved,
    /// Claimed earlier, paying, from a non-paying generator.
    Paid,
    /// Claimed earlier from a paying generator.
    Free,
    /// It captured the CDR with auto-collect off and claims its own link.
    UnpaidOwner,
}

/// One row: the relation before, whether the generator pays, the POST's `collect`, and
/// what the answer and the ledger must say.
struct Row {
    before: Before,
    generator_pays: bool,
    collect: Option<bool>,
    access: &'static str,
    already_claimed: bool,
    billed_by_this_post: i64,
}

const fn row(
    before: Before,
    generator_pays: bool,
    collect: Option<bool>,
    access: &'static str,
    already_claimed: bool,
    billed_by_this_post: i64,
) -> Row {
    Row {
        before,
        generator_pays,
        collect,
        access,
        already_claimed,
        billed_by_this_post,
    }
}

use Before::*;

#[rustfmt::skip]
const TABLE: &[Row] = &[
    //   before       payer  collect       access    already  billed
    row(Nothing,     false, None,         "paid",   false,   1),
    row(Nothing,     false, Some(false),  "saved",  false,   0),
    row(Nothing,     true,  Some(false),  "free",   false,   0),
    row(Saved,       false, None,         "paid",   true,    1),
    row(Saved,       false, Some(true),   "paid",   true,    1),
    row(Saved,       false, Some(false),  "saved",  true,    0),
    row(Paid,        false, None,         "paid",   true,    0),
    row(Paid,        false, Some(false),  "paid",   true,    0),
    row(Free,        true,  None,         "free",   true,    0),
    row(Free,        true,  Some(false),  "free",   true,    0),
    row(UnpaidOwner, false, None,         "paid",   true,    1),
    row(UnpaidOwner, false, Some(false),  "unpaid", true,    0),
];

fn body(collect: Option<bool>) -> Option<Value> {
    collect.map(|collect| json!({ "collect": collect }))
}

#[tokio::test]
async fn a_claim_answers_already_claimed_for_any_relation_and_bills_as_the_table_says() {
    let app = TestApp::start().await;
    let paying = app.generator(true).await;
    let unpaid = app.generator(false).await;

    let mut failures = Vec::new();
    for row in TABLE {
        let generator = if row.generator_pays { &paying } else { &unpaid };
        let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;
        let claimer = match row.before {
            UnpaidOwner => unpaid.clone(),
            _ => app.buyer().await,
        };
        match row.before {
            Nothing | UnpaidOwner => {}
            Saved => {
                let saved = Some(json!({ "collect": false }));
                app.claimed(&claimer.api_key, &share_url, saved).await;
            }
            Paid | Free => {
                app.claimed(&claimer.api_key, &share_url, None).await;
            }
        }
        let billed_before = app.billed_for(&claimer.org_id, &cdr_id).await;

        let data = ok_data(
            app.claim(&claimer.api_key, &share_url, body(row.collect))
                .await,
        )
        .await;

        let billed = app.billed_for(&claimer.org_id, &cdr_id).await - billed_before;
        let stored = app.relation(&claimer.org_id, &cdr_id).await;
        let seen = (
            data["access"].as_str().unwrap_or_default().to_owned(),
            data["alreadyClaimed"] == true,
            billed,
            stored.unwrap_or_default(),
        );
        let expected = (
            row.access.to_owned(),
            row.already_claimed,
            row.billed_by_this_post,
            row.access.to_owned(),
        );
        if seen != expected {
            failures.push(format!(
                "{:?}, generator pays {}, collect {:?}: expected (access, alreadyClaimed, \
                 billed, stored) {expected:?}, got {seen:?}",
                row.before, row.generator_pays, row.collect
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn a_saved_org_that_collects_by_claiming_again_pays_once_however_often_it_posts() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;
    let saved = Some(json!({ "collect": false }));
    app.claimed(&buyer.api_key, &share_url, saved).await;

    let upgrade = app.claimed(&buyer.api_key, &share_url, None).await;
    let again = app.claimed(&buyer.api_key, &share_url, None).await;

    for answer in [&upgrade, &again] {
        assert_eq!(answer["alreadyClaimed"], true);
        assert_eq!(answer["access"], "paid");
    }
    assert_eq!(app.billed_for(&buyer.org_id, &cdr_id).await, 1);
    let path = format!("/v1/cdrs/{cdr_id}/snapshot");
    assert_eq!(app.get(&buyer.api_key, &path).await.status(), 200);
}
