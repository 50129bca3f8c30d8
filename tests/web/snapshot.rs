//! The snapshot shows what the consumer saw and never what must stay in the browser: form
//! state, style sheets from the CSSOM, shadow roots, iframes, canvas pixels and scroll
//! offsets in; secrets and scripts out.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{
    CssStyleSheet, Element, HtmlIFrameElement, HtmlInputElement, HtmlSelectElement,
    HtmlTextAreaElement, ShadowRoot,
};

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
           <iframe srcdoc="<script>framedDoc()</script>"></iframe>"#,
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
            && !html.contains("framedDoc")
    );
}

#[wasm_bindgen_test]
fn relative_urls_resolve_against_the_page_through_a_base_element() {
    let shown = snapshot_document();

    let head = shown.query_selector("head").unwrap().unwrap();
    let base = head.first_element_child().unwrap();
    assert_eq!(base.tag_name(), "BASE");
    assert_eq!(base.get_attribute("href"), document().base_uri().unwrap());
    assert!(snapshot_html().starts_with("<!DOCTYPE html><html"));
}

#[wasm_bindgen_test]
fn rules_inserted_through_the_cssom_and_adopted_sheets_are_in_the_snapshot() {
    let page = Fixture::new(r#"<style id="css-in-js"></style><p class="cssom-x">styled</p>"#);
    let style = page.find("#css-in-js");
    let sheet: CssStyleSheet = js_sys::Reflect::get(&style, &"sheet".into())
        .unwrap()
        .unchecked_into();
    sheet
        .insert_rule(".cssom-x { color: rgb(1, 2, 3); background: url(\"img/dot.png\"); }")
        .unwrap();
    let adopted = CssStyleSheet::new().unwrap();
    adopted
        .replace_sync(".adopted-x { margin-left: 7px; }")
        .unwrap();
    let previous = set_adopted(&document(), &[adopted]);

    let html = snapshot_html();
    set_adopted_array(&document(), &previous);

    assert!(
        html.contains(".cssom-x { color: rgb(1, 2, 3);"),
        "the inserted rule is kept"
    );
    let dot = document().base_uri().unwrap().unwrap();
    let dot = format!("{}img/dot.png", &dot[..=dot.rfind('/').unwrap()]);
    assert!(
        html.contains(&format!("url(\"{dot}\")")),
        "its url() is absolute"
    );
    let adopted_at = html
        .find(".adopted-x { margin-left: 7px; }")
        .expect("adopted sheet kept");
    assert!(
        adopted_at > html.find("styled").unwrap(),
        "adopted sheets come after the page's own"
    );
}

#[wasm_bindgen_test]
fn open_shadow_roots_become_declarative_templates_with_their_state_and_sheets() {
    let page = Fixture::new(r#"<div id="shadow-host"><span slot="s">light-child</span></div>"#);
    let root = attach_shadow(&page.find("#shadow-host"));
    root.set_inner_html(
        r#"<style>b { color: rgb(9, 9, 9) }</style><b>inside-shadow</b><slot name="s"></slot><input id="shadow-input"><div data-ec-mask><input id="shadow-masked">shadow-masked-text</div>"#,
    );
    let inner = |id: &str| -> HtmlInputElement {
        root.query_selector(&format!("#{id}"))
            .unwrap()
            .unwrap()
            .unchecked_into()
    };
    inner("shadow-input").set_value("typed-in-shadow");
    inner("shadow-masked").set_value("shadow-secret-value");
    let adopted = CssStyleSheet::new().unwrap();
    adopted.replace_sync("i { color: rgb(7, 7, 7) }").unwrap();
    set_adopted(&root, &[adopted]);

    let snapshot = expressconsent_sdk::snapshot::capture().unwrap();
    let html = snapshot.html;

    let host_at = html.find(r#"<div id="shadow-host"><template shadowrootmode="open">"#);
    assert!(
        host_at.is_some(),
        "the shadow root is a declarative template"
    );
    assert!(html.contains("<b>inside-shadow</b>") && html.contains("light-child"));
    assert!(html.contains(r#"<input id="shadow-input" value="typed-in-shadow">"#));
    assert!(
        html.contains("i { color: rgb(7, 7, 7); }"),
        "the root's adopted sheet is inlined"
    );
    assert!(!html.contains("shadow-secret-value") && !html.contains("shadow-masked-text"));
    assert!(
        !snapshot.warnings.iter().any(|w| w.starts_with("tree")),
        "the serialization and the page stayed in step: {:?}",
        snapshot.warnings
    );
}

#[wasm_bindgen_test]
fn same_origin_iframes_are_captured_into_a_sandboxed_srcdoc_without_their_secrets() {
    let page = Fixture::new(r#"<iframe id="frame"></iframe>"#);
    let frame: HtmlIFrameElement = page.find("#frame").unchecked_into();
    let inner = frame
        .content_document()
        .expect("about:blank is same-origin");
    inner.document_element().unwrap().set_inner_html(
        r#"<body><p>framed-visible</p><input id="f-name"><input id="f-pass" type="password"><script>framedScript()</script></body>"#,
    );
    let field =
        |id: &str| -> HtmlInputElement { inner.get_element_by_id(id).unwrap().unchecked_into() };
    field("f-name").set_value("framed-typed");
    field("f-pass").set_value("framed-password-9");

    let shown = snapshot_document();
    let html = snapshot_html();

    let copied = shown.get_element_by_id("frame").unwrap();
    let srcdoc = copied
        .get_attribute("srcdoc")
        .expect("the frame's document is inlined");
    assert_eq!(
        copied.get_attribute("sandbox").as_deref(),
        Some(""),
        "and can never run script"
    );
    assert!(srcdoc.contains("framed-visible") && srcdoc.contains(r#"value="framed-typed""#));
    assert!(!html.contains("framed-password-9") && !html.contains("framedScript"));
}

#[wasm_bindgen_test]
async fn canvas_pixels_scroll_offsets_and_absolute_urls_are_kept() {
    let page = Fixture::new(
        r#"<canvas id="drawn" width="20" height="10"></canvas>
           <div id="scroller" style="height: 40px; overflow: auto"><div style="height: 400px"></div></div>
           <img id="pic" src="pics/a.png" srcset="pics/a.png 1x, pics/b.png 2x">"#,
    );
    let canvas = page.find("#drawn");
    let context = call(&canvas, "getContext", &["2d".into()]);
    js_sys::Reflect::set(&context, &"fillStyle".into(), &"#c00".into()).unwrap();
    call(
        &context,
        "fillRect",
        &[0.into(), 0.into(), 20.into(), 10.into()],
    );
    page.find("#scroller").set_scroll_top(33);
    // The browser tells the scroll watch at its next frame, as it does for a consumer's
    // scroll long before they can click submit.
    next_frame().await;

    let snapshot = expressconsent_sdk::snapshot::capture().unwrap();
    let shown = web_sys::DomParser::new()
        .unwrap()
        .parse_from_string(&snapshot.html, web_sys::SupportedType::TextHtml)
        .unwrap();

    // With scripts off a canvas shows its content, so its pixels are an <img> inside it.
    let pixels = shown
        .query_selector("#drawn > img")
        .unwrap()
        .expect("the canvas holds an image");
    let src = pixels.get_attribute("src").unwrap();
    assert!(src.starts_with("data:image/png;base64,"), "{src}");
    let style = shown
        .get_element_by_id("drawn")
        .unwrap()
        .get_attribute("style")
        .unwrap();
    assert!(
        style.contains("width:20px;height:10px"),
        "it keeps its live size: {style}"
    );
    let scroller = shown.get_element_by_id("scroller").unwrap();
    assert_eq!(
        scroller.get_attribute("data-ec-scroll-y").as_deref(),
        Some("33")
    );
    assert!(snapshot.element_scrolls.iter().any(|s| s.y == 33.0));
    let pic = shown.get_element_by_id("pic").unwrap();
    let base = document().base_uri().unwrap().unwrap();
    let dir = &base[..=base.rfind('/').unwrap()];
    assert!(pic
        .get_attribute("src")
        .unwrap()
        .starts_with(&format!("{dir}pics/")));
    // Once the browser has picked a candidate, `src` is that one and the list is kept aside.
    let srcset = pic
        .get_attribute("srcset")
        .or_else(|| pic.get_attribute("data-ec-srcset"));
    assert_eq!(
        srcset,
        Some(format!("{dir}pics/a.png 1x, {dir}pics/b.png 2x"))
    );
}

#[wasm_bindgen_test]
async fn elements_scrolled_after_the_first_scan_are_found_by_the_scroll_watch() {
    // Idempotent: the SDK's start has installed it already. Idle callbacks run in order, so
    // after this one the watch's first scan of the page is done.
    expressconsent_sdk::snapshot::watch_scrolls();
    idle().await;
    let page = Fixture::new(
        r#"<div id="watched-y" style="height: 40px; overflow: auto"><div style="height: 400px"></div></div>
           <div id="watched-x" style="width: 40px; overflow: auto"><div style="width: 400px; height: 5px"></div></div>
           <div id="watched-gone" style="height: 40px; overflow: auto"><div style="height: 400px"></div></div>
           <div id="watched-host"></div>"#,
    );
    let root = attach_shadow(&page.find("#watched-host"));
    root.set_inner_html(
        r#"<div id="in-shadow" style="height: 40px; overflow: auto"><div style="height: 400px"></div></div>"#,
    );
    page.find("#watched-y").set_scroll_top(21);
    page.find("#watched-x").set_scroll_left(17);
    page.find("#watched-gone").set_scroll_top(9);
    root.get_element_by_id("in-shadow")
        .unwrap()
        .set_scroll_top(12);
    next_frame().await;
    page.find("#watched-gone").remove();

    let snapshot = expressconsent_sdk::snapshot::capture().unwrap();
    let shown = web_sys::DomParser::new()
        .unwrap()
        .parse_from_string(&snapshot.html, web_sys::SupportedType::TextHtml)
        .unwrap();

    let mark = |id: &str, axis: &str| {
        let attribute = format!("data-ec-scroll-{axis}");
        shown
            .get_element_by_id(id)
            .unwrap()
            .get_attribute(&attribute)
    };
    assert_eq!(mark("watched-y", "y").as_deref(), Some("21"));
    assert_eq!(mark("watched-x", "x").as_deref(), Some("17"));
    assert!(shown.get_element_by_id("watched-gone").is_none());
    // Scroll events stop at their shadow root, so shadow trees are scanned in full.
    let at = snapshot.html.find(r#"id="in-shadow""#).unwrap();
    let tag = &snapshot.html[at..at + snapshot.html[at..].find('>').unwrap()];
    assert!(tag.contains(r#"data-ec-scroll-y="12""#), "{tag}");
}

/// Resolves at the next frame, after the browser has dispatched pending `scroll` events.
async fn next_frame() {
    called_back(|window, callback| {
        window.request_animation_frame(callback).unwrap();
    })
    .await
}

/// Resolves when the browser is next idle.
async fn idle() {
    called_back(|window, callback| {
        window.request_idle_callback(callback).unwrap();
    })
    .await
}

/// Resolves when `schedule` calls back the function it is given.
async fn called_back(schedule: impl Fn(&web_sys::Window, &js_sys::Function)) {
    let promise =
        js_sys::Promise::new(&mut |resolve, _| schedule(&web_sys::window().unwrap(), &resolve));
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// `element.attachShadow({ mode: "open" })`.
fn attach_shadow(host: &Element) -> ShadowRoot {
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"mode".into(), &"open".into()).unwrap();
    call(host, "attachShadow", &[init.into()]).unchecked_into()
}

/// Calls method `name` of `target` with `args`.
fn call(target: &JsValue, name: &str, args: &[JsValue]) -> JsValue {
    let method: js_sys::Function = js_sys::Reflect::get(target, &name.into())
        .unwrap()
        .unchecked_into();
    method
        .apply(target, &args.iter().collect::<js_sys::Array>())
        .unwrap()
}

/// Sets `adoptedStyleSheets` of a document or shadow root; returns the previous list.
fn set_adopted(target: &JsValue, sheets: &[CssStyleSheet]) -> JsValue {
    let previous = js_sys::Reflect::get(target, &"adoptedStyleSheets".into()).unwrap();
    set_adopted_array(target, &sheets.iter().collect::<js_sys::Array>().into());
    previous
}

fn set_adopted_array(target: &JsValue, sheets: &JsValue) {
    js_sys::Reflect::set(target, &"adoptedStyleSheets".into(), sheets).unwrap();
}
