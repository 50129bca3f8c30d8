//! The environment of the capture: where the page was, on what browser and screen, and when.
//!
//! Buyers compare these facts with the lead's own data (a time zone far from the stated
//! address, a headless user agent), so each is read as the browser reports it, without
//! interpretation. Nothing here reads the page's content.

use expressconsent_protocol::{PageInfo, Size};
use wasm_bindgen::JsValue;
use web_sys::Window;

use crate::dom;
use crate::error::SdkError;

/// Reads the page's environment at this moment.
pub fn collect() -> Result<PageInfo, SdkError> {
    let window = dom::window()?;
    let document = dom::document()?;
    let navigator = window.navigator();
    let number =
        |value: Result<JsValue, JsValue>| value.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    Ok(PageInfo {
        url: window.location().href().unwrap_or_default(),
        title: document.title(),
        referrer: document.referrer(),
        user_agent: navigator.user_agent().unwrap_or_default(),
        language: navigator.language().unwrap_or_default(),
        time_zone: time_zone(),
        viewport: Size {
            width: number(window.inner_width()),
            height: number(window.inner_height()),
        },
        screen: screen_size(&window),
        device_pixel_ratio: window.device_pixel_ratio(),
        captured_at: js_sys::Date::now(),
        loaded_at: window.performance().map_or(0.0, |p| p.time_origin()),
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

fn screen_size(window: &Window) -> Size {
    let Ok(screen) = window.screen() else {
        return Size::default();
    };
    Size {
        width: screen.width().map_or(0.0, f64::from),
        height: screen.height().map_or(0.0, f64::from),
    }
}
