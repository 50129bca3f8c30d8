//! Captures that could not be delivered, kept in `localStorage` and sent again on a later
//! page load with the same idempotency key, so that a consumer's submission survives a
//! server outage, a dead connection or a closed tab.
//!
//! Each capture is one item. Its key carries what eviction needs, so that deciding never
//! reads a value: `ec_pending_v1:<savedAtMs>:<size>:<idempotencyKey>`. Its value is
//! `<gzip|json> <url>` on the first line, then the body: JSON text as is, gzip bytes one
//! per character (code points 0–255), which `localStorage` stores at one unit per byte.
//!
//! The queue is bounded: at most [`MAX_ENTRIES`] captures and [`MAX_CHARS`] characters
//! (about what a browser grants an origin, less what the page itself may need); the oldest
//! are dropped first, and a capture bigger than the whole budget is not kept. A capture is
//! removed when the server acknowledges it (2xx) or refuses it for good (a 4xx other than
//! 408 and 429), and dropped unsent after [`MAX_AGE_MS`].

#[allow(unused_imports)]
use crate::prelude::*;
use core::cell::{Cell, RefCell};

use js_sys::Uint8Array;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Storage;

use super::answer::Attempt;
use super::body::Body;
use super::{Action, Delivery};
use crate::deadline::Deadline;
use crate::options::DEFAULT_TIMEOUT_MS;
use crate::text;

/// Prefix of every pending item's key; the version changes if the format does.
pub const PREFIX: &str = "ec_pending_v1:";
/// Most captures kept.
pub const MAX_ENTRIES: usize = 5;
/// Most characters (UTF-16 units) kept, over all captures: 4 MiB.
pub const MAX_CHARS: usize = 4 * 1024 * 1024;
/// Age after which a capture is dropped unsent: 30 days, the default life of a share link.
pub const MAX_AGE_MS: f64 = 30.0 * 24.0 * 3_600_000.0;
/// The longest kept captures wait for the page to be idle before they are sent again.
pub const RESEND_WITHIN_MS: f64 = 2_000.0;

/// One upload: where it goes, its key and its bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The idempotency key, also inside the body.
    pub key: String,
    /// The full `POST` URL, `cid` included.
    pub url: String,
    /// The encoded body.
    pub body: Body,
}

/// A kept capture, as its item key describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    /// The `localStorage` key.
    pub item: String,
    /// When it was kept, epoch milliseconds.
    pub saved_at: f64,
    /// Its size in characters.
    pub chars: usize,
    /// Its idempotency key.
    pub key: String,
}

crate::local::page_local! {
    // Uploads under way in this page, kept if the page goes away before they finish.
    static IN_FLIGHT: RefCell<Vec<Upload>> = const { RefCell::new(Vec::new()) };
    static WATCHING_PAGEHIDE: Cell<bool> = const { Cell::new(false) };
    static RESENDING: Cell<bool> = const { Cell::new(false) };
}

fn storage() -> Option<Storage> {
    crate::dom::get_object(&crate::dom::global(), "localStorage")
}

/// Every kept capture, oldest first.
pub fn kept() -> Vec<Kept> {
    storage().map(|s| list(&s)).unwrap_or_default()
}

fn list(storage: &Storage) -> Vec<Kept> {
    let count = crate::dom::length(storage);
    let mut kept = Vec::new();
    for i in 0..count {
        if let Some(entry) = storage
            .key(i)
            .ok()
            .flatten()
            .and_then(|k| parse_item_key(&k))
        {
            kept.push(entry);
        }
    }
    // Insertion sort: the list is a handful long, and the library sorts weigh kilobytes.
    for i in 1..kept.len() {
        let mut j = i;
        while j > 0 && kept[j - 1].saved_at > kept[j].saved_at {
            kept.swap(j - 1, j);
            j -= 1;
        }
    }
    kept
}

fn parse_item_key(item: &str) -> Option<Kept> {
    let (saved_at, rest) = text::split_once_byte(item.strip_prefix(PREFIX)?, b':')?;
    let (chars, key) = text::split_once_byte(rest, b':')?;
    let saved_at = decimal(saved_at)? as f64;
    let chars = usize::try_from(decimal(chars)?).ok()?;
    let key = Some(key).filter(|k| !k.is_empty())?.to_owned();
    Some(Kept {
        item: item.to_owned(),
        saved_at,
        chars,
        key,
    })
}

