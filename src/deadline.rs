//! The `timeoutMs` budget of one `captureCDR` call, shared by capture and upload.
//!
//! The budget starts when `captureCDR` is called. Network work gets an `AbortSignal` that
//! fires when the budget runs out, so a slow server cannot keep the form waiting; the
//! timer is cleared when the deadline is dropped so that it never fires late.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::dom;
use crate::error::{ErrorCode, SdkError};

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
        let budget = self.budget_ms.ceil() as u64;
        SdkError::new(
            ErrorCode::Timeout,
            format!("capture and upload did not finish within timeoutMs ({budget} ms)"),
        )
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
    let timer = js_sys::Promise::new(&mut |resolve, _reject| {
        let scheduled = web_sys::window().is_some_and(|window| {
            window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    &resolve,
                    ms.clamp(0.0, f64::from(i32::MAX)) as i32,
                )
                .is_ok()
        });
        if !scheduled {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(timer).await;
}
