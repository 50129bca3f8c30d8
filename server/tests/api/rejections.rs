//! Requests the server must refuse, and how: every body must be a JSON object, and every
//! refusal — of a body, a path, a query, a method or an unknown route — is the JSON
//! envelope with a stable code, never a framework's plain text. Nothing is stored by a
//! refused request.

use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::helpers::{capture_body, error_message, ok_data, TestApp, SITE};

/// Asserts the error envelope (status, code, request id) whatever the content type the
/// server claims, so that a plain-text answer fails here with its text shown.
async fn envelope(response: Response, status: u16, code: &str) -> String {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "answered {content_type:?} with status {}",
        response.status()
    );
    error_message(response, status, code).await
}

/// Bodies that are JSON but not objects: serde's derive would read the first two as the
/// struct's fields in order.
fn not_objects() -> [Value; 6] {
    [
        json!([false]),
        json!([]),
        Value::Null,
        json!("autoCollect"),
        json!(1),
        json!(true),
    ]
}

#[tokio::test]
async fn an_array_or_any_other_non_object_body_is_refused_by_every_route_and_changes_nothing() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let buyer = app.buyer().await;
    let (cdr_id, share_url) = app.shared_capture(&generator.org_id).await;
    let share_path = share_url.replace(&app.base, "");
    let before = (
        app.count("cdrs").await,
        app.count("shares").await,
        app.count("share_events").await,
        app.count("domains").await,
    );

    for body in not_objects() {
        let calls = [
            (
                Method::PATCH,
                generator.api_key.as_str(),
                "/v1/org".to_owned(),
            ),
            (
                Method::POST,
                generator.api_key.as_str(),
                "/v1/domains".to_owned(),
            ),
            (
                Method::POST,
                generator.api_key.as_str(),
                format!("/v1/cdrs/{cdr_id}/share"),
            ),
            (Method::POST, buyer.api_key.as_str(), share_path.clone()),
        ];
        for (method, key, path) in calls {
            let response = app
                .call(method.clone(), Some(key), &path, Some(body.clone()))
                .await;
            let message = envelope(response, 400, "INVALID_ARGUMENT").await;
            assert_eq!(
                message, "the request body must be a JSON object ({ … })",
                "{method} {path} with {body}"
            );
        }
        let capture = app
            .capture(&generator.org_id, SITE, &json!([capture_body("k-array")]))
            .await;
        envelope(capture, 400, "INVALID_ARGUMENT").await;
    }

    let settings = app.get_data(&generator.api_key, "/v1/org").await;
    assert_eq!(settings["autoCollect"], true, "[false] did not turn it off");
    let after = (
        app.count("cdrs").await,
        app.count("shares").await,
        app.count("share_events").await,
        app.count("domains").await,
    );
    assert_eq!(after, before, "no CDR, share, claim or domain was stored");
    assert_eq!(app.relation(&buyer.org_id, &cdr_id).await, None);
}

#[tokio::test]
async fn an_object_body_with_white_space_around_it_and_an_absent_optional_body_still_work() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let buyer = app.buyer().await;
    let (_, share_url) = app.shared_capture(&generator.org_id).await;

    let patched = app
        .client
        .patch(format!("{}/v1/org", app.base))
        .header("x-api-key", &generator.api_key)
        .body("\n\t {\"autoCollect\": false} \n")
        .send()
        .await
        .unwrap();
    let claimed = app.claim(&buyer.api_key, &share_url, None).await;

    assert_eq!(ok_data(patched).await["autoCollect"], false);
    assert_eq!(ok_data(claimed).await["access"], "free");
}

#[tokio::test]
async fn a_path_id_that_is_not_utf8_is_not_found_in_the_envelope_on_every_route() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let key = generator.api_key.as_str();

    for (method, path) in [
        (Method::GET, "/v1/cdrs/%FF%FE"),
        (Method::POST, "/v1/cdrs/%FF%FE/share"),
        (Method::POST, "/v1/cdrs/%FF%FE/collect"),
        (Method::GET, "/v1/cdrs/%FF%FE/snapshot"),
        (Method::GET, "/v1/cdrs/%FF%FE/image"),
        (Method::GET, "/v1/cdrs/%FF%FE/report"),
        (Method::POST, "/v1/shares/%C3%28"),
        (Method::GET, "/v1/domains/%FF/cdrs"),
        (Method::GET, "/v1/packages/%E2%82"),
    ] {
        let response = app.call(method.clone(), Some(key), path, None).await;
        let message = envelope(response, 404, "NOT_FOUND").await;
        assert!(
            message.contains("not valid UTF-8"),
            "{method} {path}: {message}"
        );
    }
}

#[tokio::test]
async fn bad_queries_wrong_methods_and_unknown_routes_answer_the_envelope() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let key = Some(generator.api_key.as_str());

    for query in [
        "pageSize=%FF",
        "pageSize=abc",
        "pageSize=0",
        "order=sideways",
    ] {
        let path = format!("/v1/billing/events?{query}");
        let response = app.call(Method::GET, key, &path, None).await;
        let message = envelope(response, 400, "INVALID_ARGUMENT").await;
        assert!(
            message.contains("pageSize") || message.contains("order"),
            "{query}: {message}"
        );
    }
    let response = app
        .call(
            Method::GET,
            key,
            "/v1/domains/example.com/cdrs?metadataKey=&metadataValue=1",
            None,
        )
        .await;
    envelope(response, 400, "INVALID_ARGUMENT").await;

    let wrong_method = app.call(Method::DELETE, key, "/v1/org", None).await;
    let allow = wrong_method.headers().get("allow").cloned();
    envelope(wrong_method, 405, "METHOD_NOT_ALLOWED").await;
    let allow = allow.expect("a 405 says which methods the path has");
    let allow = allow.to_str().unwrap();
    assert!(allow.contains("GET") && allow.contains("PATCH"), "{allow}");

    for path in ["/v1/nothing", "/v2/cdrs", "/v1/cdrs/%FF%FE/nothing"] {
        let response = app.call(Method::GET, key, path, None).await;
        envelope(response, 404, "NOT_FOUND").await;
    }
}

#[tokio::test]
async fn an_array_in_place_of_a_nested_object_is_refused_without_naming_rust_types() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;

    let mut messages = Vec::new();
    for (field, array) in [("page", json!([])), ("snapshot", json!(["<p>x</p>"]))] {
        let mut body = capture_body(&format!("nested-{field}"));
        body[field] = array;
        let response = app.capture(&generator.org_id, SITE, &body).await;
        messages.push(envelope(response, 400, "INVALID_ARGUMENT").await);
    }

    for message in &messages {
        assert!(message.contains("expected a JSON object"), "{message}");
        assert!(!message.contains("struct"), "{message}");
    }
    app.assert_nothing_stored().await;
}