/// The value of a non-empty string of ASCII digits that fits a `u64`. (One small loop:
/// `str::parse` would bring a parser per integer type.)
fn decimal(digits: &str) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.bytes().try_fold(0u64, |n, b| {
        let digit = u64::from(b.checked_sub(b'0').filter(|d| *d < 10)?);
        n.checked_mul(10)?.checked_add(digit)
    })
}

/// Keeps an upload for a later page load, replacing an older copy of the same capture
/// and dropping the oldest others to stay within bounds. Returns whether it was kept.
pub fn keep(upload: &Upload) -> bool {
    let Some(storage) = storage() else {
        return false;
    };
    remove_from(&storage, &upload.key);
    let Some(value) = encode_value(upload) else {
        return false;
    };
    // Plain loops in this module: iterator adapters are code of their own in the wasm.
    let mut chars = 0;
    for c in value.chars() {
        chars += c.len_utf16();
    }
    if chars > MAX_CHARS {
        return false;
    }
    // Oldest first; `others[dropped..]` are the ones still kept.
    let others = list(&storage);
    let mut dropped = 0;
    let (mut total, mut newest) = (0, 0.0);
    for other in &others {
        total += other.chars;
        newest = other.saved_at;
    }
    while dropped < others.len()
        && (others.len() - dropped >= MAX_ENTRIES || total + chars > MAX_CHARS)
    {
        total -= others[dropped].chars;
        let _ = storage.remove_item(&others[dropped].item);
        dropped += 1;
    }
    // Strictly after every other, so that "oldest first" is an order even within one
    // millisecond.
    let saved_at = js_sys::Date::now().max(newest + 1.0) as u64;
    let mut item = String::from(PREFIX);
    text::push_decimal(&mut item, saved_at);
    item.push(':');
    text::push_decimal(&mut item, chars as u64);
    item.push(':');
    item.push_str(&upload.key);
    // The browser's quota may be smaller than ours, or taken by the page: make room.
    loop {
        if storage.set_item(&item, &value).is_ok() {
            return true;
        }
        let Some(oldest) = others.get(dropped) else {
            return false;
        };
        let _ = storage.remove_item(&oldest.item);
        dropped += 1;
    }
}

/// Forgets a kept capture (if any) once it is delivered or refused for good.
pub fn remove(key: &str) {
    if let Some(storage) = storage() {
        remove_from(&storage, key);
    }
}

fn remove_from(storage: &Storage, key: &str) {
    for kept in list(storage) {
        if kept.key == key {
            let _ = storage.remove_item(&kept.item);
        }
    }
}

fn encode_value(upload: &Upload) -> Option<String> {
    let encoding = if upload.body.gzip { "gzip" } else { "json" };
    let mut value = text::concat(&[encoding, " ", &upload.url, "\n"]);
    if upload.body.gzip {
        let bytes = upload.body.data.dyn_ref::<Uint8Array>()?.to_vec();
        value.reserve(bytes.len() * 2);
        for byte in bytes {
            value.push(char::from(byte));
        }
    } else {
        value.push_str(&upload.body.data.as_string()?);
    }
    Some(value)
}

fn decode_value(key: &str, value: &str) -> Option<Upload> {
    let (header, body) = text::split_once_byte(value, b'\n')?;
    let (encoding, url) = text::split_once_byte(header, b' ')?;
    let body = match encoding {
        "gzip" => {
            let mut bytes = Vec::with_capacity(body.len());
            for c in body.chars() {
                bytes.push(u8::try_from(u32::from(c)).ok()?);
            }
            Body {
                data: Uint8Array::from(bytes.as_slice()).into(),
                gzip: true,
            }
        }
        "json" => Body {
            data: JsValue::from_str(body),
            gzip: false,
        },
        _ => return None,
    };
    Some(Upload {
        key: key.to_owned(),
        url: url.to_owned(),
        body,
    })
}

