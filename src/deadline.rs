//! The `timeoutMs` budget of one `captureCDR` call, shared by capture and upload.
//!
//! The budget starts when `captureCDR` is called. Network work gets an `AbortSignal` that
//! fires when the budget runs out, so a slow server cannot keep the form waiting; the
//! timer is cleared when the deadline is dropped so that it never fires late.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::error::{ErrorCode, SdkError};
use crate::{dom, text};

/// A point in time after which the call has failed with `TIMEOUT`.
pub struct Deadline {
    started_ms: f64,
    budget_ms: f64,
    controller: Option<AbortController>,
    timer: Option<(i32, Closure<dyn FnMut()>)>,
}

impl Deadline {
    /// Starts a budget of `budget_ms` milliseconds now.
    pub fn start(budget_ms: f64) -> Self {
        Self {
            started_ms: dom::now_ms(),
            budget_ms,
            controller: None,
            timer: None,
        }
    }

    /// Milliseconds left, never negative.
    pub fn remaining_ms(&self) -> f64 {
        (self.budget_ms - (dom::now_ms() - self.started_ms)).max(0.0)
    }

    /// Whether the budget is spent.
    pub fn expired(&self) -> bool {
        self.remaining_ms() <= 0.0
    }

    /// The error for a spent budget.
    pub fn error(&self) -> SdkError {
        // Whole milliseconds: formatting an f64 would add 17 KB of float printing to the wasm.
        let mut message = String::from("capture and upload did not finish within timeoutMs (");
        text::push_decimal(&mut message, self.budget_ms.ceil() as u64);
        message.push_str(" ms)");
        SdkError::new(ErrorCode::Timeout, message)
    }

    /// Fails when the budget is already spent, e.g. by a slow snapshot.
    pub fn check(&self) -> Result<(), SdkError> {
        if self.expired() {
            Err(self.error())
        } else {
            Ok(())
        }
    }

    /// A signal that aborts when the budget runs out; `None` when timers or abort
    /// controllers are unavailable, in which case the request simply is not aborted.
    pub fn signal(&mut self) -> Option<AbortSignal> {
        if let Some(controller) = &self.controller {
            return Some(controller.signal());
        }
        let controller = AbortController::new().ok()?;
        let window = web_sys::window()?;
        let aborter = controller.clone();
        let on_timeout = Closure::<dyn FnMut()>::new(move || aborter.abort());
        // `remaining_ms` is capped below `i32::MAX` by the options, so the cast is exact.
        let handle = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                on_timeout.as_ref().unchecked_ref(),
                self.remaining_ms().ceil() as i32,
            )
            .ok()?;
        self.timer = Some((handle, on_timeout));
        let signal = controller.signal();
        self.controller = Some(controller);
        Some(signal)
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let (Some((handle, _)), Some(window)) = (&self.timer, web_sys::window()) {
            window.clear_timeout_with_handle(*handle);
        }
    }
}

/// Waits `ms` milliseconds (a backoff between upload attempts). Without a window it
/// returns at once.
pub async fn sleep(ms: f64) {
    wait(&|resolve| set_timeout(resolve, ms)).await;
}

/// Waits until the browser is idle (`requestIdleCallback`, at most `max_ms` later), for work
/// that must not compete with the page's own start-up. Where there is no such API, waits
/// for the next task (a zero `setTimeout`).
pub async fn idle(max_ms: f64) {
    wait(&|resolve| {
        let global = js_sys::global();
        let request = js_sys::Reflect::get(&global, &JsValue::from_str("requestIdleCallback"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(
            &options,
            &JsValue::from_str("timeout"),
            &JsValue::from_f64(max_ms),
        );
        request.is_some_and(|f| f.call2(&global, resolve, &options).is_ok())
            || set_timeout(resolve, 0.0)
    })
    .await;
}

fn set_timeout(callback: &js_sys::Function, ms: f64) -> bool {
    web_sys::window().is_some_and(|window| {
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback,
                ms.clamp(0.0, f64::from(i32::MAX)) as i32,
            )
            .is_ok()
    })
}

/// Waits until `schedule` calls the function it is given; when it could not schedule the
/// call (it returns `false`), returns at once.
async fn wait(schedule: &dyn Fn(&js_sys::Function) -> bool) {
    let done = js_sys::Promise::new(&mut |resolve, _reject| {
        if !schedule(&resolve) {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(done).await;
}
