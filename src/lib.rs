//! ExpressConsent browser SDK: captures consent evidence (CDRs) from lead forms.
//!
//! This file is the whole JavaScript surface, kept thin: `init`, `captureCDR` and the
//! start hook. Each converts between JS values and the plain Rust modules below, which
//! hold the behaviour:
//!
//! | module | owns |
//! |---|---|
//! | [`config`] | the `init` configuration |
//! | [`options`] | reading and checking `captureCDR` options |
//! | [`capture`] | one call from options to result |
//! | [`fit`] | the capture cut to the protocol's limits before the upload |
//! | [`snapshot`] | the DOM snapshot and what never leaves the browser |
//! | [`page`], [`consent`], [`contrast`], [`trigger`], [`telemetry`] | the other evidence |
//! | [`upload`], [`deadline`] | the session, the upload and its time budget |
//! | [`error`] | the one error type and its JS form |
//! | [`text`] | strings put together without `core::fmt` |
//!
//! The surface never throws at the host page: every failure of `captureCDR`, including bad
//! options, is a rejected promise with an `Error` whose `code` is stable.
//!
//! The crate's `std` feature (on by default: tests, debug builds) links the standard
//! library. The size build (scripts/build-sdk.sh) turns it off: the SDK needs only `alloc`,
//! and without `std` a panic is a bare trap (see [`panic`]) rather than the standard
//! library's panic machinery and formatting, several kilobytes of the download. Panics are
//! bugs either way; the SDK's failures are `Result`s.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(not(any(feature = "std", target_arch = "wasm32")))]
compile_error!("without the `std` feature the SDK builds for wasm32-unknown-unknown only");

pub mod capture;
pub mod config;
pub mod consent;
pub mod contrast;
pub mod deadline;
pub mod dom;
pub mod error;
pub mod fit;
mod local;
pub mod math;
pub mod options;
pub mod page;
pub mod snapshot;
pub mod telemetry;
pub mod text;
pub mod trigger;
pub mod upload;

/// What the SDK uses of `alloc`, which `no_std` leaves out of the prelude.
mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::String;
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::config::Config;

// lol_alloc's free list is a few hundred bytes where the standard dlmalloc is kilobytes; a
// page is single-threaded, so its spin lock is never contended.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

/// Without the standard library, a panic (a bug) stops the call with a wasm trap, which the
/// page sees as a `RuntimeError` and the SDK's wrappers turn into a rejected promise.
#[cfg(all(not(feature = "std"), target_arch = "wasm32"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Runs when the module is instantiated: the interaction log, the trigger watch and the
/// scroll watch start, and WebGL contexts made from now on keep their pixels.
/// Debug builds report panics to the console with their Rust message; release builds leave
/// the hook out, since its formatting code would add kilobytes to every page's download.
#[wasm_bindgen(start)]
fn start() {
    #[cfg(all(debug_assertions, feature = "std"))]
    console_error_panic_hook::set_once();
    telemetry::start();
    trigger::start();
    snapshot::watch_scrolls();
    snapshot::preserve_webgl();
}

/// `init({ cid, api? })`: sets the org and the API origin (default: the page's origin).
/// Throws an `Error` with code `INVALID_ARGUMENT` when `cid` is missing or `api` is not an
/// absolute http(s) URL; the JS wrappers turn that into a rejected promise. Then, in the
/// background, once the page is idle, sends again any capture an earlier page could not
/// deliver.
#[wasm_bindgen(js_name = init)]
pub fn init(config: JsValue) -> Result<(), JsValue> {
    Config::from_js(&config).map_err(|e| e.to_js())?.install();
    // It always resolves; nothing waits for it.
    let _ = upload::pending::resend_all();
    Ok(())
}

/// `captureCDR(options?)`: captures the page now and uploads it. Resolves with
/// `{ cdrId, packageData: { packageId, subGroupIdMap }, shareUrl?, shareToken?,
/// shareExpiresAt? }`; rejects with an `Error` whose `code` is `INVALID_ARGUMENT`, `TIMEOUT`,
/// `NETWORK`, `REJECTED` or `NOT_INITIALIZED`. `timeoutMs` defaults to 15,000 ms for
/// capture and upload together.
#[wasm_bindgen(js_name = captureCDR)]
pub fn capture_cdr(options: JsValue) -> Promise {
    // The page is read now, synchronously; only the upload is deferred.
    match capture::prepare(&options) {
        Ok(prepared) => capture::finish(prepared),
        Err(error) => Promise::reject(&error.to_js()),
    }
}

/// `snapshotForBench()`: takes the DOM snapshot alone, as `captureCDR` does, and returns
/// its length in bytes. For `npm run bench`, which times the snapshot step without the
/// upload; pages have no use for it.
#[wasm_bindgen(js_name = snapshotForBench)]
pub fn snapshot_for_bench() -> Result<f64, JsValue> {
    let snapshot = snapshot::capture().map_err(|e| e.to_js())?;
    Ok(snapshot.html.len() as f64)
}

/// The snapshot rewriter's pure-Rust core on `source` (a page's serialization, starting
/// at `<html>`) with URLs resolved against `base`, answered by a page that has nothing
/// live: no form state, sheets, canvases, frames or shadow roots. For the cargo-fuzz
/// targets in `fuzz/`, which look for panics, hangs and runaway allocation; only with the
/// `fuzzing` feature, never in the shipped SDK.
#[cfg(feature = "fuzzing")]
pub fn rewrite_for_fuzzing(source: &str, base: &str) -> String {
    snapshot::rewrite::rewrite(source, base, &mut snapshot::rewrite::Inert).html
}
