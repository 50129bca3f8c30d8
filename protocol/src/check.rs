//! Every limit of a capture request, as the server checks it before anything is stored.
//!
//! Owns the refusal of what is over a limit of [`crate::limits`] and of
//! text that a backend cannot store: a NUL character, which PostgreSQL's `TEXT` refuses
//! (SQLite would keep it and the same capture would then behave differently per backend).
//! Every message names the field, its limit and what was sent. The snapshot's HTML is
//! bounded by the body size alone and is stored only as evidence bytes, so NUL is allowed
//! there. The SDK trims page-derived values to these limits before the upload
//! ([`crate::fit_chars`]), so a real page never meets a refusal here; its browser tests
//! run this very check on what it would upload.

#[allow(unused_imports)]
use crate::prelude::*;
use serde_json::Value;

use crate::capture::CaptureRequest;
use crate::limits::{
    LimitError, MAX_CODE_CHARS, MAX_CONSENT_CHECKBOXES, MAX_DISCLOSURES, MAX_DISCLOSURE_CHARS,
    MAX_ELEMENT_SCROLLS, MAX_FIELD_NAME_CHARS, MAX_TAG_CHARS, MAX_TELEMETRY_FIELDS, MAX_TEXT_CHARS,
    MAX_URL_CHARS, MAX_WARNINGS, MAX_WARNING_CHARS,
};
use crate::text::{concat, decimal};

/// Checks every string and list of `request` except `idempotencyKey`, `packageId`,
/// `subGroupIds` and `custom`'s size, which have their own newtypes.
pub fn check_capture(request: &CaptureRequest) -> Result<(), LimitError> {
    let page = &request.page;
    text("page.url", &page.url, MAX_URL_CHARS)?;
    text("page.referrer", &page.referrer, MAX_URL_CHARS)?;
    text("page.title", &page.title, MAX_TEXT_CHARS)?;
    text("page.userAgent", &page.user_agent, MAX_TEXT_CHARS)?;
    text("page.language", &page.language, MAX_CODE_CHARS)?;
    text("page.timeZone", &page.time_zone, MAX_CODE_CHARS)?;
    text("sdkVersion", &request.sdk_version, MAX_CODE_CHARS)?;
    if let Some(target) = &request.highlight_target {
        text("highlightTarget", target, MAX_TAG_CHARS)?;
    }

    let snapshot = &request.snapshot;
    count("snapshot.warnings", snapshot.warnings.len(), MAX_WARNINGS)?;
    for warning in &snapshot.warnings {
        text("snapshot.warnings[]", warning, MAX_WARNING_CHARS)?;
    }
    let scrolls = snapshot.element_scrolls.len();
    count("snapshot.elementScrolls", scrolls, MAX_ELEMENT_SCROLLS)?;

    count("disclosures", request.disclosures.len(), MAX_DISCLOSURES)?;
    for disclosure in &request.disclosures {
        text("disclosures[].id", &disclosure.id, MAX_TAG_CHARS)?;
        text("disclosures[].text", &disclosure.text, MAX_DISCLOSURE_CHARS)?;
    }
    let checkboxes = request.consent_checkboxes.len();
    count("consentCheckboxes", checkboxes, MAX_CONSENT_CHECKBOXES)?;
    for checkbox in &request.consent_checkboxes {
        if let Some(id) = &checkbox.consent_for {
            text("consentCheckboxes[].consentFor", id, MAX_TAG_CHARS)?;
        }
    }

    if let Some(trigger) = &request.trigger {
        text("trigger.tagName", &trigger.tag_name, MAX_CODE_CHARS)?;
        text("trigger.text", &trigger.text, MAX_TEXT_CHARS)?;
        text("trigger.selector", &trigger.selector, MAX_TEXT_CHARS)?;
        text("trigger.eventType", &trigger.event_type, MAX_CODE_CHARS)?;
    }

    let fields = &request.telemetry.fields;
    count("telemetry.fields", fields.len(), MAX_TELEMETRY_FIELDS)?;
    for (name, field) in fields {
        text("a telemetry.fields name", name, MAX_FIELD_NAME_CHARS)?;
        text(
            "telemetry.fields[].fillMethod",
            &field.fill_method,
            MAX_CODE_CHARS,
        )?;
    }

    if let Some(custom) = &request.custom {
        for (key, value) in custom {
            no_nul("a custom key", key)?;
            custom_value(value)?;
        }
    }
    Ok(())
}

