//! The server's consent derivation on arbitrary stored captures: it must never panic,
//! hang or allocate without bound, whatever the JSON or the snapshot markup.
//!
//! An even first byte: the rest is a stored capture's JSON (as read back from evidence).
//! An odd one: the rest is snapshot markup, judged for disclosures `""`, `tcpa` and
//! `partners` with the trigger and visibility the first byte's bits choose.
#![no_main]

use expressconsent_protocol::{Disclosure, Snapshot, Trigger};
use expressconsent_server::fuzzing::consent_facts;
use expressconsent_server::evidence::StoredCapture;
use libfuzzer_sys::fuzz_target;

fn disclosure(id: &str, seen: bool) -> Disclosure {
    Disclosure {
        id: id.into(),
        text: "I agree to be called.".into(),
        rendered: seen,
        in_viewport: true,
        opacity: 1.0,
        font_size_px: 14.0,
        contrast_ratio: Some(7.0),
        ..Disclosure::default()
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let capture = if mode % 2 == 0 {
        match serde_json::from_slice::<StoredCapture>(rest) {
            Ok(capture) => capture,
            Err(_) => return,
        }
    } else {
        let ids: &[&str] = match (mode >> 1) % 3 {
            0 => &[""],
            1 => &["tcpa"],
            _ => &["tcpa", "partners", ""],
        };
        StoredCapture {
            snapshot: Snapshot {
                html: String::from_utf8_lossy(rest).into_owned(),
                ..Snapshot::default()
            },
            disclosures: ids.iter().map(|id| disclosure(id, mode & 8 == 0)).collect(),
            trigger: (mode & 16 == 0).then(|| Trigger {
                tag_name: "button".into(),
                event_type: "click".into(),
                is_trusted: mode & 32 == 0,
                is_tagged_submit: mode & 64 == 0,
                ..Trigger::default()
            }),
            ..StoredCapture::default()
        }
    };
    let _ = consent_facts(&capture);
});
