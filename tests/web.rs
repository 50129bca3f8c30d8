//! Browser tests of the SDK, run in headless Chrome by
//! `wasm-pack --mode no-install test --headless --chrome`.
//!
//! They build DOM fixtures in the test page and check what a lead generator or buyer would
//! notice: what the snapshot shows and never shows, what the consent tags report, and how
//! `captureCDR` fails. The real upload is covered by the end-to-end suite, which has a server.

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "web/capture.rs"]
mod capture;
#[path = "web/consent.rs"]
mod consent;
#[path = "web/helpers.rs"]
mod helpers;
#[path = "web/limits.rs"]
mod limits;
#[path = "web/property.rs"]
mod property;
#[path = "web/snapshot.rs"]
mod snapshot;
#[path = "web/telemetry.rs"]
mod telemetry;
#[path = "web/trigger.rs"]
mod trigger;
#[path = "web/view.rs"]
mod view;
