//! The server's answer to an upload, read from the parsed JSON with `Reflect`, and the
//! result handed to the page.
//!
//! Reading by hand rather than through serde keeps a deserializer (and the float printing
//! its error messages bring) out of the wasm; the answer has a handful of fields.

#[allow(unused_imports)]
use crate::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::dom::property as get;
use crate::error::{ErrorCode, SdkError};

/// The protocol's `CaptureResult` as the SDK holds it: the same fields, with the sub-group
/// map as the list of pairs the server sent rather than a `BTreeMap`, whose code would weigh
/// kilobytes in every page's wasm.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaptureResult {
    /// The new CDR's id.
    pub cdr_id: String,
    /// The session package and its sub-groups.
    pub package_data: PackageData,
    /// Absolute share URL, with `autoShare`.
    pub share_url: Option<String>,
    /// The token of `shareUrl`, with `autoShare`.
    pub share_token: Option<String>,
    /// Expiry of `shareUrl`, epoch milliseconds, with `autoShare`.
    pub share_expires_at: Option<i64>,
}

/// The session package a capture belongs to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PackageData {
    /// The per-tab session package (`pkg_…`).
    pub package_id: String,
    /// Sub-group id → its package id, in the server's order.
    pub sub_group_id_map: Vec<(String, String)>,
}

/// What one upload attempt came to.
#[derive(Debug)]
pub enum Attempt {
    /// The server stored the capture (or had stored it under the same key).
    Delivered(CaptureResult),
    /// The server refused the capture for good: a 4xx other than 408 and 429. Sending the
    /// same bytes again cannot succeed.
    Refused(SdkError),
    /// Nothing was stored, for a reason that may pass: no connection, a 5xx, 408 or 429,
    /// or an answer that did not come from the API.
    Failed(SdkError),
}

impl Attempt {
    /// Classifies an HTTP answer; `body` is the parsed JSON, or `undefined` when the body
    /// was not JSON.
    pub fn from_answer(status: u16, body: &JsValue) -> Self {
        match read_answer(status, body) {
            Ok(result) => Self::Delivered(result),
            Err(error) if (400..500).contains(&status) && status != 408 && status != 429 => {
                Self::Refused(error)
            }
            Err(error) => Self::Failed(error),
        }
    }
}

/// `JSON.parse(text)`, or `undefined` when the text is not JSON.
pub fn parse_body(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or(JsValue::UNDEFINED)
}

/// Reads the server's answer. The envelope decides; a body that is not the API's envelope
/// came from something in between (a proxy, a captive portal), which is a network failure
/// when it is a 5xx and a refusal otherwise.
pub fn read_answer(status: u16, body: &JsValue) -> Result<CaptureResult, SdkError> {
    let ok = get(body, "ok").and_then(|ok| ok.as_bool());
    if ok == Some(true) && (200..300).contains(&status) {
        if let Some(result) = get(body, "data").as_ref().and_then(read_result) {
            return Ok(result);
        }
    }
    if ok == Some(false) {
        let error = get(body, "error");
        let code = error.as_ref().and_then(|e| string(e, "code"));
        let message = error.as_ref().and_then(|e| string(e, "message"));
        if let (Some(code), Some(message)) = (code, message) {
            return Err(SdkError::from_server(status, &code, message));
        }
    }
    let (code, message) = if status >= 500 {
        (ErrorCode::Network, "the server is unavailable (HTTP ")
    } else {
        (
            ErrorCode::Rejected,
            "unexpected answer from the server (HTTP ",
        )
    };
    let mut message = message.to_owned();
    crate::text::push_decimal(&mut message, u64::from(status));
    message.push(')');
    Err(SdkError {
        status: Some(status),
        ..SdkError::new(code, message)
    })
}

fn read_result(data: &JsValue) -> Option<CaptureResult> {
    let package = get(data, "packageData")?;
    let mut sub_group_id_map = Vec::new();
    if let Some(map) = get(&package, "subGroupIdMap").filter(|m| m.is_object()) {
        for entry in js_sys::Object::entries(map.unchecked_ref()).iter() {
            let entry: js_sys::Array = entry.unchecked_into();
            sub_group_id_map.push((entry.get(0).as_string()?, entry.get(1).as_string()?));
        }
    }
    Some(CaptureResult {
        cdr_id: string(data, "cdrId")?,
        package_data: PackageData {
            package_id: string(&package, "packageId")?,
            sub_group_id_map,
        },
        share_url: string(data, "shareUrl"),
        share_token: string(data, "shareToken"),
        share_expires_at: get(data, "shareExpiresAt")
            .and_then(|at| at.as_f64())
            .map(|at| at as i64),
    })
}

/// The result as the page receives it: a plain object, as `JSON.parse` would give.
pub fn result_to_js(result: &CaptureResult) -> JsValue {
    let object = js_sys::Object::new();
    let package = js_sys::Object::new();
    let map = js_sys::Object::new();
    for (group, package_id) in &result.package_data.sub_group_id_map {
        set(&map, group, &JsValue::from_str(package_id));
    }
    set(
        &package,
        "packageId",
        &JsValue::from_str(&result.package_data.package_id),
    );
    set(&package, "subGroupIdMap", &map);
    set(&object, "cdrId", &JsValue::from_str(&result.cdr_id));
    set(&object, "packageData", &package);
    if let Some(url) = &result.share_url {
        set(&object, "shareUrl", &JsValue::from_str(url));
    }
    if let Some(token) = &result.share_token {
        set(&object, "shareToken", &JsValue::from_str(token));
    }
    if let Some(at) = result.share_expires_at {
        set(&object, "shareExpiresAt", &JsValue::from_f64(at as f64));
    }
    object.into()
}

fn string(object: &JsValue, key: &str) -> Option<String> {
    get(object, key)?.as_string()
}

fn set(object: &js_sys::Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(object, &JsValue::from_str(key), value);
}
