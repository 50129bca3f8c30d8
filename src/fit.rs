//! The capture cut to the protocol's limits before it leaves the browser.
//!
//! A real page may have a title of any length, a thousand scrolled containers or more
//! fields than the server keeps; the server refuses an upload over any limit
//! (`INVALID_ARGUMENT`, never retried), so the SDK makes every page-derived value fit
//! first and says so: a shortened string ends in `…` (and a NUL in it, which no database
//! stores, becomes U+FFFD), and a shortened list adds a line to `snapshot.warnings`.
//! The limits are the protocol crate's constants, the same ones the server checks.

#[allow(unused_imports)]
use crate::prelude::*;
use expressconsent_protocol::{
    fit_chars, MAX_CODE_CHARS, MAX_CONSENT_CHECKBOXES, MAX_DISCLOSURES, MAX_DISCLOSURE_CHARS,
    MAX_ELEMENT_SCROLLS, MAX_FIELD_NAME_CHARS, MAX_TAG_CHARS, MAX_TELEMETRY_FIELDS, MAX_TEXT_CHARS,
    MAX_URL_CHARS, MAX_WARNINGS, MAX_WARNING_CHARS,
};

use crate::text::{concat, decimal};
use crate::upload::CaptureRequest;

/// Makes every string and list of `request` fit its limit.
pub fn fit(request: &mut CaptureRequest) {
    let page = &mut request.page;
    fit_chars(&mut page.url, MAX_URL_CHARS);
    fit_chars(&mut page.referrer, MAX_URL_CHARS);
    fit_chars(&mut page.title, MAX_TEXT_CHARS);
    fit_chars(&mut page.user_agent, MAX_TEXT_CHARS);
    fit_chars(&mut page.language, MAX_CODE_CHARS);
    fit_chars(&mut page.time_zone, MAX_CODE_CHARS);
    if let Some(target) = &mut request.highlight_target {
        fit_chars(target, MAX_TAG_CHARS);
    }
    if let Some(trigger) = &mut request.trigger {
        fit_chars(&mut trigger.tag_name, MAX_CODE_CHARS);
        fit_chars(&mut trigger.text, MAX_TEXT_CHARS);
        fit_chars(&mut trigger.selector, MAX_TEXT_CHARS);
        fit_chars(&mut trigger.event_type, MAX_CODE_CHARS);
    }

    let mut notes = Vec::new();
    let disclosures = &mut request.disclosures;
    dropped(
        &mut notes,
        "disclosures",
        disclosures.len(),
        MAX_DISCLOSURES,
    );
    disclosures.truncate(MAX_DISCLOSURES);
    for disclosure in disclosures {
        fit_chars(&mut disclosure.id, MAX_TAG_CHARS);
        fit_chars(&mut disclosure.text, MAX_DISCLOSURE_CHARS);
    }
    let checkboxes = &mut request.consent_checkboxes;
    dropped(
        &mut notes,
        "consent checkboxes",
        checkboxes.len(),
        MAX_CONSENT_CHECKBOXES,
    );
    checkboxes.truncate(MAX_CONSENT_CHECKBOXES);
    for checkbox in checkboxes {
        if let Some(id) = &mut checkbox.consent_for {
            fit_chars(id, MAX_TAG_CHARS);
        }
    }
    let fields = &mut request.telemetry.fields;
    let before = fields.entries().len();
    fields.fit(MAX_TELEMETRY_FIELDS, MAX_FIELD_NAME_CHARS);
    dropped(&mut notes, "fields", before, MAX_TELEMETRY_FIELDS);
    let snapshot = &mut request.snapshot;
    let scrolls = snapshot.element_scrolls.len();
    dropped(
        &mut notes,
        "scrolled elements",
        scrolls,
        MAX_ELEMENT_SCROLLS,
    );
    snapshot.element_scrolls.truncate(MAX_ELEMENT_SCROLLS);

    // The notes are added last, so that they are never the warnings cut.
    let warnings = &mut snapshot.warnings;
    warnings.truncate(MAX_WARNINGS - notes.len());
    warnings.append(&mut notes);
    for warning in warnings {
        fit_chars(warning, MAX_WARNING_CHARS);
    }
}

/// Notes that `len` of `what` were found and only the first `max` kept, when `len > max`.
fn dropped(notes: &mut Vec<String>, what: &str, len: usize, max: usize) {
    if len > max {
        notes.push(concat(&[
            &decimal(len as u64),
            " ",
            what,
            " on the page; the first ",
            &decimal(max as u64),
            " are kept",
        ]));
    }
}
