//! The interaction log kept from page load to capture: how each field was filled in, and
//! whether a pointer or touch was used. Buyers screen bots with these signals.
//!
//! [`start`] installs listeners on the document when the module loads (capture phase, so a
//! page that stops propagation does not hide its events): `focusin`, `keydown`, `paste`,
//! `input`, `pointerdown`, `touchstart`, plus a late `input` listener on the window that
//! sees the value after the page's own handlers (input masks) ran. Only trusted events
//! count. [`collect`] summarises at capture time; the rules live in [`fill`].
//!
//! Cheap by design: no listener on `pointermove` or `scroll`, per-field state in a short
//! vector found by element identity, and no value ever kept — only a fingerprint that says
//! whether script changed the field after the user last did.

pub mod fill;

#[allow(unused_imports)]
use crate::prelude::*;
use core::cell::{Cell, RefCell};

use expressconsent_protocol::FieldTelemetry;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlSelectElement};

use crate::{dom, trigger};
use fill::{Fill, Kind};

/// A bare `input` this soon after a `paste` on the same field is that paste.
const PASTE_WINDOW_MS: f64 = 100.0;
/// Every element that may be a field.
const FIELDS: &str = "input, textarea, select";

/// The protocol's `Telemetry` as the SDK holds it; the upload sends it under the same keys.
#[derive(Debug, Clone, Default)]
pub struct Telemetry {
    /// Milliseconds from page load to capture.
    pub time_on_page_ms: f64,
    /// Any pointer (mouse/pen) activity seen.
    pub pointer_activity: bool,
    /// Any touch activity seen.
    pub touch_activity: bool,
    /// Per field, keyed by the field's name or id.
    pub fields: Fields,
}

/// Per-field signals sorted by key, as a `BTreeMap` would hold them: a handful of fields
/// do not need its code, which would weigh kilobytes in every page's wasm.
#[derive(Debug, Clone, Default)]
pub struct Fields(Vec<(String, FieldTelemetry)>);

impl Fields {
    /// The entry of `key`.
    pub fn get(&self, key: &str) -> Option<&FieldTelemetry> {
        self.0.get(self.find(key).ok()?).map(|(_, v)| v)
    }

    /// Whether `key` has an entry.
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    /// The entries, in key order.
    pub fn entries(&self) -> &[(String, FieldTelemetry)] {
        &self.0
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// Cuts the list to `max` entries, dropping untouched fields (which say least) first,
    /// from the end, and each name to `max_name` characters. A cut name ends in `…` and a
    /// 32-bit hash of the whole name in decimal, so that two long names sharing a
    /// beginning stay two fields. Returns how many entries were dropped.
    pub fn fit(&mut self, max: usize, max_name: usize) -> usize {
        let len = self.0.len();
        let mut i = len;
        while self.0.len() > max && i > 0 {
            i -= 1;
            if self.0[i].1.fill_method.is_empty() {
                self.0.remove(i);
            }
        }
        self.0.truncate(max);
        for (name, _) in &mut self.0 {
            if name.len() > max_name && crate::text::char_start(name, max_name).is_some() {
                let hash = fill::fingerprint(name) & 0xffff_ffff;
                expressconsent_protocol::fit_chars(name, max_name - 10);
                crate::text::push_decimal(name, hash);
            } else {
                // A NUL, which no database stores, becomes U+FFFD.
                expressconsent_protocol::fit_chars(name, max_name);
            }
        }
        len - self.0.len()
    }

    /// Adds an entry unless `key` already has one.
    fn insert(&mut self, key: String, entry: FieldTelemetry) {
        if let Err(at) = self.find(&key) {
            self.0.insert(at, (key, entry));
        }
    }
}

/// What the log knows about one field.
struct Field {
    element: Element,
    kind: Kind,
    fill: Fill,
    keystrokes: u32,
    first_focus_ms: Option<f64>,
    /// The fingerprint the last trusted input left, if there was one.
    trusted: Option<u64>,
    pasted_at_ms: Option<f64>,
}

impl Field {
    /// A field seen for the first time, before any input.
    fn untouched(element: Element, kind: Kind) -> Self {
        Self {
            element,
            kind,
            fill: Fill::Untouched,
            keystrokes: 0,
            first_focus_ms: None,
            trusted: None,
            pasted_at_ms: None,
        }
    }
}

#[derive(Default)]
struct Log {
    fields: Vec<Field>,
    pointer: bool,
    touch: bool,
}

crate::local::page_local! {
    static LOG: RefCell<Log> = const {
        RefCell::new(Log { fields: Vec::new(), pointer: false, touch: false })
    };
    static STARTED: Cell<bool> = const { Cell::new(false) };
}

/// Begins observing the page. Must not fail or slow the page: it runs while it loads. It
/// must also tolerate a second call, since wasm-bindgen exports the start function too.
pub fn start() {
    if STARTED.replace(true) {
        return;
    }
    let Some(window) = crate::dom::window().ok() else {
        return;
    };
    let Some(document) = dom::get_object::<web_sys::Document>(&window, "document") else {
        return;
    };
    let listen = |target: &web_sys::EventTarget, kind: &str, handler: fn(&Event)| {
        let closure = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            if dom::get(&event, "isTrusted").is_truthy() {
                handler(&event);
            }
        });
        let _ = target.add_event_listener_with_callback_and_bool(
            kind,
            closure.as_ref().unchecked_ref(),
            true,
        );
        // The listeners live as long as the page.
        closure.forget();
    };
    listen(&document, "focusin", on_focus);
    listen(&document, "keydown", on_key);
    listen(&document, "paste", on_paste);
    listen(&document, "input", on_input);
    listen(&document, "pointerdown", on_pointer);
    listen(&document, "touchstart", |_| {
        LOG.with(|log| log.borrow_mut().touch = true)
    });
    // Bubble phase on the window: after the page's handlers have reformatted the value.
    let late = Closure::<dyn FnMut(Event)>::new(|event: Event| {
        if dom::get(&event, "isTrusted").is_truthy() {
            remember_value(&event);
        }
    });
    let _ = window.add_event_listener_with_callback_and_bool(
        "input",
        late.as_ref().unchecked_ref(),
        false,
    );
    late.forget();
}

