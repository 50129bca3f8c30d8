//! Small DOM helpers shared by the capture modules.
//!
//! They turn the browser's nullable, fallible accessors into plain Rust values so the
//! modules that read the page stay about the page. Nothing here changes the live document.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, NodeList, Window};

use crate::error::SdkError;

/// The page's window, or an error when the SDK runs where there is none (a worker).
pub fn window() -> Result<Window, SdkError> {
    web_sys::window().ok_or_else(|| SdkError::invalid("ExpressConsent must run in a web page"))
}

/// The page's document.
pub fn document() -> Result<Document, SdkError> {
    window()?
        .document()
        .ok_or_else(|| SdkError::invalid("ExpressConsent needs a document"))
}

/// The elements of a node list, in document order.
pub fn elements(list: &NodeList) -> Vec<Element> {
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .collect()
}

/// Every descendant of `root` matching `selector`, in document order. The selectors are the
/// SDK's own constants, so a syntax error is a bug and yields nothing rather than a failure.
pub fn query_all(root: &Element, selector: &str) -> Vec<Element> {
    root.query_selector_all(selector)
        .map(|list| elements(&list))
        .unwrap_or_default()
}

/// Whether `element` is inside (or is) an element matching `selector`.
pub fn is_within(element: &Element, selector: &str) -> bool {
    matches!(element.closest(selector), Ok(Some(_)))
}

/// Milliseconds since the page's time origin; the clock for budgets and durations, since
/// it never jumps when the user's wall clock is changed.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// A number as CSS writes it (`14px` → 14, `0.5` → 0.5), or `None`. JavaScript's
/// `parseFloat` does this, and using it keeps Rust's float parser out of the wasm.
pub fn css_number(text: &str) -> Option<f64> {
    Some(js_sys::parse_float(text.trim())).filter(|n| n.is_finite())
}

/// Truncates `text` to at most `max` characters (not bytes), on a character boundary.
pub fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => text[..cut].to_owned(),
        None => text.to_owned(),
    }
}
