//! What caused the capture: the `triggerEvent` option, or the last trusted press of a
//! submit control, turned into a protocol [`Trigger`].
//!
//! The server decides whether consent was given by a trusted press of a tagged submit
//! control, so this module records the facts it needs (the element, `isTrusted`, whether
//! it carries `data-ec-submit`, event time) and nothing about the page beyond that element.
//!
//! The trigger element is the event's target, except for a `submit` event with a
//! `submitter`: there the form is only where it happened and the button is what the
//! consumer pressed, so the button is recorded (and outlined in the evidence image).
//!
//! When the page passes no `triggerEvent`, [`detected`] gives the last trusted `click` on a
//! `data-ec-submit` control, which [`start`] watches for from load (the capture phase on
//! the document, so a page's `stopPropagation` does not hide it; the keyboard's implicit
//! submission arrives as a trusted click on the default button).
//!
//! A `submit` event is always dispatched by the browser, so its `isTrusted` is `true` even
//! when script caused it (`button.click()`, `form.requestSubmit()`). The recorded
//! `isTrusted` of a `submit` therefore also requires a trusted activation inside the form
//! just before it: a real click, or Enter pressed in one of its fields.
//!
//! `isTrusted` is read with the getter of a genuine event, not as a property of the
//! candidate: a plain object `{ isTrusted: true, target: button }` passed as
//! `triggerEvent` is recorded as untrusted and `notAnEvent`, and nothing else of it is
//! read. The getter's brand check works for events of any realm, so an event from an
//! iframe still counts as an event, and its target is read without `instanceof` checks
//! (which fail across realms). Trusted activations are watched in the top document only,
//! so a `submit` event from an iframe's form is recorded untrusted.

#[allow(unused_imports)]
use crate::prelude::*;
use core::cell::{Cell, RefCell};

use expressconsent_protocol::Trigger;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event, HtmlInputElement};

use crate::snapshot::MASK;
use crate::{dom, text};

/// Longest trigger label kept, in characters; a control's label is short, and a click on a
/// large container should not copy the page's text into the trigger.
const MAX_TEXT_CHARS: usize = 200;
/// The tag of submit controls.
const SUBMIT: &str = "[data-ec-submit]";
/// How long after a trusted click or Enter a `submit` still counts as caused by it; the
/// browser fires it within the same task, so this only absorbs clock granularity.
const ACTIVATION_WINDOW_MS: f64 = 1_000.0;

