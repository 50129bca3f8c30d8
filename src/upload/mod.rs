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
//! Each delivery (one capture's upload, or the re-sending of kept captures) is a state
//! machine, a [`Delivery`]: given what its last action came to, it decides the next one
//! (gzip, post, wait, settle). js/upload.js performs the actions and nothing else. Rust's
//! `async` would have done the same with a futures executor, a promise adapter per await
//! and a state machine per async fn in the wasm, several kilobytes that every lead form
//! downloads.
//!
//! [`session`] owns the per-tab package id and the keys; [`wire`] shapes the body's JSON;
//! [`answer`] reads the server's reply.

pub mod answer;
pub mod body;
pub mod pending;
pub mod session;
pub mod wire;

#[allow(unused_imports)]
use crate::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

pub use answer::{read_answer, Attempt};
pub use body::Body;
pub use pending::Upload;
pub use session::{package_id, random_uuid, PACKAGE_KEY};
pub use wire::CaptureRequest;

#[wasm_bindgen(module = "/js/upload.js")]
extern "C" {
    /// Runs a delivery: performs the action each call of `step` returns and passes what it
    /// came to to the next call, until an action settles the promise (see js/upload.js).
    /// (`catch` also makes wasm-bindgen call it through the glue, which the build's glue
    /// shrinking expects of every import.)
    #[wasm_bindgen(catch)]
    fn drive(step: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

use crate::config::Config;
use crate::deadline::Deadline;
use crate::error::{ErrorCode, SdkError};
use crate::text;

/// Wait before the first retry; each later wait doubles, up to [`MAX_BACKOFF_MS`].
pub const FIRST_BACKOFF_MS: f64 = 250.0;
/// Longest wait between two attempts.
pub const MAX_BACKOFF_MS: f64 = 4_000.0;
/// Most attempts within one `captureCDR` call; past them the capture waits for the next
/// page load, which is likelier to succeed than a sixth try within seconds.
pub const MAX_ATTEMPTS: u32 = 5;

/// What a delivery asks the browser to do next (js/upload.js performs it).
pub enum Action {
    /// Gzip the JSON text; comes to the bytes, or `undefined` where the browser cannot.
    Gzip(JsValue),
    /// `POST` to the URL with the `fetch` options, aborted after the milliseconds given;
    /// comes to `[status, body]`, or `undefined` when no answer came.
    Post(JsValue, js_sys::Object, f64),
    /// Wait this many milliseconds.
    Wait(f64),
    /// Wait until the page is idle, at most this many milliseconds.
    Idle(f64),
    /// Resolve the delivery's promise with this value.
    Resolve(JsValue),
    /// Reject the delivery's promise with this error.
    Reject(SdkError),
}

impl Action {
    fn to_js(&self) -> JsValue {
        let (kind, a, b, ms) = match self {
            Self::Gzip(json) => (0, json.clone(), JsValue::UNDEFINED, 0.0),
            Self::Post(url, init, ms) => (1, url.clone(), init.into(), *ms),
            Self::Wait(ms) => (2, JsValue::from_f64(*ms), JsValue::UNDEFINED, 0.0),
            Self::Idle(ms) => (3, JsValue::from_f64(*ms), JsValue::UNDEFINED, 0.0),
            Self::Resolve(value) => (4, value.clone(), JsValue::UNDEFINED, 0.0),
            Self::Reject(error) => (5, error.to_js(), JsValue::UNDEFINED, 0.0),
        };
        js_sys::Array::of4(&JsValue::from(kind), &a, &b, &JsValue::from_f64(ms)).into()
    }
}

/// A delivery as a state machine: given what its last action came to (`undefined` for the
/// first call), the next action.
pub trait Delivery {
    /// The next action.
    fn step(&mut self, outcome: JsValue) -> Action;
}

/// Runs a delivery in the browser; the promise settles as its last action says. (A trait
/// object: one step closure serves every kind of delivery.)
pub fn run(mut delivery: Box<dyn Delivery>) -> js_sys::Promise {
    let step = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |outcome| {
        delivery.step(outcome).to_js()
    });
    // The closure is freed when the browser collects the function, after the last step.
    drive(&step.into_js_value()).unwrap_or_else(|thrown| js_sys::Promise::reject(&thrown))
}

/// The upload URL for the configured org.
pub fn capture_url(config: &Config) -> String {
    let cid = js_sys::encode_uri_component(&config.cid);
    text::concat(&[&config.api, "/v1/captures?cid=", &String::from(cid)])
}

/// Uploads a capture: a promise of the server's result (as a JS object), retrying within
/// the budget. A capture that fails for a reason that may pass is kept for the next page
/// load.
pub fn send(
    config: &Config,
    request: &CaptureRequest,
    custom: Option<&JsValue>,
    deadline: Deadline,
) -> js_sys::Promise {
    let json = match body::to_json(request, custom) {
        Ok(json) => json,
        Err(error) => return js_sys::Promise::reject(&error.to_js()),
    };
    run(Box::new(Sending {
        upload: Upload {
            key: request.idempotency_key.clone(),
            url: capture_url(config),
            body: Body {
                data: json,
                gzip: false,
            },
        },
        deadline,
        stage: Stage::Start,
        attempts: 0,
        wait: FIRST_BACKOFF_MS,
    }))
}

/// One capture's upload.
struct Sending {
    upload: Upload,
    deadline: Deadline,
    stage: Stage,
    attempts: u32,
    /// The wait before the next retry, before jitter.
    wait: f64,
}

enum Stage {
    Start,
    Encoding,
    Posting,
    Waiting,
}

impl Delivery for Sending {
    fn step(&mut self, outcome: JsValue) -> Action {
        match self.stage {
            Stage::Start => {
                self.stage = Stage::Encoding;
                Action::Gzip(self.upload.body.data.clone())
            }
            Stage::Encoding => {
                if let Some(bytes) = outcome.dyn_ref::<js_sys::Uint8Array>() {
                    self.upload.body = Body {
                        data: bytes.into(),
                        gzip: true,
                    };
                }
                pending::track(&self.upload);
                self.attempt()
            }
            Stage::Waiting => self.attempt(),
            Stage::Posting => match read(outcome, &self.upload.url, &self.deadline) {
                Attempt::Delivered(result) => self.settle(Action::Resolve(result)),
                Attempt::Refused(error) => self.settle(Action::Reject(error)),
                Attempt::Failed(error) => {
                    // Jitter spreads the retries of many pages after one server hiccup.
                    let jittered = self.wait * (0.75 + js_sys::Math::random() / 2.0);
                    if self.attempts >= MAX_ATTEMPTS || self.deadline.remaining_ms() <= jittered {
                        return self.give_up(error);
                    }
                    self.wait = (self.wait * 2.0).min(MAX_BACKOFF_MS);
                    self.stage = Stage::Waiting;
                    Action::Wait(jittered)
                }
            },
        }
    }
}

impl Sending {
    /// The next attempt, unless the budget is spent.
    fn attempt(&mut self) -> Action {
        if self.deadline.expired() {
            return self.give_up(self.deadline.error());
        }
        self.attempts += 1;
        self.stage = Stage::Posting;
        post(&self.upload, &self.deadline)
    }

    /// Delivered or refused for good: nothing to keep.
    fn settle(&mut self, action: Action) -> Action {
        pending::untrack(&self.upload.key);
        pending::remove(&self.upload.key);
        action
    }

    /// Not delivered for a reason that may pass: kept for the next page load.
    fn give_up(&mut self, error: SdkError) -> Action {
        pending::untrack(&self.upload.key);
        pending::keep(&self.upload);
        Action::Reject(error)
    }
}

/// One `POST` of `upload` within what is left of `deadline`. Credentials are omitted: the
/// org is named by `cid` and the page's cookies for the API origin are none of its
/// business.
pub fn post(upload: &Upload, deadline: &Deadline) -> Action {
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
    Action::Post(
        JsValue::from_str(&upload.url),
        init,
        crate::math::ceil(deadline.remaining_ms()),
    )
}

/// What a [`post`] came to: `[status, body]`, where a body that is not JSON (a proxy's
/// error page) is `undefined`, or `undefined` when no answer came.
pub fn read(outcome: JsValue, url: &str, deadline: &Deadline) -> Attempt {
    let Some(answer) = outcome.dyn_ref::<js_sys::Array>() else {
        return Attempt::Failed(unreachable(url, deadline));
    };
    let body = crate::dom::at(answer, 1);
    // An answer that arrived is used even if the budget ran out meanwhile: the server may
    // have stored the CDR. Only a body cut off by the budget is a timeout.
    if body.is_undefined() && deadline.expired() {
        return Attempt::Failed(deadline.error());
    }
    Attempt::from_answer(crate::dom::get_number(answer, "0") as u16, &body)
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
