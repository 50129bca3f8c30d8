//! The snapshot against the browser, on thousands of random pages: a seeded generator
//! (`property-gen.js`) builds a piece of page in the live document, the SDK takes the
//! snapshot, and `property-check.js` parses it back with `DOMParser` and compares it with a
//! reference computed from the live DOM in plain JS: same elements in the same order, same
//! text, live values present, no secret and nothing executable.
//!
//! The base seed is printed and changes from run to run; `EC_PROPERTY_SEED=<n>` at build
//! time replays a run. A failure names the case's seed and shows its live markup.

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

#[wasm_bindgen(module = "/tests/web/property-gen.js")]
extern "C" {
    /// Builds case `seed` at the start of `<body>`: page-like, or chaos.
    #[wasm_bindgen(js_name = buildCase)]
    fn build_case(seed: u32, chaos: bool) -> JsValue;
    /// Removes a case from the page.
    #[wasm_bindgen(js_name = removeCase)]
    fn remove_case(case: &JsValue);
    /// A base seed that differs from run to run.
    #[wasm_bindgen(js_name = timeSeed)]
    fn time_seed() -> u32;
    /// A promise that resolves on the next turn of the event loop.
    #[wasm_bindgen(js_name = nextTurn)]
    fn next_turn() -> js_sys::Promise;
}

#[wasm_bindgen(module = "/tests/web/property-check.js")]
extern "C" {
    /// What is wrong with `html` as the snapshot of `case`, or `""`.
    #[wasm_bindgen(js_name = checkSnapshot)]
    fn check_snapshot(html: &str, case: &JsValue) -> String;
}

/// Cases per run; every fourth is a chaos case.
const CASES: u32 = 2_000;

/// Cases run between two turns of the event loop, which the test runner needs to poll the
/// page.
const BATCH: u32 = 20;

#[wasm_bindgen_test]
async fn random_pages_snapshot_like_the_live_dom_and_leak_and_run_nothing() {
    let base = option_env!("EC_PROPERTY_SEED")
        .and_then(|seed| seed.trim().parse().ok())
        .unwrap_or_else(time_seed);
    console_log!("snapshot property test: base seed {base} (replay: EC_PROPERTY_SEED={base})");
    // Where the time goes, printed (never asserted): building, snapshot, check.
    let now = js_sys::Date::now;
    let mut spent = [0.0; 3];
    for i in 0..CASES {
        let seed = base.wrapping_add(i);
        let t0 = now();
        let case = build_case(seed, i % 4 == 3);
        let t1 = now();
        let snap = expressconsent_sdk::snapshot::capture();
        let t2 = now();
        let problem = match snap {
            Ok(snapshot) => check_snapshot(&snapshot.html, &case),
            Err(error) => format!("the snapshot failed: {error:?}"),
        };
        spent[0] += t1 - t0;
        spent[1] += t2 - t1;
        spent[2] += now() - t2;
        remove_case(&case);
        if i % BATCH == BATCH - 1 {
            let _ = wasm_bindgen_futures::JsFuture::from(next_turn()).await;
        }
        assert!(
            problem.is_empty(),
            "case {i} of base seed {base} (replay: EC_PROPERTY_SEED={base}; case seed {seed}):\n{problem}"
        );
    }
    console_log!(
        "{CASES} cases: {:.0} ms building pages, {:.0} ms in snapshots, {:.0} ms checking",
        spent[0],
        spent[1],
        spent[2]
    );
}
