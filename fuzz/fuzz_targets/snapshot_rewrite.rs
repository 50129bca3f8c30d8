//! The SDK's snapshot rewriter (its pure-Rust core, with a page that has nothing live) on
//! arbitrary markup: it must never panic, hang or allocate without bound. Whether what it
//! writes is right is the browser property test's job (tests/web/).
#![no_main]

use libfuzzer_sys::fuzz_target;

const BASE: &str = "https://leads.example/apply/form.html?step=2";

fuzz_target!(|data: &[u8]| {
    // The browser's serialization is always valid UTF-16, so always valid UTF-8 here.
    let source = String::from_utf8_lossy(data);
    let _ = expressconsent_sdk::rewrite_for_fuzzing(&source, BASE);
});
