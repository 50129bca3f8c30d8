//! What `data-ec-mask` does to attributes, and what makes the snapshot show the page where
//! and as the consumer saw it (scroll marks, `blob:` images), checked in the snapshot as a
//! viewer parses it.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::helpers::{snapshot_document, snapshot_html, Fixture};

fn attr(document: &web_sys::Document, id: &str, name: &str) -> Option<String> {
    document
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("the snapshot has #{id}"))
        .get_attribute(name)
}

fn bullets(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_whitespace() { c } else { '•' })
        .collect()
}

#[wasm_bindgen_test]
fn masked_elements_lose_every_personal_attribute_and_keep_their_layout_ones() {
    let _page = Fixture::new(
        r##"<div id="m-card" class="card" data-ec-mask title="Mask Olsen" data-who="olsen-1">
             <a id="m-mail" class="c" href="mailto:olsen@example.org" aria-label="Olsen">m</a>
             <a id="m-frag" href="#top">top</a>
             <img id="m-img" class="pic" src="olsen.png" srcset="olsen-2x.png 2x" alt="Olsen" width="12" height="8">
             <input id="m-in" type="tel" size="9" placeholder="555 0100 olsen" value="olsen-value">
             <span id="m-bg" role="img" style="display:block;width:7px;height:5px;background:url(olsen-bg.png)"></span>
             <svg id="m-svg" width="10" height="10" viewBox="0 0 10 10"><use href="#m-sym"/><path d="M0 0L9 9"/></svg>
             <input id="m-button" type="submit" value="Olsen sends" data-ec-submit>
           </div>
           <a id="m-outside" href="mailto:outside@example.org" title="Outside title">o</a>"##,
    );
    let html = snapshot_html();
    assert!(!html.to_ascii_lowercase().contains("olsen"), "{html}");
    let shown = snapshot_document();

    assert_eq!(attr(&shown, "m-card", "class").as_deref(), Some("card"));
    assert_eq!(attr(&shown, "m-card", "data-ec-mask").as_deref(), Some(""));
    assert_eq!(attr(&shown, "m-card", "title"), Some(bullets("Mask Olsen")));
    assert_eq!(attr(&shown, "m-card", "data-who"), Some(bullets("olsen-1")));
    assert_eq!(attr(&shown, "m-mail", "href").as_deref(), Some("#"));
    assert_eq!(attr(&shown, "m-mail", "class").as_deref(), Some("c"));
    assert_eq!(attr(&shown, "m-frag", "href").as_deref(), Some("#top"));
    let src = attr(&shown, "m-img", "src").unwrap();
    assert!(src.starts_with("data:image/svg+xml,"), "{src}");
    assert_eq!(attr(&shown, "m-img", "srcset"), None);
    assert_eq!(attr(&shown, "m-img", "data-ec-srcset"), None);
    assert_eq!(attr(&shown, "m-img", "width").as_deref(), Some("12"));
    assert_eq!(attr(&shown, "m-img", "alt"), Some(bullets("Olsen")));
    assert_eq!(attr(&shown, "m-in", "type").as_deref(), Some("tel"));
    assert_eq!(attr(&shown, "m-in", "size").as_deref(), Some("9"));
    assert_eq!(
        attr(&shown, "m-in", "placeholder"),
        Some(bullets("555 0100 olsen"))
    );
    assert_eq!(attr(&shown, "m-in", "value"), None);
    let style = attr(&shown, "m-bg", "style").unwrap();
    assert!(
        style.contains("width:7px;height:5px;background:url(\"data:image/svg+xml,"),
        "{style}"
    );
    assert_eq!(attr(&shown, "m-bg", "role").as_deref(), Some("img"));
    assert_eq!(
        attr(&shown, "m-svg", "viewBox").as_deref(),
        Some("0 0 10 10")
    );
    assert_eq!(
        attr(&shown, "m-button", "value"),
        Some(bullets("Olsen sends"))
    );
    assert_eq!(
        attr(&shown, "m-button", "data-ec-submit").as_deref(),
        Some("")
    );
    assert_eq!(
        attr(&shown, "m-outside", "href").as_deref(),
        Some("mailto:outside@example.org"),
        "outside the mask nothing changes"
    );
    assert_eq!(
        attr(&shown, "m-outside", "title").as_deref(),
        Some("Outside title")
    );
}

