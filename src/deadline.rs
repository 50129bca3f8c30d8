//! The `timeoutMs` budget of one `captureCDR` call, shared by capture and upload.
//!
//! The budget starts when `captureCDR` is called. Each upload attempt is aborted when the
//! budget runs out (the upload passes what is left to js/upload.js), so a slow server
//! cannot keep the form waiting.

use crate::error::{ErrorCode, SdkError};
#[allow(unused_imports)]
use crate::prelude::*;
use crate::{dom, text};

/// A point in time after which the call has failed with `TIMEOUT`.
pub struct Deadline {
    started_ms: f64,
    budget_ms: f64,
}

impl Deadline {
    /// Starts a budget of `budget_ms` milliseconds now.
    pub fn start(budget_ms: f64) -> Self {
        Self {
            started_ms: dom::now_ms(),
            budget_ms,
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
        text::push_decimal(&mut message, crate::math::ceil(self.budget_ms) as u64);
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
}
