//! `triggerEvent` must be a real DOM `Event`: one from an iframe's realm counts, an object
//! that only looks like an event is recorded as untrusted and says so.

use expressconsent_sdk::trigger;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Event, HtmlIFrameElement};

use crate::helpers::{prop, Fixture};

#[wasm_bindgen_test]
fn an_event_made_in_an_iframe_is_recorded_as_a_real_event() {
    let page = Fixture::new(r#"<iframe id="trig-frame"></iframe>"#);
    let frame: HtmlIFrameElement = page.find("#trig-frame").unchecked_into();
    let frame_window = frame.content_window().expect("the iframe has a window");
    let frame_document = frame.content_document().expect("same-origin document");
    frame_document
        .body()
        .unwrap()
        .set_inner_html(r#"<button id="inner-go" data-ec-submit>Send</button>"#);
    let button = frame_document.get_element_by_id("inner-go").unwrap();
    // `new frameWindow.Event("click")`: an event of the iframe's realm.
    let constructor: js_sys::Function = prop(&frame_window, "Event").unchecked_into();
    let args = js_sys::Array::of1(&JsValue::from_str("click"));
    let event = js_sys::Reflect::construct(&constructor, &args).unwrap();
    button.dispatch_event(event.unchecked_ref()).unwrap();
    assert!(
        !event.is_instance_of::<Event>(),
        "the event is not an instance of the top window's Event"
    );

    let recorded = trigger::from_event(event.unchecked_ref());

    assert!(!recorded.not_an_event, "an iframe's event is a real event");
    assert_eq!(recorded.tag_name, "button");
    assert!(recorded.is_tagged_submit);
    assert!(!recorded.is_trusted, "dispatched by script, so not trusted");
}

#[wasm_bindgen_test]
fn a_plain_object_claiming_to_be_a_trusted_event_is_recorded_as_untrusted() {
    let page = Fixture::new(r#"<button id="forged-go" data-ec-submit>Send</button>"#);
    let forged = js_sys::Object::new();
    for (key, value) in [
        ("isTrusted", JsValue::TRUE),
        ("type", JsValue::from_str("click")),
        ("target", page.find("#forged-go").into()),
        ("timeStamp", JsValue::from_f64(1.0)),
    ] {
        js_sys::Reflect::set(&forged, &JsValue::from_str(key), &value).unwrap();
    }

    let recorded = trigger::from_event(forged.unchecked_ref());

    assert!(!recorded.is_trusted, "its isTrusted is not believed");
    assert!(recorded.not_an_event, "the record says it was not an event");
}

#[wasm_bindgen_test]
fn a_real_event_of_this_window_is_not_flagged() {
    let page = Fixture::new(r#"<button id="plain-go" data-ec-submit>Send</button>"#);
    let event = Event::new("click").unwrap();
    page.find("#plain-go").dispatch_event(&event).unwrap();

    let recorded = trigger::from_event(&event);

    assert!(!recorded.not_an_event);
    assert_eq!(recorded.tag_name, "button");
}
