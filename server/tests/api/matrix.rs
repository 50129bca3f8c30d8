//! The authorization matrix: every keyed endpoint × every kind of caller, with the status
//! each must answer. Each cell gets a CDR of its own, so that cells which change state
//! (collect, claim) cannot influence each other.

use expressconsent_server::db::keys::{create_key, revoke_key};
use expressconsent_server::db::orgs::CreatedOrg;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

/// Who calls, relative to the cell's CDR.
#[derive(Debug, Clone, Copy)]
enum Caller {
    /// The capturing org, auto-collect on.
    OwnerPaid,
    /// The capturing org, auto-collect off.
    OwnerUnpaid,
    /// A buyer that paid in its claim.
    Paid,
    /// A buyer that got free access from a paying generator.
    Free,
    /// A buyer that claimed with `collect: false` from a non-paying generator.
    Saved,
    /// An org with no relation to the CDR.
    Stranger,
    /// No `X-API-Key` header.
    NoKey,
    /// A header that is not a key.
    MalformedKey,
    /// A key that was revoked.
    RevokedKey,
    /// A real key id with the wrong secret.
    WrongSecret,
}

use Caller::*;

const CALLERS: [Caller; 10] = [
    OwnerPaid,
    OwnerUnpaid,
    Paid,
    Free,
    Saved,
    Stranger,
    NoKey,
    MalformedKey,
    RevokedKey,
    WrongSecret,
];

/// The orgs every cell draws from.
struct Orgs {
    generator_paying: CreatedOrg,
    generator_unpaid: CreatedOrg,
    buyer: CreatedOrg,
    stranger: CreatedOrg,
    revoked_key: String,
}

/// A cell's CDR, the share link its generator minted, and the caller's key.
struct Cell {
    cdr_id: String,
    share_url: String,
    api_key: Option<String>,
}

async fn arrange(app: &TestApp, orgs: &Orgs, caller: Caller) -> Cell {
    let paying = !matches!(caller, OwnerUnpaid | Paid | Saved);
    let generator = match paying {
        true => &orgs.generator_paying,
        false => &orgs.generator_unpaid,
    };
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;
    let buyer_key = orgs.buyer.api_key.clone();
    let api_key = match caller {
        OwnerPaid | OwnerUnpaid => Some(generator.api_key.clone()),
        Paid | Free => {
            app.claimed(&buyer_key, &share_url, None).await;
            Some(buyer_key)
        }
        Saved => {
            let body = Some(json!({ "collect": false }));
            app.claimed(&buyer_key, &share_url, body).await;
            Some(buyer_key)
        }
        Stranger => Some(orgs.stranger.api_key.clone()),
        NoKey => None,
        MalformedKey => Some("not-a-key".to_owned()),
        RevokedKey => Some(orgs.revoked_key.clone()),
        WrongSecret => {
            let (key_id, _) = buyer_key.split_once('.').unwrap();
            Some(format!("{key_id}.{}", "A".repeat(43)))
        }
    };
    Cell {
        cdr_id,
        share_url,
        api_key,
    }
}

/// One endpoint: how to call it for a cell, and the expected status per caller in the
/// order of [`CALLERS`].
struct Row {
    name: &'static str,
    method: Method,
    path: fn(&Cell) -> String,
    body: Option<Value>,
    expected: [u16; 10],
}

