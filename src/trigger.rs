//! What caused the capture: the `triggerEvent` option turned into a protocol [`Trigger`].
//!
//! The server decides whether consent was given by a trusted press of a tagged submit
//! control, so this module records the facts it needs (the element, `isTrusted`, whether
//! it carries `data-ec-submit`, event time) and nothing about the page beyond that element.
//!
//! The trigger element is the event's target, except for a `submit` event with a
//! `submitter`: there the form is only where it happened and the button is what the
//! consumer pressed, so the button is recorded (and outlined in the evidence image).

use expressconsent_protocol::Trigger;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event, HtmlElement, HtmlInputElement};

use crate::dom;
use crate::snapshot::MASK;

/// Longest trigger label kept, in characters; a control's label is short, and a click on a
/// large container should not copy the page's text into the trigger.
const MAX_TEXT_CHARS: usize = 200;

/// Reads the trigger from the event the page passed as `triggerEvent`.
pub fn from_event(event: &Event) -> Trigger {
    let target = event.target().and_then(|t| t.dyn_into::<Element>().ok());
    let submitter = js_sys::Reflect::get(event, &JsValue::from_str("submitter"))
        .ok()
        .and_then(|s| s.dyn_into::<Element>().ok());
    let tagged = |el: &Option<Element>| {
        el.as_ref()
            .is_some_and(|el| dom::is_within(el, "[data-ec-submit]"))
    };
    let is_tagged_submit = tagged(&target) || tagged(&submitter);
    let element = submitter.or(target);
    Trigger {
        tag_name: element
            .as_ref()
            .map(|el| el.tag_name().to_ascii_lowercase())
            .unwrap_or_default(),
        text: element.as_ref().map(label).unwrap_or_default(),
        selector: element.as_ref().map(css_path).unwrap_or_default(),
        event_type: event.type_(),
        is_trusted: event.is_trusted(),
        is_tagged_submit,
        time: event_epoch_ms(event),
    }
}

/// The event's time as epoch milliseconds: `timeStamp` counts from the time origin.
fn event_epoch_ms(event: &Event) -> f64 {
    let origin = web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.time_origin());
    origin + event.time_stamp()
}

/// The visible label of a control: a button-like input's value, else its rendered text.
/// Text fields and anything masked give nothing, since their content is the user's data;
/// a form gives nothing, since its text is the whole form rather than a label.
fn label(element: &Element) -> String {
    let has_masked_part = matches!(element.query_selector(MASK), Ok(Some(_)));
    if dom::is_within(element, MASK) || has_masked_part || element.local_name() == "form" {
        return String::new();
    }
    let text = if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        match input.type_().to_ascii_lowercase().as_str() {
            "button" | "submit" | "reset" => input.value(),
            _ => String::new(),
        }
    } else if let Some(html) = element.dyn_ref::<HtmlElement>() {
        html.inner_text()
    } else {
        element.text_content().unwrap_or_default()
    };
    dom::truncate_chars(
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .as_str(),
        MAX_TEXT_CHARS,
    )
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
        current = el.parent_element();
    }
    steps.reverse();
    steps.join(" > ")
}

fn step(element: &Element) -> String {
    let tag = element.local_name();
    let mut step = tag.clone();
    let id = element.id();
    let plain_id = id.starts_with(|c: char| c.is_ascii_alphabetic())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plain_id {
        step.push('#');
        step.push_str(&id);
    }
    let Some(parent) = element.parent_element() else {
        return step;
    };
    let mut same_tag = 0;
    let mut position = 0;
    let mut sibling = parent.first_element_child();
    while let Some(el) = sibling {
        if el.local_name() == tag {
            same_tag += 1;
            if &el == element {
                position = same_tag;
            }
        }
        sibling = el.next_element_sibling();
    }
    if same_tag > 1 {
        step.push_str(&format!(":nth-of-type({position})"));
    }
    step
}
