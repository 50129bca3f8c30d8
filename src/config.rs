//! The configuration given to `init`: which org captures and where uploads go.
//!
//! It is read once, checked, and kept for the life of the page (a later `init` replaces
//! it). The module owns only that state; it does not touch the page or the network.

#[allow(unused_imports)]
use crate::prelude::*;
use core::cell::RefCell;

use wasm_bindgen::JsValue;

use crate::error::SdkError;
use crate::{dom, text};

/// A checked `init` configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The org's client id (`cid_…`), sent as the `cid` query parameter.
    pub cid: String,
    /// The API origin (and optional path prefix), without a trailing slash.
    pub api: String,
}

crate::local::page_local! {
    // wasm in a page is single-threaded; the thread-local is just a safe global.
    static CURRENT: RefCell<Option<Config>> = const { RefCell::new(None) };
}

impl Config {
    /// Reads `{ cid: string, api?: string }`. `api` defaults to the page's origin, which is
    /// right for the npm package served from the same host as the API; the script-tag
    /// loader always passes the origin it was loaded from.
    pub fn from_js(value: &JsValue) -> Result<Self, SdkError> {
        if !value.is_object() {
            return Err(SdkError::invalid("init expects an object: { cid, api? }"));
        }
        let cid = get_string(value, "cid")?
            .map(|cid| cid.trim_ascii().to_owned())
            .filter(|cid| !cid.is_empty())
            .ok_or_else(|| SdkError::invalid("init: cid is required (your org's cid_… id)"))?;
        let api = match get_string(value, "api")? {
            Some(api) if !api.trim_ascii().is_empty() => api,
            _ => page_origin()?,
        };
        Ok(Self {
            cid,
            api: normalize_api(&api)?,
        })
    }

    /// Makes this the configuration `captureCDR` uses.
    pub fn install(self) {
        CURRENT.with(|current| *current.borrow_mut() = Some(self));
    }

    /// The installed configuration, if `init` succeeded.
    pub fn current() -> Option<Self> {
        CURRENT.with(|current| current.borrow().clone())
    }
}

/// A string property: `None` when absent, an error when present with another type.
fn get_string(object: &JsValue, key: &str) -> Result<Option<String>, SdkError> {
    let Some(value) = dom::property(object, key) else {
        return Ok(None);
    };
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| SdkError::invalid(text::concat(&["init: ", key, " must be a string"])))
}

fn page_origin() -> Result<String, SdkError> {
    let window: JsValue = dom::window()?.into();
    let location = dom::get(&window, "location");
    dom::property(&location, "origin")
        .and_then(|origin| origin.as_string())
        .ok_or_else(|| SdkError::invalid("init: api is required when the page has no origin"))
}

/// Checks that `api` is an absolute http(s) URL and drops trailing slashes, so that paths
/// can be appended as `{api}/v1/…`.
fn normalize_api(api: &str) -> Result<String, SdkError> {
    let mut api = api.trim_ascii();
    while let Some(shorter) = api.strip_suffix("/") {
        api = shorter;
    }
    let lower = api.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://"))
        || text::find_any(api, b"?#").is_some()
    {
        return Err(SdkError::invalid(text::concat(&[
            "init: api must be an absolute http(s) URL without query or fragment; got \"",
            api,
            "\"",
        ])));
    }
    Ok(api.to_owned())
}
