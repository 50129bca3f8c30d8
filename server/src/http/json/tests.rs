//! What `from_slice` accepts and refuses, next to what serde_json alone does.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::*;

#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
struct Inner {
    a: u32,
    b: String,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Outer {
    inner: Inner,
    #[serde(default)]
    list: Vec<Inner>,
    #[serde(default)]
    by_name: BTreeMap<String, Inner>,
    #[serde(default)]
    maybe: Option<Inner>,
    #[serde(default)]
    any: Option<serde_json::Value>,
}

#[test]
fn objects_at_every_depth_read_as_with_serde_json() {
    let json = br#"{"inner": {"a": 1}, "list": [{"b": "x"}], "by_name": {"k": {"a": 2}},
                    "maybe": {"a": 3}, "any": [1, {"z": [true, null]}]}"#;
    let strict: Outer = from_slice(json).unwrap();
    assert_eq!(
        strict.inner,
        Inner {
            a: 1,
            b: String::new()
        }
    );
    assert_eq!(strict.list[0].b, "x");
    assert_eq!(strict.by_name["k"].a, 2);
    assert_eq!(
        strict.maybe,
        Some(Inner {
            a: 3,
            b: String::new()
        })
    );
    assert_eq!(
        strict.any,
        Some(serde_json::json!([1, {"z": [true, null]}]))
    );
}

#[test]
fn an_array_in_place_of_a_struct_is_refused_at_every_depth() {
    // Each of these is what serde_json alone accepts.
    for json in [
        &br#"[{"a": 1}]"#[..],
        br#"{"inner": []}"#,
        br#"{"inner": [1, "b"]}"#,
        br#"{"inner": {}, "list": [[1]]}"#,
        br#"{"inner": {}, "by_name": {"k": []}}"#,
        br#"{"inner": {}, "maybe": [2]}"#,
    ] {
        let shown = String::from_utf8_lossy(json);
        assert!(serde_json::from_slice::<Outer>(json).is_ok(), "{shown}");
        assert!(from_slice::<Outer>(json).is_err(), "{shown}");
    }
}

#[test]
fn a_whole_number_written_with_a_fraction_is_an_integer_and_its_range_still_holds() {
    assert_eq!(from_slice::<Inner>(br#"{"a": 12874.0}"#).unwrap().a, 12874);
    assert_eq!(from_slice::<Inner>(br#"{"a": 1e3}"#).unwrap().a, 1000);
    assert_eq!(from_slice::<Inner>(br#"{"a": -0.0}"#).unwrap().a, 0);
    assert!(
        serde_json::from_slice::<Inner>(br#"{"a": 1.0}"#).is_err(),
        "serde_json alone"
    );
    for refused in [
        &br#"{"a": 1.5}"#[..],
        br#"{"a": -1.0}"#,
        br#"{"a": 4294967296.0}"#,
    ] {
        let shown = String::from_utf8_lossy(refused);
        assert!(from_slice::<Inner>(refused).is_err(), "{shown}");
    }
    let wide: i64 = from_slice(b"-9007199254740992.0").unwrap();
    assert_eq!(wide, -9_007_199_254_740_992);
    let float: f64 = from_slice(b"2.0").unwrap();
    assert_eq!(float, 2.0);
}

#[test]
fn trailing_characters_are_refused() {
    assert!(from_slice::<Inner>(br#"{"a": 1} x"#).is_err());
    assert!(from_slice::<Inner>(b"{\"a\": 1} \n").is_ok());
}
