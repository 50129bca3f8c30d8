//! The limits of SPEC.md, each as a constant and, where a value is checked, a newtype whose
//! constructor is the only place the check lives. SDK and server call the same code.

#[allow(unused_imports)]
use crate::prelude::*;
use core::fmt;

use crate::text::{char_start, concat, decimal, has_byte};

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// Default lifetime of a share link: 30 days.
pub const DEFAULT_SHARE_EXPIRY_MS: u64 = 30 * DAY_MS;
/// Longest lifetime of a share link: two years of 365 days.
pub const MAX_SHARE_EXPIRY_MS: u64 = 2 * 365 * DAY_MS;
/// Largest `custom` object, serialized as JSON, in bytes.
pub const MAX_CUSTOM_BYTES: usize = 16 * 1024;
/// Most `subGroupIds` in one capture.
pub const MAX_SUB_GROUP_IDS: usize = 5;
/// Longest disclosure text kept, in characters.
pub const MAX_DISCLOSURE_CHARS: usize = 5_000;
/// Largest capture upload the server accepts, in bytes (the JSON body as sent).
pub const MAX_CAPTURE_BYTES: usize = 16 * 1024 * 1024;

// What a capture stores, in characters (Unicode scalar values, as JSON Schema's
// `maxLength` counts them) or entries. The SDK trims page-derived values to these
// (see `crate::fit`); the server refuses anything over them (`crate::check_capture`).
// The OpenAPI attributes on `crate::capture` repeat each number as a literal (utoipa
// takes no constants); the server's OpenAPI test checks that they agree.

/// Longest idempotency key, package id or sub-group id.
pub const MAX_KEY_CHARS: usize = 128;
/// Longest page URL or referrer.
pub const MAX_URL_CHARS: usize = 8_192;
/// Longest page title, user agent, trigger selector or trigger label.
pub const MAX_TEXT_CHARS: usize = 1_024;
/// Longest short code: language, time zone, tag name, event type, fill method, SDK version.
pub const MAX_CODE_CHARS: usize = 64;
/// Longest tag value: a disclosure id, `data-ec-consent-for`, `highlightTarget`.
pub const MAX_TAG_CHARS: usize = 256;
/// Longest telemetry field name (the field's `name`, `id` or CSS path).
pub const MAX_FIELD_NAME_CHARS: usize = 256;
/// Most disclosures in one capture.
pub const MAX_DISCLOSURES: usize = 50;
/// Most consent checkboxes in one capture.
pub const MAX_CONSENT_CHECKBOXES: usize = 50;
/// Most telemetry fields in one capture.
pub const MAX_TELEMETRY_FIELDS: usize = 500;
/// Most snapshot warnings in one capture.
pub const MAX_WARNINGS: usize = 100;
/// Longest snapshot warning.
pub const MAX_WARNING_CHARS: usize = 1_024;
/// Most recorded element scroll offsets in one capture.
pub const MAX_ELEMENT_SCROLLS: usize = 1_000;
/// What ends a value the SDK had to shorten.
pub const TRIM_MARKER: char = '…';

/// A limit that a value broke; the message says which and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitError(pub String);

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl core::error::Error for LimitError {}

/// The lifetime of a share link: more than 0 ms, at most [`MAX_SHARE_EXPIRY_MS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiresIn(u64);

impl ExpiresIn {
    /// Checks a requested lifetime in milliseconds.
    pub fn new(ms: u64) -> Result<Self, LimitError> {
        if ms == 0 {
            return Err(LimitError("expiresInMs must be greater than 0".into()));
        }
        if ms > MAX_SHARE_EXPIRY_MS {
            return Err(LimitError(concat(&[
                "expiresInMs must be at most ",
                &decimal(MAX_SHARE_EXPIRY_MS),
                " (2 years); got ",
                &decimal(ms),
            ])));
        }
        Ok(Self(ms))
    }

    /// Reads an optional request field: absent means the 30-day default.
    pub fn from_request(ms: Option<u64>) -> Result<Self, LimitError> {
        ms.map_or(Ok(Self(DEFAULT_SHARE_EXPIRY_MS)), Self::new)
    }

    /// The lifetime in milliseconds.
    pub fn as_millis(self) -> u64 {
        self.0
    }
}

