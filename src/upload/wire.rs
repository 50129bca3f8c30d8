//! The capture request as the plain JS object whose `JSON.stringify` is the upload body.
//!
//! Built key by key with `Reflect` rather than through serde: a serializer for every
//! protocol type costs the wasm more than these few dozen calls do, and the browser's own
//! `JSON.stringify` prints it. The keys, their order and what is left out follow the
//! protocol crate's serde attributes exactly (`camelCase`, `skip_serializing_if`), so the
//! server reads what it always read (the end-to-end suite checks what it stores).

#[allow(unused_imports)]
use crate::prelude::*;
use expressconsent_protocol::{
    AutoShare, ConsentCheckbox, Disclosure, PageInfo, Size, Snapshot, Trigger,
};
use js_sys::{Array, Object};
use wasm_bindgen::JsValue;

use crate::telemetry::Telemetry;

/// The protocol's `CaptureRequest` as the SDK holds it: the same fields, but `custom`
/// travels as a JS value (attached by [`request`]) and the telemetry's fields are a sorted
/// list rather than a `BTreeMap`, whose code would weigh kilobytes in every page's wasm.
#[derive(Debug, Clone)]
pub struct CaptureRequest {
    /// Unique per capture attempt; a retry with the same key yields the same CDR.
    pub idempotency_key: String,
    /// The per-tab session this capture belongs to (`pkg_…`).
    pub package_id: String,
    /// Sub-group packages this capture joins.
    pub sub_group_ids: Vec<String>,
    /// Mint a share link during the upload.
    pub auto_share: Option<AutoShare>,
    /// Where and on what the page was shown.
    pub page: PageInfo,
    /// What the page looked like at submit.
    pub snapshot: Snapshot,
    /// Every element tagged `data-ec-disclosure`.
    pub disclosures: Vec<Disclosure>,
    /// Every element tagged `data-ec-consent-checkbox`.
    pub consent_checkboxes: Vec<ConsentCheckbox>,
    /// The element and event that caused the capture, when known.
    pub trigger: Option<Trigger>,
    /// The `highlightTarget` option.
    pub highlight_target: Option<String>,
    /// How the form was filled in since the page loaded.
    pub telemetry: Telemetry,
    /// Version of the SDK that made the capture.
    pub sdk_version: String,
}

/// A fresh plain object being filled in.
struct Fields(Object);

impl Fields {
    fn new() -> Self {
        Self(Object::new())
    }

    #[inline(never)]
    fn set(&self, key: &str, value: &JsValue) {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&self.0, &JsValue::from_str(key), value);
    }

    #[inline(never)]
    fn str(&self, key: &str, value: &str) {
        self.set(key, &JsValue::from_str(value));
    }

    #[inline(never)]
    fn num(&self, key: &str, value: f64) {
        self.set(key, &JsValue::from_f64(value));
    }

    fn bool(&self, key: &str, value: bool) {
        self.set(key, &JsValue::from_bool(value));
    }

    fn done(self) -> JsValue {
        self.0.into()
    }
}

fn array<T>(items: &[T], each: impl Fn(&T) -> JsValue) -> JsValue {
    // A plain loop: `collect::<Array>()` brings iterator code per item type.
    let array = Array::new();
    for item in items {
        array.push(&each(item));
    }
    array.into()
}

/// The request with `custom` attached last, as the body's JSON has it.
pub fn request(request: &CaptureRequest, custom: Option<&JsValue>) -> JsValue {
    let o = Fields::new();
    o.str("idempotencyKey", &request.idempotency_key);
    o.str("packageId", &request.package_id);
    if !request.sub_group_ids.is_empty() {
        o.set(
            "subGroupIds",
            &array(&request.sub_group_ids, |id| JsValue::from_str(id)),
        );
    }
    if let Some(share) = &request.auto_share {
        let s = Fields::new();
        if let Some(ms) = share.expires_in_ms {
            s.num("expiresInMs", ms as f64);
        }
        o.set("autoShare", &s.done());
    }
    o.set("page", &page(&request.page));
    o.set("snapshot", &snapshot(&request.snapshot));
    o.set("disclosures", &array(&request.disclosures, disclosure));
    o.set(
        "consentCheckboxes",
        &array(&request.consent_checkboxes, checkbox),
    );
    if let Some(t) = &request.trigger {
        o.set("trigger", &trigger(t));
    }
    if let Some(target) = &request.highlight_target {
        o.str("highlightTarget", target);
    }
    o.set("telemetry", &telemetry(&request.telemetry));
    o.str("sdkVersion", &request.sdk_version);
    if let Some(custom) = custom {
        o.set("custom", custom);
    }
    o.done()
}