fn rows() -> Vec<Row> {
    let cdr = |path: &'static str| -> fn(&Cell) -> String {
        match path {
            "" => |c| format!("/v1/cdrs/{}", c.cdr_id),
            "share" => |c| format!("/v1/cdrs/{}/share", c.cdr_id),
            "collect" => |c| format!("/v1/cdrs/{}/collect", c.cdr_id),
            "match" => |c| format!("/v1/cdrs/{}/match", c.cdr_id),
            "snapshot" => |c| format!("/v1/cdrs/{}/snapshot", c.cdr_id),
            "image" => |c| format!("/v1/cdrs/{}/image", c.cdr_id),
            "evidence" => |c| format!("/v1/cdrs/{}/evidence", c.cdr_id),
            _ => |c| format!("/v1/cdrs/{}/report", c.cdr_id),
        }
    };
    let row = |name, method, path, body, expected| Row {
        name,
        method,
        path,
        body,
        expected,
    };
    const AUTH: [u16; 4] = [401, 401, 401, 401];
    let keyed = |six: [u16; 6]| -> [u16; 10] {
        let mut all = [0; 10];
        all[..6].copy_from_slice(&six);
        all[6..].copy_from_slice(&AUTH);
        all
    };
    #[rustfmt::skip]
    let rows = vec![
        //                                                         owner  owner  paid  free  saved  stranger
        //                                                         paid   unpaid
        row("GET cdr", Method::GET, cdr(""), None,                 keyed([200, 200, 200, 200, 200, 404])),
        row("POST share", Method::POST, cdr("share"), None,        keyed([200, 200, 200, 200, 403, 404])),
        row("POST collect", Method::POST, cdr("collect"), None,    keyed([200, 200, 200, 200, 200, 404])),
        row("GET snapshot", Method::GET, cdr("snapshot"), None,    keyed([200, 403, 200, 200, 403, 404])),
        row("GET evidence", Method::GET, cdr("evidence"), None,    keyed([200, 403, 200, 200, 403, 404])),
        row("GET image", Method::GET, cdr("image"), None,          keyed([412, 403, 412, 412, 403, 404])),
        row("GET report", Method::GET, cdr("report"), None,        keyed([412, 403, 412, 412, 403, 404])),
        row("POST claim", Method::POST, |c| c.share_url.clone(), None,
                                                                   keyed([200, 200, 200, 200, 200, 200])),
        row("GET domains", Method::GET, |_| "/v1/domains".into(), None,
                                                                   keyed([200, 200, 200, 200, 200, 200])),
        row("POST domains", Method::POST, |_| "/v1/domains".into(), Some(json!({ "domain": "new.example.org" })),
                                                                   keyed([200, 200, 200, 200, 200, 200])),
        // Buyers have not registered example.com, so its list is not theirs to see.
        row("GET domain cdrs", Method::GET, |_| "/v1/domains/example.com/cdrs".into(), None,
                                                                   keyed([200, 200, 404, 404, 404, 404])),
        row("POST match", Method::POST, cdr("match"), Some(json!({ "phone": "+1 201 555 0123" })),
                                                                   keyed([200, 200, 200, 200, 200, 404])),
        row("GET cdrs", Method::GET, |_| "/v1/cdrs".into(), None,  keyed([200, 200, 200, 200, 200, 200])),
        row("POST search", Method::POST, |_| "/v1/cdrs/search".into(), Some(json!({ "email": "a@example.com" })),
                                                                   keyed([200, 200, 200, 200, 200, 200])),
        row("GET billing", Method::GET, |_| "/v1/billing/events".into(), None,
                                                                   keyed([200, 200, 200, 200, 200, 200])),
        row("GET org", Method::GET, |_| "/v1/org".into(), None,    keyed([200, 200, 200, 200, 200, 200])),
        row("PATCH org", Method::PATCH, |_| "/v1/org".into(), Some(json!({})),
                                                                   keyed([200, 200, 200, 200, 200, 200])),
        row("GET openapi", Method::GET, |_| "/v1/openapi.json".into(), None,
                                                                   [200; 10]),
    ];
    rows
}

fn code_of(status: u16) -> &'static str {
    match status {
        401 => "UNAUTHENTICATED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        412 => "FAILED_PRECONDITION",
        _ => "UNEXPECTED",
    }
}

#[tokio::test]
async fn every_endpoint_answers_every_kind_of_caller_as_the_rules_say() {
    let app = TestApp::start().await;
    let buyer = app.buyer().await;
    let revoked = create_key(&app.db, &buyer.org_id).await.unwrap().unwrap();
    revoke_key(&app.db, &revoked.key_id).await.unwrap().unwrap();
    let orgs = Orgs {
        generator_paying: app.generator(true).await,
        generator_unpaid: app.generator(false).await,
        buyer,
        stranger: app.buyer().await,
        revoked_key: revoked.api_key,
    };

    let mut failures = Vec::new();
    for row in rows() {
        for (caller, expected) in CALLERS.into_iter().zip(row.expected) {
            let cell = arrange(&app, &orgs, caller).await;
            let path = (row.path)(&cell).replace(&app.base, "");
            let response = app
                .call(
                    row.method.clone(),
                    cell.api_key.as_deref(),
                    &path,
                    row.body.clone(),
                )
                .await;
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            let envelope: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let code_ok = status == 200 || envelope["error"]["code"] == code_of(status);
            if status != expected || !code_ok {
                failures.push(format!(
                    "{} as {caller:?}: expected {expected}, got {status} {body:.200}",
                    row.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