/// At most `max` characters and no NUL.
fn text(field: &str, value: &str, max: usize) -> Result<(), LimitError> {
    no_nul(field, value)?;
    // A string of at most `max` bytes has at most `max` characters: skip the count.
    if value.len() > max {
        let chars = value.chars().count();
        if chars > max {
            return Err(LimitError(concat(&[
                field,
                " has ",
                &decimal(chars as u64),
                " characters; at most ",
                &decimal(max as u64),
                " are accepted",
            ])));
        }
    }
    Ok(())
}

fn count(field: &str, len: usize, max: usize) -> Result<(), LimitError> {
    if len > max {
        return Err(LimitError(concat(&[
            field,
            " has ",
            &decimal(len as u64),
            " entries; at most ",
            &decimal(max as u64),
            " are accepted",
        ])));
    }
    Ok(())
}

fn no_nul(field: &str, value: &str) -> Result<(), LimitError> {
    if value.contains('\0') {
        return Err(LimitError(concat(&[
            field,
            " contains a NUL character (\\u0000), which cannot be stored",
        ])));
    }
    Ok(())
}

/// No NUL in any string or key inside `custom`, however deep.
fn custom_value(value: &Value) -> Result<(), LimitError> {
    match value {
        Value::String(s) => no_nul("a custom value", s),
        Value::Array(items) => items.iter().try_for_each(custom_value),
        Value::Object(map) => map.iter().try_for_each(|(key, value)| {
            no_nul("a custom key", key)?;
            custom_value(value)
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(patch: impl FnOnce(&mut Value)) -> CaptureRequest {
        let mut body = json!({
            "idempotencyKey": "k", "packageId": "p", "sdkVersion": "1",
            "page": { "url": "https://example.com/" }, "snapshot": { "html": "<p>\u{0}</p>" }
        });
        patch(&mut body);
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn each_limit_accepts_its_edge_and_refuses_one_more() {
        type Patch = fn(&mut Value, usize);
        let cases: [(&str, usize, Patch); 8] = [
            ("page.url", MAX_URL_CHARS, |b, n| {
                b["page"]["url"] = json!("é".repeat(n))
            }),
            ("page.title", MAX_TEXT_CHARS, |b, n| {
                b["page"]["title"] = json!("字".repeat(n))
            }),
            ("trigger.selector", MAX_TEXT_CHARS, |b, n| {
                b["trigger"] = json!({ "selector": "a".repeat(n) })
            }),
            ("disclosures", MAX_DISCLOSURES, |b, n| {
                b["disclosures"] = json!(vec![json!({}); n])
            }),
            ("consentCheckboxes", MAX_CONSENT_CHECKBOXES, |b, n| {
                b["consentCheckboxes"] = json!(vec![json!({}); n])
            }),
            ("telemetry.fields", MAX_TELEMETRY_FIELDS, |b, n| {
                let fields: serde_json::Map<String, Value> =
                    (0..n).map(|i| (format!("f{i}"), json!({}))).collect();
                b["telemetry"] = json!({ "fields": fields })
            }),
            ("snapshot.warnings", MAX_WARNINGS, |b, n| {
                b["snapshot"]["warnings"] = json!(vec!["w"; n])
            }),
            ("a telemetry.fields name", MAX_FIELD_NAME_CHARS, |b, n| {
                b["telemetry"] = json!({ "fields": { "😀".repeat(n): {} } })
            }),
        ];
        for (field, max, patch) in cases {
            assert_eq!(
                check_capture(&request(|b| patch(b, max))),
                Ok(()),
                "{field}"
            );
            let refused = check_capture(&request(|b| patch(b, max + 1))).unwrap_err();
            assert!(refused.0.starts_with(field), "{field}: {}", refused.0);
            assert!(refused.0.contains(&max.to_string()), "{}", refused.0);
        }
    }

    #[test]
    fn nul_is_refused_in_stored_text_but_allowed_in_the_snapshot_html() {
        assert_eq!(check_capture(&request(|_| {})), Ok(()));
        let refused: [fn(&mut Value); 4] = [
            |b| b["page"]["title"] = json!("a\u{0}b"),
            |b| b["custom"] = json!({ "lead\u{0}": 1 }),
            |b| b["custom"] = json!({ "deep": [{ "x": "\u{0}" }] }),
            |b| b["telemetry"] = json!({ "fields": { "f": { "fillMethod": "\u{0}" } } }),
        ];
        for patch in refused {
            let message = check_capture(&request(patch)).unwrap_err().0;
            assert!(message.contains("NUL"), "{message}");
        }
    }
}
