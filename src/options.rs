//! The options of `captureCDR`, read from a JS object and checked before anything is captured.
//!
//! Options are read with `Reflect` rather than deserialized, because `triggerEvent` is a
//! live DOM `Event` and `custom` may hold anything `JSON.stringify` accepts. Each limit is
//! checked by the protocol crate's constructor, so SDK and server agree on the rules.
//! Unknown keys are ignored so that pages written for a newer SDK keep working.

#[allow(unused_imports)]
use crate::prelude::*;
use expressconsent_protocol::{check_custom_size, AutoShare, ExpiresIn, SubGroupIds};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Event;

use crate::dom::property as get;
use crate::error::SdkError;

/// Budget for capture plus upload when the page gives no `timeoutMs`: 15 seconds, long
/// enough for a multi-megabyte snapshot on a slow mobile link, short enough that a form
/// is not stuck when the server is unreachable.
pub const DEFAULT_TIMEOUT_MS: f64 = 15_000.0;

/// The longest delay `setTimeout` honours; larger values would fire at once.
const MAX_TIMER_MS: f64 = i32::MAX as f64;

/// Checked `captureCDR` options.
#[derive(Debug, Clone, Default)]
pub struct CaptureOptions {
    /// `custom`, as the plain JSON object that will be sent: a copy made at the call, so
    /// later changes to the page's object do not reach the capture.
    pub custom: Option<JsValue>,
    /// `autoShare`, with `true` normalised to `{}`.
    pub auto_share: Option<AutoShare>,
    /// `subGroupIds`, checked.
    pub sub_group_ids: SubGroupIds,
    /// `triggerEvent`, read later by the trigger module.
    pub trigger_event: Option<Event>,
    /// `highlightTarget`, passed to the server unchanged.
    pub highlight_target: Option<String>,
    /// `timeoutMs`, or [`DEFAULT_TIMEOUT_MS`].
    pub timeout_ms: f64,
}

impl CaptureOptions {
    /// Reads and checks the options object; `undefined` and `null` mean all defaults.
    pub fn from_js(options: &JsValue) -> Result<Self, SdkError> {
        let mut parsed = Self {
            timeout_ms: DEFAULT_TIMEOUT_MS,
            ..Self::default()
        };
        if options.is_undefined() || options.is_null() {
            return Ok(parsed);
        }
        if !options.is_object() {
            return Err(SdkError::invalid("captureCDR options must be an object"));
        }
        if let Some(custom) = get(options, "custom") {
            parsed.custom = Some(parse_custom(&custom)?);
        }
        if let Some(auto_share) = get(options, "autoShare") {
            parsed.auto_share = parse_auto_share(&auto_share)?;
        }
        if let Some(ids) = get(options, "subGroupIds") {
            parsed.sub_group_ids = parse_sub_group_ids(&ids)?;
        }
        if let Some(event) = get(options, "triggerEvent") {
            parsed.trigger_event = Some(parse_event(event)?);
        }
        if let Some(target) = get(options, "highlightTarget") {
            let target = target
                .as_string()
                .ok_or_else(|| SdkError::invalid("highlightTarget must be a string"))?;
            parsed.highlight_target = Some(target).filter(|t| !t.is_empty());
        }
        if let Some(timeout) = get(options, "timeoutMs") {
            parsed.timeout_ms = parse_timeout(&timeout)?;
        }
        Ok(parsed)
    }
}

/// `custom` goes through `JSON.stringify` so that it means exactly what a page developer
/// expects of "a JSON object" (`toJSON`, dates as strings, functions dropped); the size
/// limit is then checked on the UTF-8 bytes of that JSON, which is what is sent. It stays a
/// JS value (parsed back from the JSON) so that no JSON parser is needed in the wasm.
fn parse_custom(custom: &JsValue) -> Result<JsValue, SdkError> {
    if !custom.is_object() || js_sys::Array::is_array(custom) || custom.is_function() {
        return Err(SdkError::invalid("custom must be a plain JSON object"));
    }
    let json = js_sys::JSON::stringify(custom)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| {
            SdkError::invalid("custom must be JSON-serializable (no cycles or BigInt)")
        })?;
    check_custom_size(json.len())?;
    // A `toJSON` may turn the object into something else.
    js_sys::JSON::parse(&json)
        .ok()
        .filter(|copy| copy.is_object() && !js_sys::Array::is_array(copy))
        .ok_or_else(|| SdkError::invalid("custom must serialize to a JSON object"))
}

fn parse_auto_share(value: &JsValue) -> Result<Option<AutoShare>, SdkError> {
    if let Some(flag) = value.as_bool() {
        return Ok(flag.then(AutoShare::default));
    }
    if !value.is_object() || js_sys::Array::is_array(value) {
        return Err(SdkError::invalid(
            "autoShare must be true or { expiresInMs }",
        ));
    }
    let Some(ms) = get(value, "expiresInMs") else {
        return Ok(Some(AutoShare::default()));
    };
    let ms = ms
        .as_f64()
        .filter(|ms| ms.is_finite() && crate::math::floor(*ms) == *ms && *ms >= 0.0)
        .ok_or_else(|| SdkError::invalid("autoShare.expiresInMs must be a positive integer"))?;
    // `as` saturates, so a huge value still fails the two-year check instead of wrapping.
    let expires = ExpiresIn::new(ms as u64)?;
    Ok(Some(AutoShare {
        expires_in_ms: Some(expires.as_millis()),
    }))
}

fn parse_sub_group_ids(value: &JsValue) -> Result<SubGroupIds, SdkError> {
    let array = value
        .dyn_ref::<js_sys::Array>()
        .ok_or_else(|| SdkError::invalid("subGroupIds must be an array of strings"))?;
    let mut ids = Vec::new();
    for id in array.iter() {
        let id = id.as_string();
        ids.push(id.ok_or_else(|| SdkError::invalid("subGroupIds must contain only strings"))?);
    }
    Ok(SubGroupIds::new(ids)?)
}

/// An `Event`. Events from another frame fail `instanceof Event`, so anything shaped like
/// one (a string `type` and a boolean `isTrusted`) is accepted too.
fn parse_event(value: JsValue) -> Result<Event, SdkError> {
    let looks_like_event = || {
        get(&value, "type").is_some_and(|t| t.is_string())
            && get(&value, "isTrusted").is_some_and(|t| t.as_bool().is_some())
    };
    if value.is_instance_of::<Event>() || (value.is_object() && looks_like_event()) {
        Ok(value.unchecked_into())
    } else {
        Err(SdkError::invalid(
            "triggerEvent must be a DOM Event (the submit or click event)",
        ))
    }
}

fn parse_timeout(value: &JsValue) -> Result<f64, SdkError> {
    value
        .as_f64()
        .filter(|ms| ms.is_finite() && *ms > 0.0)
        .map(|ms| ms.min(MAX_TIMER_MS))
        .ok_or_else(|| SdkError::invalid("timeoutMs must be a positive number of milliseconds"))
}
