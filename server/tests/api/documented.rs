//! The OpenAPI document is the truth: every limit it states is the one the server
//! enforces, checked at its edge (the documented bound is accepted, one past it is refused
//! with `INVALID_ARGUMENT` and stores nothing); no body is offered as `null`; and its links
//! chain capture → share → claim → read when a client follows them literally.

use expressconsent_protocol::{MAX_DISCLOSURE_CHARS, MAX_SHARE_EXPIRY_MS, MAX_SUB_GROUP_IDS};
use expressconsent_server::evidence::ingest::MAX_KEY_CHARS;
use expressconsent_server::http::openapi::{HOST_PATTERN, NOT_BLANK};
use expressconsent_server::http::pagination::MAX_PAGE_SIZE;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{auto_share_body, capture_body, error_message, ok_data, TestApp, SITE};

async fn document(app: &TestApp) -> Value {
    let url = format!("{}/v1/openapi.json", app.base);
    app.client
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A property of a component schema.
fn property<'a>(doc: &'a Value, schema: &str, name: &str) -> &'a Value {
    let found = &doc["components"]["schemas"][schema]["properties"][name];
    assert!(found.is_object(), "{schema}.{name} is in the document");
    found
}

/// A query parameter's schema of the operation at `path` (GET).
fn query_parameter<'a>(doc: &'a Value, path: &str, name: &str) -> &'a Value {
    let parameters = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
    let found = parameters
        .iter()
        .find(|p| p["name"] == name && p["in"] == "query");
    &found.unwrap_or_else(|| panic!("{name} of {path}"))["schema"]
}

fn number(value: &Value) -> u64 {
    value
        .as_u64()
        .unwrap_or_else(|| panic!("a whole number: {value}"))
}

#[tokio::test]
async fn the_document_states_each_limit_the_server_enforces() {
    let app = TestApp::start().await;
    let doc = document(&app).await;

    for key in ["idempotencyKey", "packageId"] {
        let schema = property(&doc, "CaptureRequest", key);
        assert_eq!(number(&schema["minLength"]), 1, "{key}");
        assert_eq!(number(&schema["maxLength"]), MAX_KEY_CHARS as u64, "{key}");
        assert_eq!(schema["pattern"], NOT_BLANK, "{key}");
    }
    let groups = property(&doc, "CaptureRequest", "subGroupIds");
    assert_eq!(number(&groups["maxItems"]), MAX_SUB_GROUP_IDS as u64);
    assert_eq!(groups["uniqueItems"], true);
    assert_eq!(number(&groups["items"]["minLength"]), 1);
    assert_eq!(groups["items"]["pattern"], NOT_BLANK);
    for schema in ["ShareRequest", "AutoShare"] {
        let expiry = property(&doc, schema, "expiresInMs");
        assert_eq!(number(&expiry["minimum"]), 1, "{schema}");
        assert_eq!(number(&expiry["maximum"]), MAX_SHARE_EXPIRY_MS, "{schema}");
    }
    let domain = property(&doc, "RegisterDomain", "domain");
    assert_eq!(number(&domain["minLength"]), 1);
    assert_eq!(number(&domain["maxLength"]), 253);
    assert_eq!(domain["pattern"], HOST_PATTERN);
    let text = property(&doc, "Disclosure", "text");
    assert_eq!(number(&text["maxLength"]), MAX_DISCLOSURE_CHARS as u64);
    for path in ["/v1/billing/events", "/v1/domains/{domainId}/cdrs"] {
        let size = query_parameter(&doc, path, "pageSize");
        assert_eq!(number(&size["minimum"]), 1, "{path}");
        assert_eq!(number(&size["maximum"]), u64::from(MAX_PAGE_SIZE), "{path}");
    }
    // Both or neither: one optional object parameter whose two properties are required.
    let pair = query_parameter(&doc, "/v1/domains/{domainId}/cdrs", "metadata");
    assert_eq!(pair["required"], json!(["metadataKey", "metadataValue"]));
    assert_eq!(number(&pair["properties"]["metadataKey"]["minLength"]), 1);
}