/// The field an event is about: its target, or inside an open shadow root the element
/// that the event came from.
fn field_of(event: &Event) -> Option<(Element, Kind)> {
    let target: Element = dom::property(event, "target")?.dyn_into().ok()?;
    if let Some(kind) = fill::kind(&target) {
        return Some((target, kind));
    }
    let inner: Element = dom::at(&event.composed_path(), 0).dyn_into().ok()?;
    fill::kind(&inner).map(|kind| (inner, kind))
}

/// Runs `update` on the log's entry for the event's field, creating it on first sight.
/// `update` is a trait object so that the lookup exists once, not once per handler.
fn with_field(event: &Event, update: &mut dyn FnMut(&mut Field)) {
    let Some((element, kind)) = field_of(event) else {
        return;
    };
    LOG.with(|log| {
        let fields = &mut log.borrow_mut().fields;
        let index = match fields.iter().position(|f| f.element == element) {
            Some(index) => index,
            None => {
                fields.push(Field::untouched(element, kind));
                fields.len() - 1
            }
        };
        if let Some(field) = fields.get_mut(index) {
            update(field);
        }
    });
}

fn on_focus(event: &Event) {
    let now = dom::now_ms();
    with_field(event, &mut |field| {
        field.first_focus_ms.get_or_insert(now);
    });
}

fn on_key(event: &Event) {
    // Read by name: every `keydown` is a `KeyboardEvent`.
    if dom::get(event, "repeat").is_truthy() || !fill::is_keystroke(&dom::get_string(event, "key"))
    {
        return;
    }
    with_field(event, &mut |field| field.keystrokes += 1);
}

fn on_paste(event: &Event) {
    let now = dom::now_ms();
    with_field(event, &mut |field| field.pasted_at_ms = Some(now));
}

fn on_input(event: &Event) {
    let input_type = dom::get_string(event, "inputType");
    let now = dom::now_ms();
    with_field(event, &mut |field| {
        let pasted_just_now = field
            .pasted_at_ms
            .is_some_and(|at| now - at <= PASTE_WINDOW_MS);
        field.fill = fill::from_input(&input_type, field.kind, pasted_just_now, field.fill);
        field.trusted = Some(value_fingerprint(&field.element));
    });
}

fn remember_value(event: &Event) {
    with_field(event, &mut |field| {
        field.trusted = Some(value_fingerprint(&field.element));
    });
}

