//! The filterable form of a CDR's `custom` object.
//!
//! Owns the one rule that decides what `metadataKey` + `metadataValue` match: every
//! top-level key of `custom` is stored beside the CDR (table `cdr_metadata`) with its value
//! as text. A string is stored as itself; any other value (number, boolean, null, array,
//! object) as its compact JSON text, so `{"score": 7}` matches `metadataValue=7`,
//! `{"vip": true}` matches `metadataValue=true`, and the string `"7"` also matches
//! `metadataValue=7`. Matching is exact and case-sensitive. Pure; no I/O.

use serde_json::{Map, Value};

/// A value as it is stored and compared.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The `(key, value)` rows stored for a `custom` object, one per top-level key.
pub fn entries(custom: &Map<String, Value>) -> Vec<(String, String)> {
    custom
        .iter()
        .map(|(key, value)| (key.clone(), value_text(value)))
        .collect()
}

/// A `metadataKey` + `metadataValue` filter; both or neither must be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataFilter {
    /// A top-level key of `custom`.
    pub key: String,
    /// The value as [`value_text`] spells it.
    pub value: String,
}

impl MetadataFilter {
    /// Reads the two query parameters; `Err` names what is missing.
    pub fn from_query(key: Option<String>, value: Option<String>) -> Result<Option<Self>, String> {
        match (key, value) {
            (None, None) => Ok(None),
            (Some(key), Some(value)) if !key.is_empty() => Ok(Some(Self { key, value })),
            (Some(_), Some(_)) => Err("metadataKey must not be empty".into()),
            (Some(_), None) => Err("metadataKey needs metadataValue; give both or neither".into()),
            (None, Some(_)) => Err("metadataValue needs metadataKey; give both or neither".into()),
        }
    }

    /// Whether no stored row can match: ingest refuses NUL in `custom`, so a key or value
    /// holding one matches nothing. Callers answer an empty list without asking the
    /// database (PostgreSQL text cannot even hold NUL, and would fail the query).
    pub fn matches_nothing(&self) -> bool {
        self.key.contains('\0') || self.value.contains('\0')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_are_stored_as_themselves_and_everything_else_as_json() {
        let custom = json!({
            "leadId": "L-1", "score": 7, "ratio": 0.5, "vip": true, "none": null,
            "tags": ["a", "b"], "nested": { "x": 1 }, "quoted": "\"q\""
        });
        let mut stored = entries(custom.as_object().unwrap());
        stored.sort();
        let expected = [
            ("leadId", "L-1"),
            ("nested", r#"{"x":1}"#),
            ("none", "null"),
            ("quoted", r#""q""#),
            ("ratio", "0.5"),
            ("score", "7"),
            ("tags", r#"["a","b"]"#),
            ("vip", "true"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(stored, expected);
    }

    #[test]
    fn a_filter_needs_both_key_and_value() {
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(MetadataFilter::from_query(None, None), Ok(None));
        assert_eq!(
            MetadataFilter::from_query(some("leadId"), some("L-1")),
            Ok(Some(MetadataFilter {
                key: "leadId".into(),
                value: "L-1".into()
            }))
        );
        assert!(MetadataFilter::from_query(some("leadId"), None).is_err());
        assert!(MetadataFilter::from_query(None, some("L-1")).is_err());
        assert!(MetadataFilter::from_query(some(""), some("x")).is_err());
        // An empty value is a value: it matches `""`.
        assert!(MetadataFilter::from_query(some("leadId"), some("")).is_ok());
    }
}
