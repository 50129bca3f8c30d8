//! The session and the upload: which package a capture belongs to, and `POST /v1/captures`.
//!
//! The package id is the per-tab session (`sessionStorage`), so captures on several pages of
//! one visit group together while another tab starts a new package. Each `captureCDR` call
//! gets a fresh idempotency key, which is what makes a retried upload safe.
//!
//! [`send`] makes one attempt today; retries within the budget, compression and keeping
//! failed uploads in `localStorage` belong in it and leave the callers unchanged.

use std::cell::RefCell;

use expressconsent_protocol::{CaptureRequest, CaptureResult, Failure, Success};
use gloo_net::http::Request;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use web_sys::RequestCredentials;

use crate::config::Config;
use crate::deadline::Deadline;
use crate::error::{ErrorCode, SdkError};

/// The `sessionStorage` key holding this tab's package id.
pub const PACKAGE_KEY: &str = "ec_package_id";

thread_local! {
    // When storage is blocked (sandboxed frames, privacy modes) the package lives as long
    // as the page instead of the tab.
    static PAGE_PACKAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// This tab's package id (`pkg_` and 32 hex digits), created on first use.
pub fn package_id() -> String {
    let storage = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    let stored = storage
        .as_ref()
        .and_then(|s| s.get_item(PACKAGE_KEY).ok().flatten());
    if let Some(id) = stored.filter(|id| id.starts_with("pkg_") && id.len() > 4) {
        return id;
    }
    let id = PAGE_PACKAGE.with(|page| {
        page.borrow_mut()
            .get_or_insert_with(|| format!("pkg_{}", random_uuid().replace('-', "")))
            .clone()
    });
    if let Some(storage) = storage {
        let _ = storage.set_item(PACKAGE_KEY, &id);
    }
    id
}

/// A random version 4 UUID. `crypto.randomUUID` exists only in secure contexts, so plain
/// `http:` pages fall back to `crypto.getRandomValues`, which exists everywhere.
pub fn random_uuid() -> String {
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    if let Some(crypto) = &crypto {
        let has_uuid = js_sys::Reflect::get(crypto, &JsValue::from_str("randomUUID"))
            .is_ok_and(|f| f.is_function());
        if has_uuid {
            return crypto.random_uuid();
        }
    }
    let mut bytes = [0u8; 16];
    let filled = crypto.is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // Only reachable without Web Crypto; uniqueness is all the key needs.
        bytes
            .iter_mut()
            .for_each(|b| *b = (js_sys::Math::random() * 256.0) as u8);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Uploads a capture and returns the server's result.
pub async fn send(
    config: &Config,
    request: &CaptureRequest,
    deadline: &mut Deadline,
) -> Result<CaptureResult, SdkError> {
    let url = format!("{}/v1/captures", config.api);
    let body = serde_json::to_string(request)
        .map_err(|e| SdkError::invalid(format!("the capture could not be encoded: {e}")))?;
    deadline.check()?;
    attempt(&url, &config.cid, body, deadline).await
}

/// One `POST`. Credentials are omitted: the org is named by `cid` and the page's cookies
/// for the API origin are none of its business.
async fn attempt(
    url: &str,
    cid: &str,
    body: String,
    deadline: &mut Deadline,
) -> Result<CaptureResult, SdkError> {
    let signal = deadline.signal();
    let unreachable = |deadline: &Deadline, error: gloo_net::Error| {
        if deadline.expired() {
            deadline.error()
        } else {
            SdkError::new(
                ErrorCode::Network,
                // A browser reports a refused CORS preflight exactly like a dead server, so
                // name both causes: the second is the usual one while integrating.
                format!(
                    "could not reach {url} ({error}): the server is down, or this page's \
                     domain is not registered for the cid"
                ),
            )
        }
    };
    let response = Request::post(url)
        .query([("cid", cid)])
        .header("Content-Type", "application/json")
        .credentials(RequestCredentials::Omit)
        .abort_signal(signal.as_ref())
        .body(body)
        .map_err(|e| unreachable(deadline, e))?
        .send()
        .await
        .map_err(|e| unreachable(deadline, e))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| unreachable(deadline, e))?;
    read_answer(status, &text)
}

/// The `ok` flag that says which side of the envelope an answer is.
#[derive(Deserialize)]
struct Side {
    ok: bool,
}

/// Reads the server's answer. The envelope decides; a body that is not the API's envelope
/// came from something in between (a proxy, a captive portal), which is a network failure
/// when it is a 5xx and a refusal otherwise.
pub fn read_answer(status: u16, body: &str) -> Result<CaptureResult, SdkError> {
    // Reading `ok` first and then the one side, rather than the untagged `Envelope`, keeps
    // serde's buffering of untagged enums out of the wasm.
    let ok = serde_json::from_str::<Side>(body).ok().map(|side| side.ok);
    if ok == Some(true) && (200..300).contains(&status) {
        if let Ok(success) = serde_json::from_str::<Success<CaptureResult>>(body) {
            return Ok(success.data);
        }
    }
    if ok == Some(false) {
        if let Ok(failure) = serde_json::from_str::<Failure>(body) {
            return Err(SdkError::from_server(status, failure.error));
        }
    }
    let (code, message) = if status >= 500 {
        (
            ErrorCode::Network,
            format!("the server is unavailable (HTTP {status})"),
        )
    } else {
        (
            ErrorCode::Rejected,
            format!("unexpected answer from the server (HTTP {status})"),
        )
    };
    Err(SdkError {
        status: Some(status),
        ..SdkError::new(code, message)
    })
}
