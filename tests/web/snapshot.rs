//! The snapshot shows what the consumer saw and never what must stay in the browser.

use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

use crate::helpers::{document, snapshot_document, snapshot_html, Fixture};

#[wasm_bindgen_test]
fn the_snapshot_shows_typed_values_checked_boxes_and_selected_options() {
    let page = Fixture::new(
        r#"<form>
             <input id="snap-name" name="fullName">
             <input id="snap-agree" type="checkbox">
             <input id="snap-plan-b" type="radio" name="plan" value="b" checked>
             <input id="snap-plan-c" type="radio" name="plan" value="c">
             <select id="snap-state"><option value="CA">CA</option><option value="NY">NY</option></select>
             <textarea id="snap-note"></textarea>
           </form>"#,
    );
    page.input("#snap-name").set_value("Jane Example");
    page.input("#snap-agree").set_checked(true);
    page.input("#snap-plan-c").set_checked(true);
    page.find("#snap-state")
        .unchecked_into::<HtmlSelectElement>()
        .set_value("NY");
    page.find("#snap-note")
        .unchecked_into::<HtmlTextAreaElement>()
        .set_value("Call after 5pm");

    let shown = snapshot_document();
    let input = |id: &str| {
        shown
            .get_element_by_id(id)
            .unwrap()
            .unchecked_into::<HtmlInputElement>()
    };

    assert_eq!(input("snap-name").value(), "Jane Example");
    assert!(input("snap-agree").checked());
    assert!(
        !input("snap-plan-b").checked(),
        "the radio the user moved away from is unchecked"
    );
    assert!(input("snap-plan-c").checked());
    let state = shown
        .get_element_by_id("snap-state")
        .unwrap()
        .unchecked_into::<HtmlSelectElement>();
    assert_eq!(state.value(), "NY");
    let note = shown.get_element_by_id("snap-note").unwrap();
    assert_eq!(
        note.unchecked_into::<HtmlTextAreaElement>().value(),
        "Call after 5pm"
    );
}

#[wasm_bindgen_test]
fn the_live_page_is_not_changed_by_a_snapshot() {
    let page = Fixture::new(
        r#"<input id="live-name"><input id="live-secret" type="hidden" value="keep-me">"#,
    );
    page.input("#live-name").set_value("typed");

    snapshot_html();

    assert_eq!(page.find("#live-name").get_attribute("value"), None);
    assert_eq!(page.input("#live-secret").value(), "keep-me");
}

#[wasm_bindgen_test]
fn passwords_card_numbers_hidden_inputs_and_masked_content_never_leave_the_browser() {
    let page = Fixture::new(
        r#"<input id="priv-pass" type="password">
           <input id="priv-card" autocomplete="cc-number">
           <select autocomplete="billing cc-exp-month"><option>01</option><option>07-exp</option></select>
           <input type="hidden" name="token" value="hidden-token-8d1f">
           <div data-ec-mask>SSN 123-45-6789 <input id="priv-masked"><textarea id="priv-area"></textarea></div>"#,
    );
    page.input("#priv-pass").set_value("hunter2-pass");
    page.input("#priv-card").set_value("4111111111111111");
    page.find("select")
        .unchecked_into::<HtmlSelectElement>()
        .set_selected_index(1);
    page.input("#priv-masked").set_value("masked-field-value");
    page.find("#priv-area")
        .unchecked_into::<HtmlTextAreaElement>()
        .set_value("masked-area-text");

    let html = snapshot_html();

    for secret in [
        "hunter2-pass",
        "4111111111111111",
        "hidden-token-8d1f",
        "123-45-6789",
        "masked-field-value",
        "masked-area-text",
    ] {
        assert!(!html.contains(secret), "{secret} leaked into the snapshot");
    }
    assert!(
        !html.contains(r#"<option selected="">07-exp"#),
        "the card expiry choice leaked"
    );
    assert!(
        html.contains("••• •••••••••••"),
        "masked text keeps its shape"
    );
}

#[wasm_bindgen_test]
fn scripts_inline_handlers_and_javascript_urls_are_removed() {
    let _page = Fixture::new(
        r#"<script>window.leak = 1</script>
           <noscript>Enable JavaScript</noscript>
           <template><script>tpl()</script><b onclick="tpl()">t</b></template>
           <button id="act-button" onclick="steal()" onmouseover="x()">Go</button>
           <a id="act-link" href=" java&#9;script:alert(1)">link</a>
           <iframe srcdoc="<b>framed-doc</b>"></iframe>"#,
    );

    let html = snapshot_html();
    let shown = snapshot_document();

    assert_eq!(
        shown.query_selector("script, noscript, template").unwrap(),
        None
    );
    let button = shown.get_element_by_id("act-button").unwrap();
    assert!(
        button.get_attribute_names().length() == 1,
        "only the id is left on the button"
    );
    assert_eq!(
        shown
            .get_element_by_id("act-link")
            .unwrap()
            .get_attribute("href"),
        None
    );
    assert!(
        !html.contains("alert(1)")
            && !html.contains("tpl()")
            && !html.contains("steal()")
            && !html.contains("framed-doc")
    );
}

#[wasm_bindgen_test]
fn relative_urls_resolve_against_the_page_through_a_base_element() {
    let shown = snapshot_document();

    let head = shown.head().unwrap();
    let base = head.first_element_child().unwrap();
    assert_eq!(base.tag_name(), "BASE");
    assert_eq!(base.get_attribute("href"), document().base_uri().unwrap());
    assert!(snapshot_html().starts_with("<!DOCTYPE html><html"));
}
