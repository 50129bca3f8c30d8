//! The bytes of an upload: the capture as JSON, gzip-compressed by the browser.
//!
//! The request is turned into a JS object ([`super::wire`]) and printed by
//! `JSON.stringify`, so the wasm carries no JSON printer; `custom` is attached as the JS
//! value the options already made. The upload then has the browser compress the JSON
//! with `CompressionStream("gzip")` (a snapshot shrinks five to ten times) and sends it
//! with `Content-Encoding: gzip`; where that API is missing the JSON goes as it is.

#[allow(unused_imports)]
use crate::prelude::*;
use wasm_bindgen::JsValue;

use super::wire::CaptureRequest;
use crate::error::SdkError;

/// An encoded upload body.
#[derive(Debug, Clone)]
pub struct Body {
    /// A `Uint8Array` of gzip data, or the JSON text as a JS string.
    pub data: JsValue,
    /// Whether `data` is gzip (`Content-Encoding: gzip`).
    pub gzip: bool,
}

/// The request as JSON text (a JS string), with `custom` attached.
pub fn to_json(request: &CaptureRequest, custom: Option<&JsValue>) -> Result<JsValue, SdkError> {
    js_sys::JSON::stringify(&super::wire::request(request, custom))
        .map(JsValue::from)
        .map_err(|_| SdkError::invalid("the capture could not be encoded as JSON"))
}
