//! The environment of the capture: where the page was, on what browser and screen, and when.
//!
//! Buyers compare these facts with the lead's own data (a time zone far from the stated
//! address, a headless user agent), so each is read as the browser reports it, without
//! interpretation. Nothing here reads the page's content.

#[allow(unused_imports)]
use crate::prelude::*;
use expressconsent_protocol::{PageInfo, Size};
use wasm_bindgen::JsValue;

use crate::dom;
use crate::error::SdkError;

/// Reads the page's environment at this moment. Each property is read by name: a
/// typed getter apiece would cost the download an import and a glue function each.
pub fn collect() -> Result<PageInfo, SdkError> {
    let window: JsValue = dom::window()?.into();
    let document: JsValue = dom::document()?.into();
    let navigator = dom::get(&window, "navigator");
    let screen = dom::get(&window, "screen");
    Ok(PageInfo {
        url: dom::get_string(&dom::get(&window, "location"), "href"),
        title: dom::get_string(&document, "title"),
        referrer: dom::get_string(&document, "referrer"),
        user_agent: dom::get_string(&navigator, "userAgent"),
        language: dom::get_string(&navigator, "language"),
        time_zone: time_zone(),
        viewport: size(&window, "innerWidth", "innerHeight"),
        screen: size(&screen, "width", "height"),
        device_pixel_ratio: dom::get_number(&window, "devicePixelRatio"),
        captured_at: js_sys::Date::now(),
        loaded_at: dom::get_number(&dom::get(&window, "performance"), "timeOrigin"),
    })
}

/// The browser's IANA time zone, from `Intl.DateTimeFormat().resolvedOptions().timeZone`.
pub fn time_zone() -> String {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &JsValue::from_str("timeZone"))
        .ok()
        .and_then(|zone| zone.as_string())
        .unwrap_or_default()
}

fn size(object: &JsValue, width: &str, height: &str) -> Size {
    Size {
        width: dom::get_number(object, width),
        height: dom::get_number(object, height),
    }
}
