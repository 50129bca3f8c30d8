//! Which elements of the page are scrolled, known without asking every element.
//!
//! Reading `scrollTop` and `scrollLeft` costs the browser about a microsecond per element,
//! so scanning a large page for scrolled elements was a third of a snapshot. Instead, when
//! the SDK starts, [`watch`] adds a capturing `scroll` listener to the document, which
//! remembers each element that scrolls, and schedules one scan in idle time for the
//! elements scrolled before it came. A snapshot then reads the offsets of those few
//! elements alone, and of the scrolling element (`<html>`, whose offset is the viewport's),
//! and finds their positions by binary search in document order.
//!
//! What the listener cannot see is scanned in full as before: shadow trees (a `scroll`
//! event is not composed, so it stops at its shadow root), iframes' documents, and the
//! document itself when the idle scan has not run yet. A scroll made by script in the same
//! task as the capture has not fired its event yet; it is seen only on an element that
//! had scrolled before.

#[allow(unused_imports)]
use crate::prelude::*;
use core::cell::RefCell;

use js_sys::{Array, Float64Array, Set};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Event, Node, NodeList};

use crate::dom;

/// The document the listener watches and what it has seen.
struct Watch {
    document: Document,
    /// Elements that scrolled since the SDK started, and those the first scan found
    /// scrolled; an element whose offset went back to zero stays, and reads as zero.
    scrolled: Set,
    /// The elements scrolled before the listener came have been found.
    scanned: bool,
}

crate::local::page_local! {
    static WATCH: RefCell<Option<Watch>> = const { RefCell::new(None) };
}

/// Starts remembering the page's scrolled elements; called once when the SDK starts.
pub fn watch() {
    let Some(window) = crate::dom::window().ok() else {
        return;
    };
    let Some(document) = dom::get_object::<Document>(&window, "document") else {
        return;
    };
    if WATCH.with(|w| w.borrow().is_some()) {
        return;
    }
    let scrolled = Set::new(&JsValue::UNDEFINED);
    let seen = scrolled.clone();
    let on_scroll = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        // The viewport's scroll targets the document; the snapshot reads it anyway.
        if let Some(target) = dom::property(&event, "target") {
            if dom::get_number(&target, "nodeType") == f64::from(Node::ELEMENT_NODE) {
                seen.add(&target);
            }
        }
    });
    let _ = document.add_event_listener_with_callback_and_bool(
        "scroll",
        on_scroll.as_ref().unchecked_ref(),
        true,
    );
    // The listener lives as long as the page.
    on_scroll.forget();
    WATCH.with(|w| {
        *w.borrow_mut() = Some(Watch {
            document,
            scrolled,
            scanned: false,
        })
    });
    let first_scan = Closure::once_into_js(|| {
        WATCH.with(|w| {
            if let Some(watch) = w.borrow_mut().as_mut() {
                watch.first_scan();
            }
        })
    });
    let first_scan: &js_sys::Function = first_scan.unchecked_ref();
    if window.request_idle_callback(first_scan).is_err() {
        let _ = window.set_timeout_with_callback(first_scan);
    }
}

/// `(index, x, y)` of each scrolled element of `document`'s own tree, by index in `all`
/// (its `querySelectorAll("*")`).
pub fn scrolled(document: &Document, all: &NodeList) -> Vec<(usize, f64, f64)> {
    let known = WATCH.with(|w| {
        let mut watch = w.borrow_mut();
        let watch = watch.as_mut().filter(|w| w.document == *document)?;
        if !watch.scanned {
            return Some(watch.first_scan());
        }
        Some(Array::from(&watch.scrolled))
    });
    let Some(candidates) = known else {
        return scan(all);
    };
    // The viewport's scroll is the scrolling element's (`<html>`, or `<body>` in quirks
    // mode), which the snapshot records too; its `scroll` events target the document.
    if let Some(root) = dom::property(document, "scrollingElement") {
        candidates.push(&root);
    }
    // Kept in index order by insertion: there are few, and a sort would add kilobytes.
    let mut found: Vec<(usize, f64, f64)> = Vec::new();
    for (i, x, y) in scan(&candidates) {
        let node: Node = dom::at(&candidates, i as u32).unchecked_into();
        if let Some(index) = position(all, &node) {
            let at = found.partition_point(|s| s.0 < index);
            if found.get(at).is_none_or(|s| s.0 != index) {
                found.insert(at, (index, x, y));
            }
        }
    }
    found
}

impl Watch {
    /// Scans the whole document once, remembers what is scrolled, and returns those
    /// elements.
    fn first_scan(&mut self) -> Array {
        let found = Array::new();
        if let Some(all) = dom::select_all(&self.document, "*") {
            for (index, _, _) in scan(&all) {
                let element = dom::at(&all, index as u32);
                self.scrolled.add(&element);
                found.push(&element);
            }
        }
        self.scanned = true;
        found
    }
}

/// `(index, x, y)` of each scrolled element of `elements` (a list or an array), read in
/// two batched calls.
pub fn scan(elements: &JsValue) -> Vec<(usize, f64, f64)> {
    let read = |property| Float64Array::new(&dom::map_property(elements, property)).to_vec();
    let (tops, lefts) = (read("scrollTop"), read("scrollLeft"));
    // Plain loops here and below: iterator adapters are code of their own in the wasm.
    let mut found = Vec::new();
    for index in 0..tops.len().min(lefts.len()) {
        let (y, x) = (tops[index], lefts[index]);
        if (y != 0.0 && y.is_finite()) || (x != 0.0 && x.is_finite()) {
            found.push((index, finite(x), finite(y)));
        }
    }
    found
}

/// Where `node` is in `all`, a list in document order, by binary search; `None` when it
/// is not there (removed from the page, or moved into another tree).
fn position(all: &NodeList, node: &Node) -> Option<usize> {
    let (mut low, mut high) = (0, dom::length(all));
    while low < high {
        let middle = low + (high - low) / 2;
        let relation = dom::at(all, middle)
            .unchecked_into::<Node>()
            .compare_document_position(node);
        if relation == 0 {
            return Some(middle as usize);
        }
        if relation & Node::DOCUMENT_POSITION_DISCONNECTED != 0 {
            return None;
        }
        if relation & Node::DOCUMENT_POSITION_FOLLOWING != 0 {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    None
}

fn finite(n: f64) -> f64 {
    if n.is_finite() {
        n
    } else {
        0.0
    }
}
