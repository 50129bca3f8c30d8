//! `POST /v1/captures`' body handling on arbitrary bytes: the byte limit, decompression,
//! JSON parsing, every limit, the snapshot check and the consent facts. It must never panic, never allocate without
//! bound (a gzip bomb stops at the limit), and refuse bad input only as the client's
//! fault: `INVALID_ARGUMENT` or `PAYLOAD_TOO_LARGE`, never a 500 that the SDK would retry.
//!
//! The first byte picks how the rest travels: 0 as it is, 1 gzip-compressed here (so the
//! fuzzer's JSON reaches the parser through the decoder), 2 claimed gzip, 3 claimed
//! deflate (the fuzzer's bytes reach the decoders as they are).
#![no_main]

use std::io::Write as _;

use expressconsent_protocol::ErrorCode;
use flate2::write::GzEncoder;
use flate2::Compression;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (encoding, body) = match mode % 4 {
        0 => ("", rest.to_vec()),
        1 => {
            let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
            gz.write_all(rest).expect("writing to a Vec");
            ("gzip", gz.finish().expect("writing to a Vec"))
        }
        2 => ("gzip", rest.to_vec()),
        _ => ("deflate", rest.to_vec()),
    };
    let outcome = expressconsent_server::fuzzing::capture_body(encoding, &body);
    if let Err(err) = outcome {
        let code = err.code();
        assert!(
            matches!(
                code,
                ErrorCode::InvalidArgument | ErrorCode::PayloadTooLarge
            ),
            "a bad capture body must be the client's error, got {code:?}: {err}"
        );
    }
});