#[tokio::test]
async fn each_documented_bound_is_accepted_and_one_past_it_is_refused() {
    let app = TestApp::start().await;
    let doc = document(&app).await;
    let generator = app.generator(true).await;
    let key = generator.api_key.as_str();
    let (cdr_id, _) = app.shared_capture(&generator.org_id).await;
    let share = format!("/v1/cdrs/{cdr_id}/share");

    let expiry = property(&doc, "ShareRequest", "expiresInMs");
    let (min, max) = (number(&expiry["minimum"]), number(&expiry["maximum"]));
    for ok in [min, max] {
        let body = Some(json!({ "expiresInMs": ok }));
        ok_data(app.post(key, &share, body).await).await;
    }
    for bad in [min - 1, max + 1] {
        let body = Some(json!({ "expiresInMs": bad }));
        error_message(app.post(key, &share, body).await, 400, "INVALID_ARGUMENT").await;
    }

    let longest = number(&property(&doc, "CaptureRequest", "idempotencyKey")["maxLength"]);
    let at_limit = "é".repeat(longest as usize);
    app.captured(&generator.org_id, &capture_body(&at_limit))
        .await;
    let cdrs = app.count("cdrs").await;
    let past = app
        .capture(
            &generator.org_id,
            SITE,
            &capture_body(&format!("{at_limit}x")),
        )
        .await;
    error_message(past, 400, "INVALID_ARGUMENT").await;
    assert_eq!(app.count("cdrs").await, cdrs, "nothing stored");

    let most = number(&property(&doc, "CaptureRequest", "subGroupIds")["maxItems"]);
    let groups = |n: u64| (0..n).map(|i| format!("group-{i}")).collect::<Vec<_>>();
    let mut body = auto_share_body("groups-at-limit", None);
    body["subGroupIds"] = json!(groups(most));
    app.captured(&generator.org_id, &body).await;
    body["idempotencyKey"] = json!("groups-past-limit");
    body["subGroupIds"] = json!(groups(most + 1));
    let past = app.capture(&generator.org_id, SITE, &body).await;
    error_message(past, 400, "INVALID_ARGUMENT").await;

    let size = query_parameter(&doc, "/v1/billing/events", "pageSize");
    let largest = number(&size["maximum"]);
    let path = |n: u64| format!("/v1/billing/events?pageSize={n}");
    ok_data(app.get(key, &path(largest)).await).await;
    error_message(
        app.get(key, &path(largest + 1)).await,
        400,
        "INVALID_ARGUMENT",
    )
    .await;

    let longest = number(&property(&doc, "RegisterDomain", "domain")["maxLength"]) as usize;
    let label = "a".repeat(63);
    let host = format!("{label}.{label}.{label}.{}", "b".repeat(longest - 3 * 64));
    assert_eq!(host.len(), longest);
    let register = |domain: String| Some(json!({ "domain": domain }));
    ok_data(app.post(key, "/v1/domains", register(host.clone())).await).await;
    let longer = format!(
        "{label}.{label}.{label}.{}",
        "b".repeat(longest - 3 * 64 + 1)
    );
    let past = app.post(key, "/v1/domains", register(longer)).await;
    error_message(past, 400, "INVALID_ARGUMENT").await;
    let empty = app.post(key, "/v1/domains", register(String::new())).await;
    error_message(empty, 400, "INVALID_ARGUMENT").await;

    // A count the SDK sends: the document's maximum is the server's (int32's implied
    // 2,147,483,647 would refuse what the server takes).
    let fields = property(&doc, "Telemetry", "fields");
    let keystrokes = &fields["additionalProperties"]["properties"]["keystrokes"];
    assert_eq!(keystrokes["format"], "int64");
    let most = number(&keystrokes["maximum"]);
    let mut body = capture_body("keystrokes-at-limit");
    body["telemetry"] = json!({ "fields": { "email": { "keystrokes": most } } });
    app.captured(&generator.org_id, &body).await;
    body["idempotencyKey"] = json!("keystrokes-past-limit");
    body["telemetry"]["fields"]["email"]["keystrokes"] = json!(most + 1);
    let past = app.capture(&generator.org_id, SITE, &body).await;
    error_message(past, 400, "INVALID_ARGUMENT").await;
}

