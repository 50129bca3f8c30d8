//! The SDK's one error type and the one place it becomes a JavaScript value.
//!
//! Every failure a page can see is an [`SdkError`]: a stable [`ErrorCode`] a page can branch
//! on, a human message, and what the server said when it answered. The `#[wasm_bindgen]`
//! surface turns it into a JS `Error` with [`SdkError::to_js`]; nothing else builds JS errors.

#[allow(unused_imports)]
use crate::prelude::*;
use core::fmt;

use expressconsent_protocol::{ErrorCode as ServerCode, LimitError};
use wasm_bindgen::JsValue;

/// What kind of failure a rejected `captureCDR` promise reports, as its `code` property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The options (or the config given to `init`) break a rule; fix the call.
    InvalidArgument,
    /// Capture and upload did not finish within `timeoutMs`.
    Timeout,
    /// The server could not be reached, or answered with something that is not the API.
    Network,
    /// The server answered and refused the capture (unknown `cid`, unregistered domain, …).
    Rejected,
    /// `captureCDR` was called before `init`.
    NotInitialized,
}

impl ErrorCode {
    /// The code as pages see it, e.g. `"INVALID_ARGUMENT"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidArgument => "INVALID_ARGUMENT",
            Self::Timeout => "TIMEOUT",
            Self::Network => "NETWORK",
            Self::Rejected => "REJECTED",
            Self::NotInitialized => "NOT_INITIALIZED",
        }
    }
}

/// A failure of `init` or `captureCDR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkError {
    /// The stable code.
    pub code: ErrorCode,
    /// What went wrong and, where possible, how to fix it.
    pub message: String,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// The server's own error code (`FORBIDDEN`, `PAYLOAD_TOO_LARGE`, …), when it sent one.
    pub server_code: Option<String>,
}

impl SdkError {
    /// A failure that did not come from the server.
    #[inline(never)]
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            status: None,
            server_code: None,
        }
    }

    /// A bad option or config value.
    #[inline(never)]
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }

    /// The server's error envelope: its `code` (e.g. `FORBIDDEN`) and `message`. A 400 or 413
    /// means the capture itself broke a rule, which the page can fix like a bad option; any
    /// other refusal is the server's decision.
    pub fn from_server(status: u16, server_code: &str, message: String) -> Self {
        // Compared one by one so that each `as_str` folds to its constant and the table
        // of every server code stays out of the wasm.
        let breaks_a_rule = server_code == ServerCode::InvalidArgument.as_str()
            || server_code == ServerCode::PayloadTooLarge.as_str();
        let code = if breaks_a_rule {
            ErrorCode::InvalidArgument
        } else {
            ErrorCode::Rejected
        };
        Self {
            code,
            message,
            status: Some(status),
            server_code: Some(server_code.to_owned()),
        }
    }

    /// The JS value a promise rejects with: an `Error` named `ExpressConsentError` carrying
    /// `code` and, when the server answered, `status` and `serverCode`.
    pub fn to_js(&self) -> JsValue {
        let error = js_sys::Error::new(&self.message);
        let set = |key: &str, value: JsValue| {
            // Setting a property on a fresh, unfrozen Error cannot fail.
            let _ = js_sys::Reflect::set(&error, &JsValue::from_str(key), &value);
        };
        set("name", JsValue::from_str("ExpressConsentError"));
        set("code", JsValue::from_str(self.code.as_str()));
        if let Some(status) = self.status {
            set("status", JsValue::from(status));
        }
        if let Some(server_code) = &self.server_code {
            set("serverCode", JsValue::from_str(server_code));
        }
        error.into()
    }
}

impl fmt::Display for SdkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl core::error::Error for SdkError {}

impl From<LimitError> for SdkError {
    fn from(error: LimitError) -> Self {
        Self::invalid(error.0)
    }
}
