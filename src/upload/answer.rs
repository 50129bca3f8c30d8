//! The server's answer to an upload, read from the parsed JSON with `Reflect`: the result
//! handed to the page, or the error.
//!
//! Reading by hand rather than through serde keeps a deserializer (and the float printing
//! its error messages bring) out of the wasm; the answer has a handful of fields.

#[allow(unused_imports)]
use crate::prelude::*;
use wasm_bindgen::JsValue;

use crate::dom::property as get;
use crate::error::{ErrorCode, SdkError};

/// What one upload attempt came to.
#[derive(Debug)]
pub enum Attempt {
    /// The server stored the capture (or had stored it under the same key); its result.
    Delivered(JsValue),
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
pub fn read_answer(status: u16, body: &JsValue) -> Result<JsValue, SdkError> {
    let ok = get(body, "ok").and_then(|ok| ok.as_bool());
    if ok == Some(true) && (200..300).contains(&status) {
        if let Some(result) = get(body, "data").filter(is_result) {
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

/// Whether the envelope's `data` is a capture's result: `{ cdrId, packageData: { packageId,
/// subGroupIdMap }, shareUrl?, shareToken?, shareExpiresAt? }`. It is handed to the page as
/// it came, a plain object from the answer's JSON, so only what makes it a result is checked.
fn is_result(data: &JsValue) -> bool {
    string(data, "cdrId").is_some()
        && get(data, "packageData").is_some_and(|package| string(&package, "packageId").is_some())
}

fn string(object: &JsValue, key: &str) -> Option<String> {
    get(object, key)?.as_string()
}
