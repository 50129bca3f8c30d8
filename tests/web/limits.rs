//! A real page never fails a capture for its size: whatever the page holds, the SDK cuts
//! what it would upload to the protocol's limits, marks what it cut, and the very check
//! the server runs accepts the result.

use expressconsent_protocol::{
    check_capture, CaptureRequest, MAX_CONSENT_CHECKBOXES, MAX_DISCLOSURES, MAX_TELEMETRY_FIELDS,
    MAX_TEXT_CHARS, MAX_URL_CHARS, TRIM_MARKER,
};
use expressconsent_sdk::capture::read_page;
use expressconsent_sdk::options::CaptureOptions;
use expressconsent_sdk::upload::wire;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::Event;

use crate::helpers::{document, Fixture};

/// A page over every limit: 60 disclosures and checkboxes, 600 fields with 300-character
/// names, a submit button whose id and label are 3,000 characters long.
fn huge_form() -> Fixture {
    let mut html = String::new();
    for i in 0..60 {
        html.push_str(&format!(
            "<p data-ec-disclosure=\"d{i}\">I agree ({i}) to be called.</p>\
             <input type=checkbox data-ec-consent-checkbox data-ec-consent-for=\"d{i}\" checked>"
        ));
    }
    let long_name = "n".repeat(300);
    for i in 0..600 {
        html.push_str(&format!("<input name=\"{long_name}{i}\" value=\"v\">"));
    }
    html.push_str(&format!(
        "<button id=\"b{}\" data-ec-submit>{}</button>",
        "x".repeat(3_000),
        "Send ".repeat(600)
    ));
    Fixture::new(&html)
}

/// What the SDK would upload, as the server parses it.
fn upload_of(options: &JsValue) -> CaptureRequest {
    let request = read_page(CaptureOptions::from_js(options).unwrap()).unwrap();
    let json = js_sys::JSON::stringify(&wire::request(&request, None)).unwrap();
    serde_json::from_str(&String::from(json)).unwrap()
}

#[wasm_bindgen_test]
fn a_page_over_every_limit_uploads_a_capture_the_server_accepts() {
    let form = huge_form();
    let window = web_sys::window().unwrap();
    let history = window.history().unwrap();
    let original_url = window.location().href().unwrap();
    let original_title = document().title();
    let long_url = format!("{original_url}?q={}", "é".repeat(9_000));
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&long_url))
        .unwrap();
    document().set_title(&"Título ".repeat(1_000));
    let event = Event::new("click").unwrap();
    form.find("button").dispatch_event(&event).unwrap();
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"triggerEvent".into(), event.unchecked_ref()).unwrap();

    let upload = upload_of(&options);

    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&original_url))
        .unwrap();
    document().set_title(&original_title);
    assert_eq!(check_capture(&upload), Ok(()));
    let cut = |text: &str, max: usize| text.chars().count() == max && text.ends_with(TRIM_MARKER);
    assert!(
        cut(&upload.page.url, MAX_URL_CHARS),
        "the URL is cut and marked"
    );
    assert!(
        cut(&upload.page.title, MAX_TEXT_CHARS),
        "the title is cut and marked"
    );
    let trigger = upload.trigger.expect("the trigger");
    assert!(
        cut(&trigger.selector, MAX_TEXT_CHARS),
        "{}",
        trigger.selector.len()
    );
    assert_eq!(upload.disclosures.len(), MAX_DISCLOSURES);
    assert_eq!(upload.disclosures[0].id, "d0", "the first ones are kept");
    assert_eq!(upload.consent_checkboxes.len(), MAX_CONSENT_CHECKBOXES);
    assert_eq!(upload.telemetry.fields.len(), MAX_TELEMETRY_FIELDS);
    let warnings = upload.snapshot.warnings.join("\n");
    assert!(
        warnings.contains("60 disclosures on the page; the first 50 are kept"),
        "{warnings}"
    );
    assert!(warnings.contains("60 consent checkboxes"), "{warnings}");
    assert!(
        warnings.contains("fields on the page; the first 500 are kept"),
        "{warnings}"
    );
}

#[wasm_bindgen_test]
fn a_nul_character_in_a_tag_is_replaced_so_the_capture_can_be_stored() {
    let form = Fixture::new("<p>I agree.</p>");
    // Script can put a NUL in an attribute; no database stores it.
    form.find("p")
        .set_attribute("data-ec-disclosure", "tcpa\u{0}v2")
        .unwrap();

    let upload = upload_of(&js_sys::Object::new().into());

    assert_eq!(upload.disclosures[0].id, "tcpa\u{FFFD}v2");
    assert_eq!(check_capture(&upload), Ok(()));
}