fn page(page: &PageInfo) -> JsValue {
    let o = Fields::new();
    o.str("url", &page.url);
    o.str("title", &page.title);
    o.str("referrer", &page.referrer);
    o.str("userAgent", &page.user_agent);
    o.str("language", &page.language);
    o.str("timeZone", &page.time_zone);
    o.set("viewport", &size(page.viewport));
    o.set("screen", &size(page.screen));
    o.num("devicePixelRatio", page.device_pixel_ratio);
    o.num("capturedAt", page.captured_at);
    o.num("loadedAt", page.loaded_at);
    o.done()
}

fn size(size: Size) -> JsValue {
    let o = Fields::new();
    o.num("width", size.width);
    o.num("height", size.height);
    o.done()
}

fn snapshot(snapshot: &Snapshot) -> JsValue {
    let o = Fields::new();
    o.str("html", &snapshot.html);
    o.num("scrollX", snapshot.scroll_x);
    o.num("scrollY", snapshot.scroll_y);
    if !snapshot.element_scrolls.is_empty() {
        let scrolls = array(&snapshot.element_scrolls, |s| {
            let o = Fields::new();
            o.num("x", s.x);
            o.num("y", s.y);
            o.done()
        });
        o.set("elementScrolls", &scrolls);
    }
    if !snapshot.warnings.is_empty() {
        o.set(
            "warnings",
            &array(&snapshot.warnings, |w| JsValue::from_str(w)),
        );
    }
    o.done()
}

fn disclosure(d: &Disclosure) -> JsValue {
    let o = Fields::new();
    o.str("id", &d.id);
    o.str("text", &d.text);
    o.bool("rendered", d.rendered);
    o.bool("inViewport", d.in_viewport);
    o.num("opacity", d.opacity);
    o.num("fontSizePx", d.font_size_px);
    if let Some(ratio) = d.contrast_ratio {
        o.num("contrastRatio", ratio);
    }
    o.done()
}

fn checkbox(c: &ConsentCheckbox) -> JsValue {
    let o = Fields::new();
    if let Some(id) = &c.consent_for {
        o.str("consentFor", id);
    }
    o.bool("checked", c.checked);
    o.done()
}

fn trigger(t: &Trigger) -> JsValue {
    let o = Fields::new();
    o.str("tagName", &t.tag_name);
    o.str("text", &t.text);
    o.str("selector", &t.selector);
    o.str("eventType", &t.event_type);
    o.bool("isTrusted", t.is_trusted);
    o.bool("isTaggedSubmit", t.is_tagged_submit);
    o.num("time", t.time);
    if t.auto_detected {
        o.bool("autoDetected", true);
    }
    if t.not_an_event {
        o.bool("notAnEvent", true);
    }
    o.done()
}

fn telemetry(t: &Telemetry) -> JsValue {
    let o = Fields::new();
    o.num("timeOnPageMs", t.time_on_page_ms);
    o.bool("pointerActivity", t.pointer_activity);
    o.bool("touchActivity", t.touch_activity);
    let fields = Fields::new();
    for (key, field) in t.fields.entries() {
        let f = Fields::new();
        f.str("fillMethod", &field.fill_method);
        f.num("keystrokes", f64::from(field.keystrokes));
        if let Some(ms) = field.focus_to_submit_ms {
            f.num("focusToSubmitMs", ms);
        }
        fields.set(key, &f.done());
    }
    o.set("fields", &fields.done());
    o.done()
}