crate::local::page_local! {
    // The last trusted press of a tagged control, with its element: a target inside a
    // shadow tree is cleared from the event once dispatch ends.
    static LAST_PRESS: RefCell<Option<(Event, Element)>> = const { RefCell::new(None) };
    // The last trusted click or Enter anywhere: its time stamp and target.
    static LAST_ACTIVATION: RefCell<Option<(f64, Element)>> = const { RefCell::new(None) };
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Reads the trigger from the event the page passed as `triggerEvent`. Anything that is
/// not a DOM `Event` of some realm is recorded as untrusted and `notAnEvent`.
pub fn from_event(event: &Event) -> Trigger {
    if genuine_is_trusted(event).is_none() {
        // Nothing of a forgery is read further: its `target` may be anything.
        return Trigger {
            event_type: dom::get_string(event, "type"),
            not_an_event: true,
            ..Trigger::default()
        };
    }
    let (element, is_tagged_submit) = pressed(event);
    describe(event, element.as_ref(), is_tagged_submit)
}

/// `value` as a node, whichever realm made it: `instanceof` is false for the nodes of an
/// iframe, whose events a page may pass as `triggerEvent`. `kind` is the `nodeType`, or
/// `None` for any node.
fn node_of<T: JsCast>(value: JsValue, kind: Option<f64>) -> Option<T> {
    let node_type = dom::get(&value, "nodeType").as_f64()?;
    kind.is_none_or(|k| k == node_type)
        .then(|| value.unchecked_into())
}

/// `isTrusted` as the browser knows it, or `None` when `candidate` is not an `Event`.
/// `isTrusted` is a `[LegacyUnforgeable]` own accessor of every event: its getter, taken
/// from a genuine event, throws on anything that is not one, whichever realm made it.
fn genuine_is_trusted(candidate: &JsValue) -> Option<bool> {
    let probe = Event::new("x").ok()?;
    let key = JsValue::from_str("isTrusted");
    let descriptor = js_sys::Reflect::get_own_property_descriptor(&probe, &key).ok()?;
    let getter = dom::get(&descriptor, "get")
        .dyn_into::<js_sys::Function>()
        .ok()?;
    getter.call0(candidate).ok()?.as_bool()
}

/// The last trusted press of a `data-ec-submit` control since load, if any.
pub fn detected() -> Option<Trigger> {
    let (event, element) = LAST_PRESS.with(|last| last.borrow().clone())?;
    Some(Trigger {
        auto_detected: true,
        ..describe(&event, Some(&element), true)
    })
}

/// Starts watching for trusted presses of submit controls. Must not fail or slow the page,
/// and tolerates a second call.
pub fn start() {
    if WATCHING.replace(true) {
        return;
    }
    let Ok(document) = dom::document() else {
        return;
    };
    let on_press = Closure::<dyn FnMut(Event)>::new(|event: Event| {
        if !dom::get(&event, "isTrusted").is_truthy() {
            return;
        }
        let is_enter = dom::get_string(&event, "key") == "Enter";
        if dom::get_string(&event, "type") == "keydown" && !is_enter {
            return;
        }
        if let Some(target) =
            dom::property(&event, "target").and_then(|t| t.dyn_into::<Element>().ok())
        {
            let activation = Some((dom::get_number(&event, "timeStamp"), target));
            LAST_ACTIVATION.with(|last| *last.borrow_mut() = activation);
        }
        if dom::get_string(&event, "type") == "click" {
            if let (Some(element), true) = pressed(&event) {
                LAST_PRESS.with(|last| *last.borrow_mut() = Some((event, element)));
            }
        }
    });
    for kind in ["click", "keydown"] {
        let _ = document.add_event_listener_with_callback_and_bool(
            kind,
            on_press.as_ref().unchecked_ref(),
            true,
        );
    }
    // The listeners live as long as the page.
    on_press.forget();
}

/// The element an event pressed (the submitter of a form submission, else the target),
/// and whether it, or the target, is a tagged submit control.
fn pressed(event: &Event) -> (Option<Element>, bool) {
    const ELEMENT: Option<f64> = Some(1.0);
    let target = dom::property(event, "target").and_then(|t| node_of::<Element>(t, ELEMENT));
    let submitter = dom::property(event, "submitter").and_then(|s| node_of::<Element>(s, ELEMENT));
    let tagged = |el: &Option<Element>| el.as_ref().is_some_and(|el| dom::is_within(el, SUBMIT));
    let is_tagged_submit = tagged(&target) || tagged(&submitter);
    (submitter.or(target), is_tagged_submit)
}

fn describe(event: &Event, element: Option<&Element>, is_tagged_submit: bool) -> Trigger {
    Trigger {
        tag_name: element
            .map(|el| dom::get_string(el, "tagName").to_ascii_lowercase())
            .unwrap_or_default(),
        text: element.map(label).unwrap_or_default(),
        selector: element.map(css_path).unwrap_or_default(),
        event_type: dom::get_string(event, "type"),
        is_trusted: is_trusted(event),
        is_tagged_submit,
        time: event_epoch_ms(event),
        auto_detected: false,
        not_an_event: false,
    }
}

/// Whether the consumer caused the event: `isTrusted`, and for a `submit` also a trusted
/// click or Enter inside the form just before it.
fn is_trusted(event: &Event) -> bool {
    if genuine_is_trusted(event) != Some(true) {
        return false;
    }
    if dom::get_string(event, "type") != "submit" {
        return true;
    }
    let Some(form) = dom::property(event, "target").and_then(|t| node_of::<web_sys::Node>(t, None))
    else {
        return false;
    };
    LAST_ACTIVATION.with(|last| {
        last.borrow().as_ref().is_some_and(|(at, element)| {
            (dom::get_number(event, "timeStamp") - at).abs() <= ACTIVATION_WINDOW_MS
                && form.contains(Some(element))
        })
    })
}

/// The event's time as epoch milliseconds: `timeStamp` counts from the time origin.
fn event_epoch_ms(event: &Event) -> f64 {
    let performance = dom::get(&dom::global(), "performance");
    dom::get_number(&performance, "timeOrigin") + dom::get_number(event, "timeStamp")
}

/// The visible label of a control: a button-like input's value, else its rendered text.
/// Text fields and anything masked give nothing, since their content is the user's data;
/// a form gives nothing, since its text is the whole form rather than a label.
fn label(element: &Element) -> String {
    let has_masked_part = matches!(element.query_selector(MASK), Ok(Some(_)));
    if dom::is_within(element, MASK)
        || has_masked_part
        || dom::get_string(element, "localName") == "form"
    {
        return String::new();
    }
    let text = if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        match dom::get_string(input, "type").to_ascii_lowercase().as_str() {
            "button" | "submit" | "reset" => dom::get_string(input, "value"),
            _ => String::new(),
        }
    } else {
        dom::rendered_text(element)
    };
    let mut words = String::with_capacity(text.len());
    text.split_whitespace()
        .for_each(|word| text::push_separated(&mut words, " ", word));
    dom::truncate_chars(&words, MAX_TEXT_CHARS)
}

/// A selector path from `html` down to `element`, e.g.
/// `html > body > form#lead > button:nth-of-type(2)`. Each step names the tag, the id when
/// it is a plain identifier, and the position among same-tag siblings when that is needed,
/// so `document.querySelector` finds the element again in the snapshot.
pub fn css_path(element: &Element) -> String {
    let mut steps = Vec::new();
    let mut current = Some(element.clone());
    while let Some(el) = current {
        steps.push(step(&el));
        current = dom::get_object(&el, "parentElement");
    }
    let mut path = String::new();
    steps
        .iter()
        .rev()
        .for_each(|step| text::push_separated(&mut path, " > ", step));
    path
}

fn step(element: &Element) -> String {
    let tag = dom::get_string(element, "localName");
    let mut step = tag.clone();
    let id = dom::get_string(element, "id");
    let plain_id = id.starts_with(|c: char| c.is_ascii_alphabetic())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plain_id {
        step.push('#');
        step.push_str(&id);
    }
    let Some(parent) = dom::get_object::<Element>(element, "parentElement") else {
        return step;
    };
    let mut same_tag = 0;
    let mut position = 0;
    let mut sibling = dom::get_object::<Element>(&parent, "firstElementChild");
    while let Some(el) = sibling {
        if dom::get_string(&el, "localName") == tag {
            same_tag += 1;
            if &el == element {
                position = same_tag;
            }
        }
        sibling = dom::get_object(&el, "nextElementSibling");
    }
    if same_tag > 1 {
        step.push_str(":nth-of-type(");
        crate::text::push_decimal(&mut step, position);
        step.push(')');
    }
    step
}
