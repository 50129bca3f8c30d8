//! `captureCDR` and `init` as a page calls them: bad calls reject with stable codes and
//! never throw; server answers map to the codes a page branches on; what cannot be
//! delivered is kept for the next page load.

use expressconsent_sdk::error::ErrorCode;
use expressconsent_sdk::upload;
use expressconsent_sdk::upload::answer::parse_body;
use expressconsent_sdk::upload::body::Body;
use expressconsent_sdk::upload::{pending, Attempt, Upload};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::helpers::{json, prop, rejection};

/// `custom` whose JSON is exactly `bytes` long: `{"k":"xxx…"}`.
fn custom_of_bytes(bytes: usize) -> String {
    format!(
        r#"{{"custom":{{"k":"{}"}}}}"#,
        "x".repeat(bytes - r#"{"k":""}"#.len())
    )
}

#[wasm_bindgen_test]
async fn bad_options_reject_with_invalid_argument() {
    let two_years_and_a_ms = 2 * 365 * 24 * 3_600_000u64 + 1;
    for options in [
        r#"{"autoShare":{"expiresInMs":0}}"#.to_owned(),
        r#"{"autoShare":{"expiresInMs":-5}}"#.to_owned(),
        r#"{"autoShare":{"expiresInMs":1.5}}"#.to_owned(),
        format!(r#"{{"autoShare":{{"expiresInMs":{two_years_and_a_ms}}}}}"#),
        r#"{"autoShare":"yes"}"#.to_owned(),
        custom_of_bytes(16 * 1024 + 1),
        r#"{"custom":"not an object"}"#.to_owned(),
        r#"{"custom":[1,2]}"#.to_owned(),
        r#"{"subGroupIds":["a","b","c","d","e","f"]}"#.to_owned(),
        r#"{"subGroupIds":["a","a"]}"#.to_owned(),
        r#"{"subGroupIds":[""]}"#.to_owned(),
        r#"{"subGroupIds":"a"}"#.to_owned(),
        r#"{"triggerEvent":{"target":null}}"#.to_owned(),
        r#"{"highlightTarget":7}"#.to_owned(),
        r#"{"timeoutMs":0}"#.to_owned(),
        r#"{"timeoutMs":"fast"}"#.to_owned(),
        r#""options as a string""#.to_owned(),
    ] {
        let (code, message) = rejection(json(&options)).await;
        assert_eq!(code, "INVALID_ARGUMENT", "{options} → {message}");
        assert!(!message.is_empty());
    }
}

#[wasm_bindgen_test]
async fn good_options_pass_validation_and_then_need_init() {
    for options in [
        JsValue::UNDEFINED,
        json("{}"),
        json(r#"{"autoShare":true,"subGroupIds":["a","b","c","d","e"],"timeoutMs":500}"#),
        json(r#"{"autoShare":{"expiresInMs":63072000000},"highlightTarget":"tcpa"}"#),
        json(r#"{"autoShare":false,"custom":{"leadId":"L-1","nested":{"n":[1,2]}}}"#),
        json(&custom_of_bytes(16 * 1024)),
    ] {
        let (code, _) = rejection(options).await;
        assert_eq!(code, "NOT_INITIALIZED");
    }
}

#[wasm_bindgen_test]
fn init_without_a_cid_or_with_a_bad_api_fails_with_invalid_argument() {
    for config in [
        r#"{}"#,
        r#"{"cid":"  "}"#,
        r#"{"cid":"cid_1","api":"ftp://x"}"#,
        r#"null"#,
    ] {
        let error = expressconsent_sdk::init(json(config)).expect_err(config);
        assert_eq!(prop(&error, "code"), "INVALID_ARGUMENT", "{config}");
    }
}

#[wasm_bindgen_test]
fn server_refusals_map_to_stable_codes_and_keep_what_the_server_said() {
    let forbidden = r#"{"ok":false,"error":{"code":"FORBIDDEN","message":"example.org is not registered","requestId":"r1"}}"#;
    let refused = upload::read_answer(403, &parse_body(forbidden)).unwrap_err();
    assert_eq!(refused.code, ErrorCode::Rejected);
    assert_eq!(refused.message, "example.org is not registered");
    let js = refused.to_js();
    assert_eq!(prop(&js, "code"), "REJECTED");
    assert_eq!(prop(&js, "status"), 403);
    assert_eq!(prop(&js, "serverCode"), "FORBIDDEN");

    let too_large =
        r#"{"ok":false,"error":{"code":"PAYLOAD_TOO_LARGE","message":"m","requestId":"r"}}"#;
    let error = upload::read_answer(413, &parse_body(too_large)).unwrap_err();
    assert_eq!(
        (error.code, error.server_code.as_deref()),
        (ErrorCode::InvalidArgument, Some("PAYLOAD_TOO_LARGE"))
    );
    assert_eq!(
        upload::read_answer(502, &parse_body("<html>Bad gateway</html>"))
            .unwrap_err()
            .code,
        ErrorCode::Network
    );
    assert_eq!(
        upload::read_answer(200, &parse_body("not json"))
            .unwrap_err()
            .code,
        ErrorCode::Rejected
    );
}

#[wasm_bindgen_test]
fn a_success_resolves_with_the_result_as_a_plain_object() {
    let data = r#"{"cdrId":"cdr_1","packageData":{"packageId":"pkg_1","subGroupIdMap":{"a":"pkg_2"}},"shareUrl":"https://h/v1/shares/t","shareToken":"t","shareExpiresAt":1700000000000}"#;
    let body = format!(r#"{{"ok":true,"requestId":"r","data":{data}}}"#);

    let result = upload::read_answer(201, &parse_body(&body)).unwrap();

    assert_eq!(
        String::from(js_sys::JSON::stringify(&result).unwrap()),
        data
    );
    assert_eq!(
        js_sys::Object::get_prototype_of(&result),
        js_sys::Object::get_prototype_of(&js_sys::Object::new()),
        "a plain object"
    );
    // A 2xx whose data is not a result did not come from the API.
    for data in [
        r#"{"packageData":{"packageId":"pkg_1"}}"#,
        r#"{"cdrId":"cdr_1"}"#,
        r#"{"cdrId":"cdr_1","packageData":{}}"#,
    ] {
        let body = format!(r#"{{"ok":true,"requestId":"r","data":{data}}}"#);
        let error = upload::read_answer(200, &parse_body(&body)).unwrap_err();
        assert_eq!(error.code, ErrorCode::Rejected, "{data}");
    }
}

#[wasm_bindgen_test]
fn a_tab_keeps_one_package_and_each_capture_gets_a_fresh_key() {
    let first = upload::package_id();
    let again = upload::package_id();
    let storage = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap();

    assert_eq!(first, again);
    assert!(first.starts_with("pkg_") && first.len() == 36, "{first}");
    assert_eq!(storage.get_item(upload::PACKAGE_KEY).unwrap(), Some(first));
    assert_ne!(upload::random_uuid(), upload::random_uuid());
    assert_eq!(upload::random_uuid().len(), 36);
}

#[wasm_bindgen_test]
fn only_passing_failures_are_retried() {
    let refusal = |code: &str| {
        parse_body(&format!(
            r#"{{"ok":false,"error":{{"code":"{code}","message":"m","requestId":"r"}}}}"#
        ))
    };
    let retried = |status: u16, body: &JsValue| {
        matches!(Attempt::from_answer(status, body), Attempt::Failed(_))
    };
    let refused = |status: u16, body: &JsValue| {
        matches!(Attempt::from_answer(status, body), Attempt::Refused(_))
    };

    assert!(refused(400, &refusal("INVALID_ARGUMENT")));
    assert!(refused(403, &refusal("FORBIDDEN")));
    assert!(refused(413, &refusal("PAYLOAD_TOO_LARGE")));
    assert!(refused(404, &parse_body("not the API")));
    assert!(retried(429, &refusal("RATE_LIMITED")));
    assert!(retried(408, &JsValue::UNDEFINED));
    assert!(retried(500, &refusal("INTERNAL")));
    assert!(retried(503, &parse_body("<html>down</html>")));
    assert!(retried(200, &parse_body("captive portal")));
}

fn upload_with_key(key: &str, bytes: &[u8]) -> Upload {
    Upload {
        key: key.to_owned(),
        url: "http://127.0.0.1:9/v1/captures?cid=cid_test".to_owned(),
        body: Body {
            data: js_sys::Uint8Array::from(bytes).into(),
            gzip: true,
        },
    }
}

fn kept_keys() -> Vec<String> {
    pending::kept().into_iter().map(|k| k.key).collect()
}

#[wasm_bindgen_test]
fn an_undelivered_capture_is_kept_with_its_key_and_bytes_and_the_queue_stays_bounded() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.clear().unwrap();
    let every_byte: Vec<u8> = (0..=255).collect();

    assert!(pending::keep(&upload_with_key("key-0", &every_byte)));

    let kept = pending::kept();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].key, "key-0");
    assert!(kept[0].item.starts_with(pending::PREFIX));
    let value = storage.get_item(&kept[0].item).unwrap().unwrap();
    let (header, body) = value.split_once('\n').unwrap();
    assert_eq!(header, "gzip http://127.0.0.1:9/v1/captures?cid=cid_test");
    let stored: Vec<u8> = body
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    assert_eq!(stored, every_byte, "every byte value survives storage");

    // Keeping the same capture again replaces it.
    assert!(pending::keep(&upload_with_key("key-0", b"again")));
    assert_eq!(kept_keys(), ["key-0"]);

    for i in 1..=pending::MAX_ENTRIES {
        assert!(pending::keep(&upload_with_key(&format!("key-{i}"), b"x")));
    }
    let keys = kept_keys();
    assert_eq!(keys.len(), pending::MAX_ENTRIES, "{keys:?}");
    assert!(
        !keys.contains(&"key-0".to_owned()),
        "the oldest is dropped first: {keys:?}"
    );

    let huge = vec![b'x'; pending::MAX_CHARS + 1];
    assert!(
        !pending::keep(&upload_with_key("huge", &huge)),
        "larger than the whole budget"
    );
    assert_eq!(
        kept_keys().len(),
        pending::MAX_ENTRIES,
        "and nothing was dropped for it"
    );

    pending::remove("key-3");
    assert!(!kept_keys().contains(&"key-3".to_owned()));
    storage.clear().unwrap();
}