#[wasm_bindgen_test]
async fn a_scrolled_container_holds_a_mark_that_css_scrolls_to() {
    let page = Fixture::new(
        r#"<div id="v-static" style="height: 40px; overflow: auto"><div style="height: 400px"></div></div>
           <div id="v-fixed" style="position: absolute; left: 0; width: 50px; height: 40px; overflow: auto"><div style="height: 400px"></div></div>"#,
    );
    page.find("#v-static").set_scroll_top(31);
    page.find("#v-fixed").set_scroll_top(7);
    next_frame().await;
    let shown = snapshot_document();

    // DOMParser leaves declarative shadow roots as templates: the mark is in one, so that
    // the container's own children stay as they were.
    let first = |id: &str| {
        let container = shown.get_element_by_id(id).unwrap();
        let template = container
            .first_element_child()
            .expect("the container has a first child");
        assert_eq!(
            template.get_attribute("shadowrootmode").as_deref(),
            Some("open"),
            "{}",
            container.outer_html()
        );
        let content: web_sys::DocumentFragment = js_sys::Reflect::get(&template, &"content".into())
            .unwrap()
            .unchecked_into();
        content
            .first_element_child()
            .expect("the shadow root has the mark")
    };
    let mark = first("v-static");
    assert!(mark.has_attribute("data-ec-scroll-mark"));
    let style = mark.get_attribute("style").unwrap();
    assert!(style.contains("scroll-initial-target:nearest"), "{style}");
    assert!(style.contains("left:0px;top:31px"), "{style}");
    let container = attr(&shown, "v-static", "style").unwrap();
    assert!(
        container.ends_with("position:relative"),
        "a static container becomes the mark's containing block: {container}"
    );
    assert!(first("v-fixed")
        .get_attribute("style")
        .unwrap()
        .contains("top:7px"));
    assert!(
        !attr(&shown, "v-fixed", "style")
            .unwrap()
            .contains("relative"),
        "a positioned container keeps its position"
    );
}

#[wasm_bindgen_test]
async fn an_image_shown_through_a_blob_url_is_kept_as_a_data_url() {
    let global = js_sys::global();
    let get = |object: &wasm_bindgen::JsValue, key: &str| {
        js_sys::Reflect::get(object, &key.into()).unwrap()
    };
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"type".into(), &"image/svg+xml".into()).unwrap();
    let parts = js_sys::Array::of1(
        &r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>"#.into(),
    );
    let blob_class: js_sys::Function = get(&global, "Blob").unchecked_into();
    let blob =
        js_sys::Reflect::construct(&blob_class, &js_sys::Array::of2(&parts, &options)).unwrap();
    let url_class = get(&global, "URL");
    let create: js_sys::Function = get(&url_class, "createObjectURL").unchecked_into();
    let url = create
        .call1(&url_class, &blob)
        .unwrap()
        .as_string()
        .unwrap();
    let page = Fixture::new(r#"<img id="v-blob" alt="">"#);
    let image: web_sys::HtmlImageElement = page.find("#v-blob").unchecked_into();
    image.set_src(&url);
    JsFuture::from(image.decode()).await.unwrap();

    let shown = snapshot_document();
    let src = attr(&shown, "v-blob", "src").unwrap();
    assert!(src.starts_with("data:image/svg+xml;base64,"), "{src}");
}

/// Resolves at the next frame, after the browser has dispatched pending `scroll` events.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .request_animation_frame(&resolve)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}
