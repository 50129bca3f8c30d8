//! The session a capture belongs to and the keys that make its upload safe to repeat.
//!
//! The package id is the per-tab session (`sessionStorage`), so captures on several pages of
//! one visit group together while another tab starts a new package. Each `captureCDR` call
//! gets a fresh idempotency key, which is what makes a retried upload safe.

#[allow(unused_imports)]
use crate::prelude::*;
use core::cell::RefCell;

use wasm_bindgen::JsCast;

/// The `sessionStorage` key holding this tab's package id.
pub const PACKAGE_KEY: &str = "ec_package_id";

crate::local::page_local! {
    // When storage is blocked (sandboxed frames, privacy modes) the package lives as long
    // as the page instead of the tab.
    static PAGE_PACKAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// This tab's package id (`pkg_` and 32 hex digits), created on first use.
pub fn package_id() -> String {
    let storage: Option<web_sys::Storage> =
        crate::dom::get_object(&crate::dom::global(), "sessionStorage");
    let stored = storage
        .as_ref()
        .and_then(|s| s.get_item(PACKAGE_KEY).ok().flatten());
    if let Some(id) = stored.filter(|id| id.starts_with("pkg_") && id.len() > 4) {
        return id;
    }
    let id = PAGE_PACKAGE.with(|page| {
        page.borrow_mut()
            .get_or_insert_with(|| {
                let mut id = String::from("pkg_");
                id.extend(random_uuid().chars().filter(|c| *c != '-'));
                id
            })
            .clone()
    });
    if let Some(storage) = storage {
        let _ = storage.set_item(PACKAGE_KEY, &id);
    }
    id
}

/// A random version 4 UUID, from `crypto.getRandomValues`, which exists in every context
/// (`crypto.randomUUID` only in secure ones, so plain `http:` pages would need this anyway).
pub fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    let filled = crate::dom::property(&crate::dom::global(), "crypto").is_some_and(|c| {
        c.unchecked_ref::<web_sys::Crypto>()
            .get_random_values_with_u8_array(&mut bytes)
            .is_ok()
    });
    if !filled {
        // Only reachable without Web Crypto; uniqueness is all the key needs.
        bytes
            .iter_mut()
            .for_each(|b| *b = (js_sys::Math::random() * 256.0) as u8);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut uuid = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            uuid.push('-');
        }
        uuid.push(char::from(HEX[usize::from(byte >> 4)]));
        uuid.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    uuid
}