#[tokio::test]
async fn no_request_body_is_offered_as_null_and_optional_ones_stay_optional() {
    let app = TestApp::start().await;
    let doc = document(&app).await;

    let mut optional = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(body) = operation.get("requestBody") else {
                continue;
            };
            let schema = &body["content"]["application/json"]["schema"];
            let text = schema.to_string();
            assert!(!text.contains("\"null\""), "{method} {path}: {text}");
            assert!(schema["$ref"].is_string(), "{method} {path}: {text}");
            if body["required"] != true {
                optional.push(format!("{method} {path}"));
            }
        }
    }
    for absent_is_fine in ["post /v1/cdrs/{cdrId}/share", "post /v1/shares/{token}"] {
        assert!(
            optional.iter().any(|o| o == absent_is_fine),
            "{absent_is_fine}"
        );
    }
}

/// Evaluates a link's `$response.body#/…` expression against a response body.
fn follow(expression: &str, body: &Value) -> String {
    let pointer = expression
        .strip_prefix("$response.body#")
        .expect("a body expression");
    body.pointer(pointer)
        .and_then(Value::as_str)
        .expect(expression)
        .to_owned()
}

/// The operation a link names, as (method, path template).
fn operation_of(doc: &Value, operation_id: &str) -> (Method, String) {
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if operation["operationId"] == operation_id {
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                return (method, path.clone());
            }
        }
    }
    panic!("no operation {operation_id}");
}

/// Calls the operation a link of `from`'s 200 answer names, with the link's parameter
/// filled from `answer`.
async fn call_link(
    app: &TestApp,
    doc: &Value,
    api_key: &str,
    from: (&str, &str),
    link: &str,
    answer: &Value,
) -> Value {
    let link = &doc["paths"][from.1][from.0]["responses"]["200"]["links"][link];
    let Some(operation_id) = link["operationId"].as_str() else {
        panic!("no link {from:?} {link}");
    };
    let (method, mut path) = operation_of(doc, operation_id);
    for (name, expression) in link["parameters"].as_object().unwrap() {
        let value = follow(expression.as_str().unwrap(), answer);
        path = path.replace(&format!("{{{name}}}"), &value);
    }
    ok_data(app.call(method, Some(api_key), &path, None).await).await
}

#[tokio::test]
async fn following_the_documents_links_chains_capture_share_claim_and_read() {
    let app = TestApp::start().await;
    let doc = document(&app).await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;
    let capture = json!({ "data": app.captured(&generator.org_id, &capture_body("k")).await });

    let capture_op = ("post", "/v1/captures");
    let share = call_link(
        &app,
        &doc,
        &generator.api_key,
        capture_op,
        "ShareTheCdr",
        &capture,
    );
    let share = json!({ "data": share.await });
    let share_op = ("post", "/v1/cdrs/{cdrId}/share");
    let claim = call_link(
        &app,
        &doc,
        &buyer.api_key,
        share_op,
        "ClaimTheShare",
        &share,
    );
    let claim = json!({ "data": claim.await });
    let claim_op = ("post", "/v1/shares/{token}");
    let read = call_link(
        &app,
        &doc,
        &buyer.api_key,
        claim_op,
        "ReadTheClaimedCdr",
        &claim,
    );
    let read = read.await;

    assert_eq!(claim["data"]["access"], "paid");
    assert_eq!(read["cdrId"], capture["data"]["cdrId"]);
    let auto =
        json!({ "data": app.captured(&generator.org_id, &auto_share_body("a", None)).await });
    let claimed = call_link(
        &app,
        &doc,
        &buyer.api_key,
        capture_op,
        "ClaimTheAutoShare",
        &auto,
    );
    assert_eq!(claimed.await["cdrId"], auto["data"]["cdrId"]);
}

#[tokio::test]
async fn an_integer_written_with_a_zero_fraction_is_the_integer_json_schema_says_it_is() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let (cdr_id, _) = app.shared_capture(&generator.org_id).await;
    let share = format!("/v1/cdrs/{cdr_id}/share");

    let minted = app
        .post(
            &generator.api_key,
            &share,
            Some(json!({ "expiresInMs": 60000.0 })),
        )
        .await;
    let fraction = app
        .post(
            &generator.api_key,
            &share,
            Some(json!({ "expiresInMs": 60000.5 })),
        )
        .await;

    let minted = ok_data(minted).await;
    let lifetime = minted["shareExpiresAt"].as_i64().unwrap() - expressconsent_server::db::now_ms();
    assert!((0..=60_000).contains(&lifetime), "{lifetime}");
    error_message(fraction, 400, "INVALID_ARGUMENT").await;
}
