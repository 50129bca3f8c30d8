//! Disclosures, consent checkboxes and the trigger report what the consumer could see and do.

use expressconsent_sdk::{consent, contrast, trigger};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::Event;

use crate::helpers::{document, Fixture};

fn disclosure(id: &str) -> expressconsent_protocol::Disclosure {
    consent::disclosures()
        .unwrap()
        .into_iter()
        .find(|d| d.id == id)
        .unwrap()
}

#[wasm_bindgen_test]
fn a_visible_disclosure_reports_its_text_size_and_contrast() {
    let _page = Fixture::new(
        r#"<p data-ec-disclosure="tcpa-visible"
              style="position:fixed;top:0;left:0;font-size:14px;color:#000;background:#fff">
             By clicking Submit you agree to be contacted.
           </p>"#,
    );

    let shown = disclosure("tcpa-visible");

    assert_eq!(shown.text, "By clicking Submit you agree to be contacted.");
    assert!(shown.rendered && shown.in_viewport);
    assert_eq!(shown.opacity, 1.0);
    assert_eq!(shown.font_size_px, 14.0);
    assert_eq!(shown.contrast_ratio, Some(21.0));
}

#[wasm_bindgen_test]
fn a_hidden_or_faded_disclosure_says_so() {
    let _page = Fixture::new(
        r#"<p data-ec-disclosure="tcpa-none" style="display:none">Hidden terms</p>
           <p data-ec-disclosure="tcpa-invisible" style="visibility:hidden">Invisible terms</p>
           <div style="opacity:0.5"><p data-ec-disclosure="tcpa-faded" style="opacity:0.2">Faded</p></div>"#,
    );

    let none = disclosure("tcpa-none");
    assert_eq!(
        none.text, "Hidden terms",
        "the text is kept even when it was not shown"
    );
    assert!(!none.rendered && !none.in_viewport);
    assert!(!disclosure("tcpa-invisible").rendered);
    assert!((disclosure("tcpa-faded").opacity - 0.1).abs() < 1e-6);
}

#[wasm_bindgen_test]
fn masked_parts_of_a_disclosure_are_masked_in_its_text() {
    let _page = Fixture::new(
        r#"<p data-ec-disclosure="tcpa-masked">Call <span data-ec-mask>555-0100</span></p>"#,
    );

    assert_eq!(disclosure("tcpa-masked").text, "Call ••••••••");
}

#[wasm_bindgen_test]
fn consent_checkboxes_report_their_state_and_binding() {
    let page = Fixture::new(
        r#"<input id="cb-native" type="checkbox" data-ec-consent-checkbox data-ec-consent-for="cb-a">
           <div role="checkbox" aria-checked="true" data-ec-consent-checkbox data-ec-consent-for="cb-b"></div>
           <label data-ec-consent-checkbox data-ec-consent-for="cb-c"><input type="checkbox"> I agree</label>"#,
    );
    page.input("#cb-native").set_checked(true);

    let boxes = consent::checkboxes().unwrap();
    let checked = |id: &str| {
        boxes
            .iter()
            .find(|b| b.consent_for.as_deref() == Some(id))
            .unwrap()
            .checked
    };

    assert!(checked("cb-a"));
    assert!(checked("cb-b"));
    assert!(!checked("cb-c"));
}

#[wasm_bindgen_test]
fn the_trigger_records_the_pressed_control_and_that_script_dispatched_it() {
    let page = Fixture::new(
        r#"<form><button id="trig-go" data-ec-submit>  Get my quote </button></form>"#,
    );
    let event = Event::new("click").unwrap();
    page.find("#trig-go").dispatch_event(&event).unwrap();

    let recorded = trigger::from_event(&event);

    assert_eq!(recorded.tag_name, "button");
    assert_eq!(recorded.text, "Get my quote");
    assert_eq!(recorded.event_type, "click");
    assert!(recorded.is_tagged_submit);
    assert!(
        !recorded.is_trusted,
        "a script-dispatched click is not trusted"
    );
    assert!((recorded.time - js_sys::Date::now()).abs() < 60_000.0);
    let found = document()
        .query_selector(&recorded.selector)
        .unwrap()
        .unwrap();
    assert_eq!(
        found.id(),
        "trig-go",
        "the selector finds the control again"
    );
}

#[wasm_bindgen_test]
fn a_submit_event_records_the_button_that_was_pressed_not_the_form() {
    let page = Fixture::new(
        r#"<form id="sub-form"><p data-ec-mask>secret-label</p>
             <button>Back</button><button id="sub-go" data-ec-submit>Send</button></form>"#,
    );
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"submitter".into(), &page.find("#sub-go")).unwrap();
    let constructor: js_sys::Function =
        js_sys::Reflect::get(&js_sys::global(), &"SubmitEvent".into())
            .unwrap()
            .unchecked_into();
    let args = js_sys::Array::of2(&"submit".into(), &init);
    let event: Event = js_sys::Reflect::construct(&constructor, &args)
        .unwrap()
        .unchecked_into();
    page.find("#sub-form").dispatch_event(&event).unwrap();

    let recorded = trigger::from_event(&event);

    assert_eq!(
        (recorded.tag_name.as_str(), recorded.text.as_str()),
        ("button", "Send")
    );
    assert_eq!(recorded.event_type, "submit");
    assert!(recorded.is_tagged_submit);
    assert!(
        recorded
            .selector
            .ends_with("form#sub-form > button#sub-go:nth-of-type(2)"),
        "{}",
        recorded.selector
    );
}

#[wasm_bindgen_test]
fn contrast_follows_wcag() {
    let black = contrast::parse_color("rgb(0, 0, 0)").unwrap();
    let white = contrast::parse_color("rgba(255, 255, 255, 1)").unwrap();
    let grey = contrast::parse_color("rgb(204 204 204)").unwrap();

    assert_eq!(contrast::ratio(black, white), 21.0);
    assert_eq!(contrast::ratio(grey, white), 1.61);
    assert_eq!(contrast::parse_color("oklch(0.5 0.1 20)"), None);
}

#[wasm_bindgen_test]
fn a_script_dispatched_press_of_a_submit_control_is_never_taken_as_the_trigger() {
    let page = Fixture::new(
        r#"<form id="auto-form"><button id="auto-go" data-ec-submit>Send</button></form>"#,
    );
    let go = page.find("#auto-go");

    go.dispatch_event(&Event::new("click").unwrap()).unwrap();
    page.find("#auto-form")
        .dispatch_event(&Event::new("submit").unwrap())
        .unwrap();

    assert!(
        trigger::detected().is_none(),
        "only trusted presses are recorded, and a test page has none"
    );
}