/// Notes an upload under way, so that it is kept if the page is closed or navigated away
/// before it finishes (the consumer may leave right after pressing submit).
pub fn track(upload: &Upload) {
    IN_FLIGHT.with(|uploads| uploads.borrow_mut().push(upload.clone()));
    if WATCHING_PAGEHIDE.replace(true) {
        return;
    }
    let Some(window) = crate::dom::window().ok() else {
        return;
    };
    let on_pagehide = Closure::<dyn FnMut()>::new(|| {
        IN_FLIGHT.with(|uploads| uploads.borrow().iter().for_each(|u| _ = keep(u)));
    });
    let _ = window.add_event_listener_with_callback_and_bool(
        "pagehide",
        on_pagehide.as_ref().unchecked_ref(),
        false,
    );
    // The listener lives as long as the page.
    on_pagehide.forget();
}

/// Notes that an upload finished, one way or the other.
pub fn untrack(key: &str) {
    IN_FLIGHT.with(|uploads| uploads.borrow_mut().retain(|u| u.key != key));
}

/// Sends every kept capture once, oldest first, removing those the server acknowledges or
/// refuses. Stops at the first that still cannot be delivered: the server is likely still
/// unreachable, and the next page load tries again. Runs at most once at a time per page,
/// and not while the page loads: the first `localStorage` access of a page reads it from
/// disk, milliseconds of main-thread time, so it waits until the page is idle. The promise
/// always resolves.
pub fn resend_all() -> js_sys::Promise {
    if RESENDING.replace(true) {
        return js_sys::Promise::resolve(&JsValue::UNDEFINED);
    }
    super::run(Box::new(Resending {
        waited: false,
        queue: Vec::new(),
        current: None,
    }))
}

/// The re-sending of kept captures.
struct Resending {
    /// Whether the page has been idle.
    waited: bool,
    /// Kept captures not yet tried, newest first (the next is popped off the end).
    queue: Vec<Kept>,
    /// The capture being sent, its item and its budget.
    current: Option<(Kept, Upload, Deadline)>,
}

impl Delivery for Resending {
    fn step(&mut self, outcome: JsValue) -> Action {
        let Some((kept, upload, deadline)) = self.current.take() else {
            // The first step waits for idle time; the second, after it, starts.
            if !self.waited {
                self.waited = true;
                return Action::Idle(RESEND_WITHIN_MS);
            }
            self.queue = kept();
            self.queue.reverse();
            return self.next();
        };
        match super::read(outcome, &upload.url, &deadline) {
            Attempt::Delivered(_) | Attempt::Refused(_) => {
                if let Some(storage) = storage() {
                    let _ = storage.remove_item(&kept.item);
                }
                self.next()
            }
            Attempt::Failed(_) => Self::done(),
        }
    }
}

impl Resending {
    /// Posts the next kept capture that can still be sent, dropping the unreadable and the
    /// too old on the way.
    fn next(&mut self) -> Action {
        let Some(storage) = storage() else {
            return Self::done();
        };
        let now = js_sys::Date::now();
        while let Some(kept) = self.queue.pop() {
            let upload = storage
                .get_item(&kept.item)
                .ok()
                .flatten()
                .and_then(|value| decode_value(&kept.key, &value));
            let Some(upload) = upload.filter(|_| now - kept.saved_at <= MAX_AGE_MS) else {
                let _ = storage.remove_item(&kept.item);
                continue;
            };
            let deadline = Deadline::start(DEFAULT_TIMEOUT_MS);
            let post = super::post(&upload, &deadline);
            self.current = Some((kept, upload, deadline));
            return post;
        }
        Self::done()
    }

    fn done() -> Action {
        RESENDING.set(false);
        Action::Resolve(JsValue::UNDEFINED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_key_names_when_how_big_and_which_capture() {
        let kept = parse_item_key("ec_pending_v1:1700000000000:42:key-1").unwrap();
        assert_eq!((kept.saved_at, kept.chars), (1_700_000_000_000.0, 42));
        assert_eq!(kept.key, "key-1");
        for other in [
            "ec_pending_v1::42:k",
            "ec_pending_v1:17x:42:k",
            "ec_pending_v1:1:99999999999999999999:k",
            "ec_pending_v1:1:2:",
            "other:1:2:k",
        ] {
            assert_eq!(parse_item_key(other), None, "{other}");
        }
    }
}
