//! The upload of a capture, `POST /v1/captures?cid=…`, made so that a submission is never
//! silently lost.
//!
//! - The body is gzip-compressed ([`body`]) and carries an idempotency key (in the body,
//!   and as `X-Idempotency-Key`), so the server stores one CDR however often it arrives.
//! - An attempt that fails for a reason that may pass (no connection, a 5xx, 408 or 429) is
//!   retried with exponential backoff while the `timeoutMs` budget lasts; any other 4xx is
//!   the server's final word and is not.
//! - A capture that still could not be delivered, or that is under way when the page goes
//!   away, is kept in `localStorage` ([`pending`]) and sent again, with the same key, by
//!   the next page load's `init`.
//!
//! [`session`] owns the per-tab package id and the keys; [`wire`] shapes the body's JSON;
//! [`answer`] reads the server's reply.

pub mod answer;
pub mod body;
pub mod pending;
pub mod session;
pub mod wire;

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub use answer::{read_answer, result_to_js, Attempt, CaptureResult, PackageData};
pub use pending::Upload;
pub use session::{package_id, random_uuid, PACKAGE_KEY};
pub use wire::CaptureRequest;

#[wasm_bindgen(module = "/js/upload.js")]
extern "C" {
    /// `fetch` and its JSON body as one promise of `[status, body]` (see js/upload.js).
    #[wasm_bindgen(js_name = fetchJson, catch)]
    fn fetch_json(url: &str, init: &js_sys::Object) -> Result<js_sys::Promise, JsValue>;
}

use crate::config::Config;
use crate::deadline::{sleep, Deadline};
use crate::error::{ErrorCode, SdkError};
use crate::text;

/// Wait before the first retry; each later wait doubles, up to [`MAX_BACKOFF_MS`].
pub const FIRST_BACKOFF_MS: f64 = 250.0;
/// Longest wait between two attempts.
pub const MAX_BACKOFF_MS: f64 = 4_000.0;
/// Most attempts within one `captureCDR` call; past them the capture waits for the next
/// page load, which is likelier to succeed than a sixth try within seconds.
pub const MAX_ATTEMPTS: u32 = 5;

/// The upload URL for the configured org.
pub fn capture_url(config: &Config) -> String {
    let cid = js_sys::encode_uri_component(&config.cid);
    text::concat(&[&config.api, "/v1/captures?cid=", &String::from(cid)])
}

/// Uploads a capture and returns the server's result, retrying within the budget. A
/// capture that fails for a reason that may pass is kept for the next page load.
pub async fn send(
    config: &Config,
    request: &CaptureRequest,
    custom: Option<&JsValue>,
    deadline: &mut Deadline,
) -> Result<CaptureResult, SdkError> {
    let upload = Upload {
        key: request.idempotency_key.clone(),
        url: capture_url(config),
        body: body::encode(request, custom).await?,
    };
    pending::track(&upload);
    let outcome = deliver(&upload, deadline).await;
    pending::untrack(&upload.key);
    match outcome {
        Attempt::Delivered(result) => {
            pending::remove(&upload.key);
            Ok(result)
        }
        Attempt::Refused(error) => {
            pending::remove(&upload.key);
            Err(error)
        }
        Attempt::Failed(error) => {
            pending::keep(&upload);
            Err(error)
        }
    }
}

/// Attempts until delivered, refused, out of attempts or out of budget.
async fn deliver(upload: &Upload, deadline: &mut Deadline) -> Attempt {
    let mut wait = FIRST_BACKOFF_MS;
    let mut attempts = 0;
    loop {
        if deadline.expired() {
            return Attempt::Failed(deadline.error());
        }
        attempts += 1;
        let error = match post(upload, deadline).await {
            Attempt::Failed(error) => error,
            done => return done,
        };
        // Jitter spreads the retries of many pages after one server hiccup.
        let jittered = wait * (0.75 + js_sys::Math::random() / 2.0);
        if attempts >= MAX_ATTEMPTS || deadline.remaining_ms() <= jittered {
            return Attempt::Failed(error);
        }
        sleep(jittered).await;
        wait = (wait * 2.0).min(MAX_BACKOFF_MS);
    }
}

/// One `POST`. Credentials are omitted: the org is named by `cid` and the page's cookies
/// for the API origin are none of its business.
pub async fn post(upload: &Upload, deadline: &mut Deadline) -> Attempt {
    // The `RequestInit` dictionary as a plain object: web-sys's typed setters would be an
    // import and a glue function each.
    let init = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&init, &JsValue::from_str(key), value);
    };
    set("method", &"POST".into());
    set("mode", &"cors".into());
    set("credentials", &"omit".into());
    set("headers", &headers(upload));
    set("body", &upload.body.data);
    if let Some(signal) = deadline.signal() {
        set("signal", &signal);
    }
    let answer = match fetch_json(&upload.url, &init) {
        Ok(sent) => JsFuture::from(sent).await,
        Err(thrown) => Err(thrown),
    };
    let Ok(answer) = answer else {
        return Attempt::Failed(unreachable(&upload.url, deadline));
    };
    // `[status, body]`; a body that is not JSON (a proxy's error page) is `undefined`.
    let answer: js_sys::Array = answer.unchecked_into();
    let body = answer.get(1);
    // An answer that arrived is used even if the budget ran out meanwhile: the server may
    // have stored the CDR. Only a body cut off by the budget is a timeout.
    if body.is_undefined() && deadline.expired() {
        return Attempt::Failed(deadline.error());
    }
    Attempt::from_answer(answer.get(0).as_f64().unwrap_or(0.0) as u16, &body)
}

fn headers(upload: &Upload) -> js_sys::Object {
    let headers = js_sys::Object::new();
    let set = |name: &str, value: &str| {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&headers, &name.into(), &value.into());
    };
    set("Content-Type", "application/json");
    set("X-Idempotency-Key", &upload.key);
    if upload.body.gzip {
        set("Content-Encoding", "gzip");
    }
    headers
}

/// The error for an upload that got no answer: the budget ran out, or the network failed.
fn unreachable(url: &str, deadline: &Deadline) -> SdkError {
    if deadline.expired() {
        return deadline.error();
    }
    // A browser reports a refused CORS preflight exactly like a dead server, so name both
    // causes: the second is the usual one while integrating.
    SdkError::new(
        ErrorCode::Network,
        text::concat(&[
            "could not reach ",
            url,
            ": the server is down, or this page's domain is not registered for the cid",
        ]),
    )
}
