//! The interaction log kept from page load to capture: how each field was filled in, and
//! whether a pointer or touch was used. Buyers screen bots with these signals.
//!
//! [`start`] runs once when the module loads; [`collect`] summarises at capture time. For
//! now only the time on page is measured: the listeners that classify fields (`typed`,
//! `pasted`, `autofilled`, `programmatic`) and count keystrokes install themselves in
//! [`start`] and record into this module's state, so the rest of the SDK does not change
//! when they arrive. Field values are never recorded here, only how they were entered.

use expressconsent_protocol::Telemetry;

use crate::dom;

/// Begins observing the page. Must not fail or slow the page: it runs while it loads. It
/// must also tolerate a second call, since wasm-bindgen exports the start function too.
pub fn start() {}

/// The signals observed so far.
pub fn collect() -> Telemetry {
    Telemetry {
        // `performance.now()` counts from the time origin, i.e. from navigation start.
        time_on_page_ms: dom::now_ms(),
        ..Telemetry::default()
    }
}
