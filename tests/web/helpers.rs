//! Shared fixtures: a piece of page that removes itself, and readers for the results.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Document, DomParser, Element, HtmlInputElement, SupportedType};

/// Some HTML inserted at the top of `<body>` for one test, removed when dropped so that
/// tests cannot see each other's fixtures.
pub struct Fixture {
    root: Element,
}

impl Fixture {
    /// Inserts `html` in a fresh container.
    pub fn new(html: &str) -> Self {
        let document = document();
        let root = document.create_element("div").unwrap();
        root.set_inner_html(html);
        let body = document.body().unwrap();
        body.insert_before(&root, body.first_child().as_ref())
            .unwrap();
        Self { root }
    }

    /// The fixture element matching `selector`.
    pub fn find(&self, selector: &str) -> Element {
        self.root
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("fixture has no {selector}"))
    }

    /// The fixture input matching `selector`.
    pub fn input(&self, selector: &str) -> HtmlInputElement {
        self.find(selector).dyn_into().unwrap()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.root.remove();
    }
}

/// The test page's document.
pub fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

/// The current page's snapshot HTML.
pub fn snapshot_html() -> String {
    expressconsent_sdk::snapshot::capture().unwrap().html
}

/// The snapshot opened the way a viewer would open it: parsed, scripts never run.
pub fn snapshot_document() -> Document {
    DomParser::new()
        .unwrap()
        .parse_from_string(&snapshot_html(), SupportedType::TextHtml)
        .unwrap()
}

/// A JS value from JSON, for readable options.
pub fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

/// Calls `captureCDR` and returns the `code` of the error it rejects with. Panics if it
/// resolves; returning at all shows it did not throw.
pub async fn rejection(options: JsValue) -> (String, String) {
    let promise = expressconsent_sdk::capture_cdr(options);
    let error = JsFuture::from(promise)
        .await
        .expect_err("captureCDR should reject");
    assert!(
        error.is_instance_of::<js_sys::Error>(),
        "rejects with an Error object"
    );
    let code = js_sys::Reflect::get(&error, &"code".into())
        .unwrap()
        .as_string()
        .unwrap();
    let message = error.unchecked_into::<js_sys::Error>().message().into();
    (code, message)
}

/// A property of a JS object.
pub fn prop(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &key.into()).unwrap()
}