fn on_pointer(event: &Event) {
    let touch = dom::get_string(event, "pointerType") == "touch";
    LOG.with(|log| {
        let mut log = log.borrow_mut();
        if touch {
            log.touch = true;
        } else {
            log.pointer = true;
        }
    });
}

/// The signals observed so far, for every field the log saw and every field on the page.
pub fn collect() -> Telemetry {
    let now = dom::now_ms();
    let present = dom::document()
        .ok()
        .and_then(|d| dom::get_object::<Element>(&d, "documentElement"))
        .map(|root| dom::query_all(&root, FIELDS))
        .unwrap_or_default();
    LOG.with(|log| {
        let log = log.borrow();
        let mut fields = Fields::default();
        for field in &log.fields {
            insert(&mut fields, &field.element, describe(field, now));
        }
        for element in present {
            let Some(kind) = fill::kind(&element) else {
                continue;
            };
            if log.fields.iter().any(|f| f.element == element) {
                continue;
            }
            let untouched = Field::untouched(element, kind);
            insert(&mut fields, &untouched.element, describe(&untouched, now));
        }
        Telemetry {
            // `performance.now()` counts from the time origin, i.e. from navigation start.
            time_on_page_ms: now,
            pointer_activity: log.pointer,
            touch_activity: log.touch,
            fields,
        }
    })
}

fn describe(field: &Field, now: f64) -> FieldTelemetry {
    let element = &field.element;
    let fill = if is_autofilled(element) {
        Fill::Autofilled
    } else {
        match field.trusted {
            Some(trusted) if trusted != value_fingerprint(element) => Fill::Programmatic,
            Some(_) => field.fill,
            None if changed_from_default(element) => Fill::Programmatic,
            None => Fill::Untouched,
        }
    };
    FieldTelemetry {
        fill_method: fill.as_str().to_owned(),
        keystrokes: field.keystrokes,
        focus_to_submit_ms: field.first_focus_ms.map(|at| now - at),
    }
}

/// Keys a field by its `name`, else its `id`, else a CSS path; a key already taken (two
/// fields with one name) falls back to the path.
fn insert(fields: &mut Fields, element: &Element, entry: FieldTelemetry) {
    let named = element
        .get_attribute("name")
        .filter(|n| !n.is_empty())
        .or_else(|| Some(dom::get_string(element, "id")).filter(|id| !id.is_empty()));
    let key = match named {
        Some(key) if !fields.contains_key(&key) => key,
        _ => trigger::css_path(element),
    };
    fields.insert(key, entry);
}

/// The browser shows the field as autofilled now (the state ends when the user edits it).
fn is_autofilled(element: &Element) -> bool {
    // Browsers without one of the pseudo-classes throw; that means "no".
    element.matches(":autofill").unwrap_or(false)
        || element.matches(":-webkit-autofill").unwrap_or(false)
}

/// The fingerprint of the field's current value (kept out of line: three handlers use it).
#[inline(never)]
fn value_fingerprint(element: &Element) -> u64 {
    fill::fingerprint(&value_of(element))
}

/// A field's `value`. Fields are `input`, `textarea` and `select` elements ([`fill::kind`]),
/// which all have one, read by name.
fn value_of(element: &Element) -> String {
    dom::get_string(element, "value")
}

/// Whether a field no trusted input touched differs from what the page's markup set.
fn changed_from_default(element: &Element) -> bool {
    let Some(select) = element.dyn_ref::<HtmlSelectElement>() else {
        // An `input` or a `textarea`.
        return value_of(element) != dom::get_string(element, "defaultValue");
    };
    // A select's items are its `<option>`s, read by name below.
    let mut options: Vec<Element> = Vec::new();
    for i in 0..dom::length(select) {
        let option = dom::at(select, i);
        if option.is_object() {
            options.push(option.unchecked_into());
        }
    }
    let marked = options
        .iter()
        .any(|o| dom::get(o, "defaultSelected").is_truthy());
    options.iter().enumerate().any(|(i, option)| {
        // Without a `selected` attribute a single select starts on its first option.
        let default = dom::get(option, "defaultSelected").is_truthy()
            || (!marked && !dom::get(select, "multiple").is_truthy() && i == 0);
        dom::get(option, "selected").is_truthy() != default
    })
}
