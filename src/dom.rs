//! Small DOM helpers shared by the capture modules.
//!
//! They turn the browser's nullable, fallible accessors into plain Rust values so the
//! modules that read the page stay about the page. Nothing here changes the live document.

#[allow(unused_imports)]
use crate::prelude::*;
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, NodeList, Window};

use crate::error::SdkError;

#[wasm_bindgen]
extern "C" {
    /// `globalThis`, read once. (`js_sys::global()` probes four names to find it, for
    /// runtimes without `globalThis`; every browser that runs wasm has it.)
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL: JsValue;
}

/// The global object: the page's window, or a worker's scope.
pub fn global() -> JsValue {
    GLOBAL.with(JsValue::clone)
}

/// The page's window, or an error when the SDK runs where there is none (a worker).
pub fn window() -> Result<Window, SdkError> {
    global()
        .dyn_into()
        .map_err(|_| SdkError::invalid("ExpressConsent must run in a web page"))
}

/// The page's document.
pub fn document() -> Result<Document, SdkError> {
    let window = window()?;
    get_object(&window, "document")
        .ok_or_else(|| SdkError::invalid("ExpressConsent needs a document"))
}

/// `list.length` of any list (a `NodeList`, a `CSSRuleList`, a select's options, an
/// array). Read by name, like [`at`], so that one import serves every kind of list where
/// the typed bindings would be one each.
pub fn length(list: &JsValue) -> u32 {
    get_number(list, "length") as u32
}

/// `list[index]` of any list, or `undefined` past its end.
pub fn at(list: &JsValue, index: u32) -> JsValue {
    Reflect::get(list, &JsValue::from(index)).unwrap_or(JsValue::UNDEFINED)
}

/// The elements of a node list, in document order.
pub fn elements(list: &NodeList) -> Vec<Element> {
    let mut elements = Vec::new();
    for i in 0..length(list) {
        if let Ok(element) = at(list, i).dyn_into() {
            elements.push(element);
        }
    }
    elements
}

/// `root.querySelectorAll(selector)` on an element, a document or a shadow root; `None`
/// for a selector the browser rejects. (One binding for all three: wasm-bindgen calls the
/// method by name, and each typed binding would be an import of its own.)
pub fn select_all(root: &JsValue, selector: &str) -> Option<NodeList> {
    root.unchecked_ref::<Element>()
        .query_selector_all(selector)
        .ok()
}

/// Every descendant of `root` matching `selector`, in document order. The selectors are the
/// SDK's own constants, so a syntax error is a bug and yields nothing rather than a failure.
pub fn query_all(root: &Element, selector: &str) -> Vec<Element> {
    select_all(root, selector)
        .map(|list| elements(&list))
        .unwrap_or_default()
}

/// `object[key]` when `object` is an object and the property is present and neither
/// `undefined` nor `null`: how the SDK reads options, configuration and the server's JSON.
pub fn property(object: &JsValue, key: &str) -> Option<JsValue> {
    if !object.is_object() {
        return None;
    }
    Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
}

/// `object[key]` as the browser returns it (`undefined` when it cannot be read). One
/// `Reflect.get` import serves every property the SDK reads once per capture; a typed
/// web-sys getter for each would be one import and one glue function apiece.
#[inline(never)]
pub fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `object[key]` as a `T` when it is neither `undefined` nor `null`; for properties whose
/// type the DOM fixes (`parentElement` is an `Element`), so no `instanceof` check is made.
pub fn get_object<T: JsCast>(object: &JsValue, key: &str) -> Option<T> {
    property(object, key).map(JsCast::unchecked_into)
}

/// `object[key]` when it is a string, else `""`.
#[inline(never)]
pub fn get_string(object: &JsValue, key: &str) -> String {
    get(object, key).as_string().unwrap_or_default()
}

/// `object[key]` when it is a number, else 0.
#[inline(never)]
pub fn get_number(object: &JsValue, key: &str) -> f64 {
    get(object, key).as_f64().unwrap_or(0.0)
}

/// Whether `element` is inside (or is) an element matching `selector`.
pub fn is_within(element: &Element, selector: &str) -> bool {
    matches!(element.closest(selector), Ok(Some(_)))
}

/// Milliseconds since the page's time origin; the clock for budgets and durations, since
/// it never jumps when the user's wall clock is changed.
pub fn now_ms() -> f64 {
    get_object::<web_sys::Performance>(&global(), "performance").map_or(0.0, |p| p.now())
}

/// The text an element shows: `innerText` (rendered, as the consumer reads it) for HTML
/// elements, `textContent` for others (SVG), which have no `innerText`.
pub fn rendered_text(element: &Element) -> String {
    property(element, "innerText")
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| get_string(element, "textContent"))
}

/// A number as CSS writes it (`14px` → 14, `0.5` → 0.5), or `None`. JavaScript's
/// `parseFloat` does this, and using it keeps Rust's float parser out of the wasm.
pub fn css_number(text: &str) -> Option<f64> {
    Some(js_sys::parse_float(text.trim_ascii())).filter(|n| n.is_finite())
}

/// Truncates `text` to at most `max` characters (not bytes), on a character boundary.
pub fn truncate_chars(text: &str, max: usize) -> String {
    match crate::text::char_start(text, max) {
        Some(cut) => crate::text::before(text, cut).to_owned(),
        None => text.to_owned(),
    }
}

#[wasm_bindgen(module = "/js/dom.js")]
extern "C" {
    /// `list[i][property]` for every node of `list`, as an array, in one call.
    #[wasm_bindgen(js_name = mapProperty)]
    pub fn map_property(list: &JsValue, property: &str) -> Array;
    /// 1 where `list[i][property]` is neither `null` nor `undefined`, else 0, in one call.
    pub fn presence(list: &JsValue, property: &str) -> js_sys::Uint8Array;
}
