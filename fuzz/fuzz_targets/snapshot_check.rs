//! The server's snapshot checker on arbitrary markup: it refuses or accepts, never panics,
//! hangs or allocates without bound, whatever the nesting, `srcdoc` frames or shadow roots.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let _ = expressconsent_server::evidence::check(&html);
});
