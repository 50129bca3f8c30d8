//! The bytes of an upload: the capture as JSON, gzip-compressed by the browser.
//!
//! The request is turned into a JS object ([`super::wire`]) and printed by
//! `JSON.stringify`, so the wasm carries no JSON printer; `custom` is attached as the JS
//! value the options already made. The JSON is compressed with the browser's
//! `CompressionStream("gzip")` (a snapshot shrinks five to ten times) and sent with
//! `Content-Encoding: gzip`; where that API is missing the JSON goes as it is.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::wire::CaptureRequest;
use crate::error::SdkError;

#[wasm_bindgen(module = "/js/upload.js")]
extern "C" {
    /// The text gzipped by `CompressionStream`, or `undefined` (see js/upload.js).
    #[wasm_bindgen(js_name = gzip, catch)]
    fn gzip_js(text: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

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

/// Encodes the request, compressed when the browser can.
pub async fn encode(request: &CaptureRequest, custom: Option<&JsValue>) -> Result<Body, SdkError> {
    let json = to_json(request, custom)?;
    Ok(match gzip(&json).await {
        Some(bytes) => Body {
            data: bytes.into(),
            gzip: true,
        },
        None => Body {
            data: json,
            gzip: false,
        },
    })
}

/// Gzips a JS string; `None` when `CompressionStream` is missing or fails.
pub async fn gzip(text: &JsValue) -> Option<Uint8Array> {
    JsFuture::from(gzip_js(text).ok()?)
        .await
        .ok()?
        .dyn_into()
        .ok()
}