/// Checks the serialized size of a `custom` object.
pub fn check_custom_size(serialized_len: usize) -> Result<(), LimitError> {
    if serialized_len > MAX_CUSTOM_BYTES {
        return Err(LimitError(concat(&[
            "custom must be at most ",
            &decimal(MAX_CUSTOM_BYTES as u64),
            " bytes as JSON; got ",
            &decimal(serialized_len as u64),
        ])));
    }
    Ok(())
}

/// Up to five unique, non-empty sub-group ids, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubGroupIds(Vec<String>);

impl SubGroupIds {
    /// Checks the list of a capture request.
    pub fn new(ids: Vec<String>) -> Result<Self, LimitError> {
        if ids.len() > MAX_SUB_GROUP_IDS {
            return Err(LimitError(concat(&[
                "subGroupIds takes at most ",
                &decimal(MAX_SUB_GROUP_IDS as u64),
                " ids; got ",
                &decimal(ids.len() as u64),
            ])));
        }
        for (i, id) in ids.iter().enumerate() {
            if char_start(id, MAX_KEY_CHARS).is_some() || has_byte(id.as_bytes(), 0) {
                return Err(LimitError(concat(&[
                    "each subGroupId must be at most ",
                    &decimal(MAX_KEY_CHARS as u64),
                    " characters, without NUL",
                ])));
            }
            if id.chars().all(char::is_whitespace) {
                return Err(LimitError(
                    "subGroupIds must not contain empty strings".into(),
                ));
            }
            if ids[..i].contains(id) {
                return Err(LimitError(concat(&[
                    "subGroupIds contains \"",
                    id,
                    "\" twice",
                ])));
            }
        }
        Ok(Self(ids))
    }

    /// The ids, in the order given.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_accepted_from_one_ms_up_to_exactly_two_years() {
        assert!(ExpiresIn::new(0).is_err());
        assert_eq!(ExpiresIn::new(1).unwrap().as_millis(), 1);
        assert!(ExpiresIn::new(MAX_SHARE_EXPIRY_MS).is_ok());
        assert!(ExpiresIn::new(MAX_SHARE_EXPIRY_MS + 1).is_err());
    }

    #[test]
    fn absent_expiry_means_thirty_days() {
        let expiry = ExpiresIn::from_request(None).unwrap();
        assert_eq!(expiry.as_millis(), 30 * 24 * 3_600_000);
    }

    #[test]
    fn custom_may_be_exactly_sixteen_kib() {
        assert!(check_custom_size(MAX_CUSTOM_BYTES).is_ok());
        assert!(check_custom_size(MAX_CUSTOM_BYTES + 1).is_err());
    }

    #[test]
    fn sub_group_ids_are_few_unique_and_non_empty() {
        let five: Vec<String> = (0..5).map(|i| format!("g{i}")).collect();
        assert!(SubGroupIds::new(five.clone()).is_ok());
        let mut six = five.clone();
        six.push("g5".into());
        assert!(SubGroupIds::new(six).is_err());
        assert!(SubGroupIds::new(vec!["a".into(), "a".into()]).is_err());
        assert!(SubGroupIds::new(vec![" ".into()]).is_err());
    }

    #[test]
    fn messages_name_the_limit_and_the_value_given() {
        let message = |error: LimitError| error.0;
        assert_eq!(
            message(ExpiresIn::new(MAX_SHARE_EXPIRY_MS + 1).unwrap_err()),
            "expiresInMs must be at most 63072000000 (2 years); got 63072000001"
        );
        assert_eq!(
            message(check_custom_size(16_385).unwrap_err()),
            "custom must be at most 16384 bytes as JSON; got 16385"
        );
        let six: Vec<String> = (0..6).map(decimal).collect();
        assert_eq!(
            message(SubGroupIds::new(six).unwrap_err()),
            "subGroupIds takes at most 5 ids; got 6"
        );
        assert_eq!(
            message(SubGroupIds::new(vec!["a".into(), "a".into()]).unwrap_err()),
            "subGroupIds contains \"a\" twice"
        );
        assert_eq!(decimal(0), "0");
        assert_eq!(decimal(u64::MAX), u64::MAX.to_string());
    }
}
