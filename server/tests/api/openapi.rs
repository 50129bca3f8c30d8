//! `GET /v1/openapi.json`: the document describes exactly the routes the app serves.

use std::collections::BTreeSet;

use expressconsent_server::http::app::app;
use reqwest::Method;
use serde_json::Value;

use crate::helpers::TestApp;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The `/v1` paths the app's router holds, read from the router itself (its `Debug`
/// output lists every registered path), so a route added without documentation is seen.
fn served_paths(app_state: &TestApp) -> BTreeSet<String> {
    let router = format!("{:?}", app(app_state.state.clone()));
    let paths: BTreeSet<String> = router
        .split('"')
        .filter(|s| s.starts_with("/v1/"))
        .map(str::to_owned)
        .collect();
    assert!(
        paths.len() >= 13,
        "the router's paths could not be read (did axum's Debug output change?): {paths:?}"
    );
    paths
}

/// A concrete URL path for a template: every `{param}` filled with a plausible value.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|segment| match segment {
            "{cdrId}" => "cdr_aaaaaaaaaaaaaaaaaaaaaaaa",
            "{token}" => "tttttttttttttttttttttttttttttttttttttttttt",
            "{domainId}" => "example.com",
            other => other,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_route_the_app_serves_is_in_the_openapi_document_and_no_other() {
    let app = TestApp::start().await;
    let response = app
        .client
        .get(format!("{}/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let doc: Value = response.json().await.unwrap();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            let methods = item.as_object().unwrap().keys();
            methods.map(move |m| (path.clone(), m.clone()))
        })
        .collect();

    let mut served = BTreeSet::new();
    for path in served_paths(&app) {
        for method in METHODS {
            let method_name = method.to_uppercase();
            let verb = Method::from_bytes(method_name.as_bytes()).unwrap();
            let status = app.call(verb, None, &concrete(&path), None).await.status();
            // 405 is the router's answer for a method the path does not have.
            if status != 405 {
                served.insert((path.clone(), method.to_owned()));
            }
        }
    }

    assert_eq!(served, documented);
}

#[tokio::test]
async fn every_operation_documents_its_errors_and_keyed_ones_their_key() {
    let app = TestApp::start().await;
    let doc: Value = app
        .client
        .get(format!("{}/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert!(doc["components"]["securitySchemes"]["apiKey"].is_object());
    for schema in [
        "Failure",
        "ErrorCode",
        "CdrDetails",
        "ClaimResult",
        "CdrPage",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let public = path == "/v1/openapi.json" || path == "/v1/captures";
            if path != "/v1/openapi.json" {
                assert!(responses.contains_key("500"), "{method} {path}");
                let errors = responses.keys().filter(|s| s.starts_with('4')).count();
                assert!(errors > 0, "{method} {path} documents no error");
            }
            if !public {
                assert!(responses.contains_key("401"), "{method} {path}");
                assert_eq!(
                    operation["security"][0]["apiKey"],
                    serde_json::json!([]),
                    "{method} {path}"
                );
            }
        }
    }
}
