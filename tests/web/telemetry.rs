//! The interaction log: how each field was filled in. Script-dispatched events never
//! count, so a test page (which has no trusted events) shows what script did; typing,
//! pasting and clicking for real are covered by the end-to-end suite.

use expressconsent_sdk::telemetry::fill::{Fill, Kind};
use expressconsent_sdk::telemetry::{self, fill};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Event, EventInit};

use crate::helpers::Fixture;

fn method(key: &str) -> String {
    telemetry::collect()
        .fields
        .get(key)
        .unwrap_or_else(|| panic!("no telemetry for {key}"))
        .fill_method
        .clone()
}

#[wasm_bindgen_test]
fn fields_set_by_script_are_programmatic_and_untouched_ones_are_empty() {
    let page = Fixture::new(
        r#"<form>
             <input name="tel-script" value="">
             <input id="tel-default" value="preset">
             <textarea name="tel-area"></textarea>
             <select name="tel-select"><option>a</option><option>b</option></select>
             <input name="tel-untouched">
             <input type="hidden" name="tel-hidden" value="x">
             <input type="checkbox" name="tel-box">
           </form>"#,
    );
    page.input("[name=tel-script]").set_value("typed by a bot");
    let bubbles = EventInit::new();
    bubbles.set_bubbles(true);
    // A script pretending to type: the event is not trusted, so it changes nothing.
    page.find("[name=tel-script]")
        .dispatch_event(&Event::new_with_event_init_dict("input", &bubbles).unwrap())
        .unwrap();
    js_sys::Reflect::set(&page.find("[name=tel-area]"), &"value".into(), &"hi".into()).unwrap();
    js_sys::Reflect::set(
        &page.find("[name=tel-select]"),
        &"value".into(),
        &"b".into(),
    )
    .unwrap();

    assert_eq!(method("tel-script"), "programmatic");
    assert_eq!(method("tel-area"), "programmatic");
    assert_eq!(method("tel-select"), "programmatic");
    assert_eq!(
        method("tel-default"),
        "",
        "a value from the markup is not a fill"
    );
    assert_eq!(method("tel-untouched"), "");
    let fields = telemetry::collect().fields;
    assert!(!fields.contains_key("tel-hidden") && !fields.contains_key("tel-box"));
    assert_eq!(fields.get("tel-script").unwrap().keystrokes, 0);
    assert_eq!(fields.get("tel-script").unwrap().focus_to_submit_ms, None);
}

#[wasm_bindgen_test]
fn a_field_without_name_or_id_is_keyed_by_its_path() {
    let _page = Fixture::new(r#"<section id="tel-anon"><input value=""></section>"#);

    let fields = telemetry::collect().fields;

    assert!(
        fields
            .keys()
            .any(|k| k.ends_with("section#tel-anon > input")),
        "{:?}",
        fields.keys().collect::<Vec<_>>()
    );
}

#[wasm_bindgen_test]
fn input_types_say_how_a_field_was_filled() {
    use Fill::*;
    let text = |t: &str, before| fill::from_input(t, Kind::Text, false, before);

    assert_eq!(text("insertText", Untouched), Typed);
    assert_eq!(text("insertCompositionText", Untouched), Typed);
    assert_eq!(text("insertFromPaste", Typed), Pasted);
    assert_eq!(text("insertFromDrop", Untouched), Pasted);
    assert_eq!(text("insertReplacementText", Untouched), Autofilled);
    assert_eq!(
        text("", Untouched),
        Autofilled,
        "Chromium's autofill sends a bare input event"
    );
    assert_eq!(fill::from_input("", Kind::Choice, false, Untouched), Typed);
    assert_eq!(fill::from_input("", Kind::Text, true, Untouched), Pasted);
    assert_eq!(
        text("deleteContentBackward", Pasted),
        Pasted,
        "editing keeps the origin"
    );
    assert_eq!(text("deleteContentBackward", Untouched), Typed);
    assert_eq!(text("historyUndo", Autofilled), Autofilled);
}

#[wasm_bindgen_test]
fn fingerprints_ignore_formatting_but_not_content() {
    assert_eq!(
        fill::fingerprint("5552018890"),
        fill::fingerprint("(555) 201-8890")
    );
    assert_eq!(
        fill::fingerprint("Dana@Example.org"),
        fill::fingerprint("dana@example.org")
    );
    assert_ne!(
        fill::fingerprint("5552018890"),
        fill::fingerprint("5552018891")
    );
    assert!(!fill::is_keystroke("Shift") && fill::is_keystroke("a") && fill::is_keystroke("Enter"));
}
