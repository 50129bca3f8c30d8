//! The page's consent tags: disclosures (`data-ec-disclosure`) and the checkboxes bound to
//! them (`data-ec-consent-checkbox`, `data-ec-consent-for`).
//!
//! For each disclosure it records what the consumer could have read and whether they could
//! have seen it (rendered, in the viewport, opaque, legible size and contrast). It reports
//! facts only; the server derives the consent mechanism from them and from the snapshot.

#[allow(unused_imports)]
use crate::prelude::*;
use expressconsent_protocol::{ConsentCheckbox, Disclosure, MAX_DISCLOSURE_CHARS};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlInputElement, Window};

use crate::error::SdkError;
use crate::snapshot::{mask_text, MASK};
use crate::{contrast, dom};

/// Every element tagged `data-ec-disclosure`, in document order.
pub fn disclosures() -> Result<Vec<Disclosure>, SdkError> {
    let window = dom::window()?;
    let document = dom::document()?;
    let Some(root) = dom::get_object::<Element>(&document, "documentElement") else {
        return Ok(Vec::new());
    };
    let mut disclosures = Vec::new();
    for element in dom::query_all(&root, "[data-ec-disclosure]") {
        disclosures.push(disclosure(&window, &element));
    }
    Ok(disclosures)
}

/// Every element tagged `data-ec-consent-checkbox`, in document order.
pub fn checkboxes() -> Result<Vec<ConsentCheckbox>, SdkError> {
    let document = dom::document()?;
    let Some(root) = dom::get_object::<Element>(&document, "documentElement") else {
        return Ok(Vec::new());
    };
    let mut checkboxes = Vec::new();
    for element in dom::query_all(&root, "[data-ec-consent-checkbox]") {
        checkboxes.push(ConsentCheckbox {
            consent_for: element
                .get_attribute("data-ec-consent-for")
                .filter(|id| !id.is_empty()),
            checked: is_checked(&element),
        });
    }
    Ok(checkboxes)
}

fn disclosure(window: &Window, element: &Element) -> Disclosure {
    let style = window.get_computed_style(element).ok().flatten();
    let property = |name: &str| {
        style
            .as_ref()
            .and_then(|s| s.get_property_value(name).ok())
            .unwrap_or_default()
    };
    let hidden = matches!(property("visibility").as_str(), "hidden" | "collapse");
    // No client rects means no box: `display:none` on it or an ancestor, or detached.
    let rendered = dom::length(&element.get_client_rects()) > 0 && !hidden;
    Disclosure {
        id: element
            .get_attribute("data-ec-disclosure")
            .unwrap_or_default(),
        text: text(element),
        rendered,
        in_viewport: rendered && in_viewport(window, element),
        opacity: opacity(window, element),
        font_size_px: dom::css_number(&property("font-size")).unwrap_or(0.0),
        contrast_ratio: contrast::of_element(window, element),
    }
}

/// The rendered text, with masked parts replaced as in the snapshot, at most
/// [`MAX_DISCLOSURE_CHARS`] characters.
fn text(element: &Element) -> String {
    let raw = if dom::is_within(element, MASK) || !dom::query_all(element, MASK).is_empty() {
        masked_text(element)
    } else {
        dom::rendered_text(element)
    };
    dom::truncate_chars(raw.trim_ascii(), MAX_DISCLOSURE_CHARS)
}

/// Text of a copy with the masked parts masked; the live element is never changed.
fn masked_text(element: &Element) -> String {
    let Ok(copy) = element.clone_node_with_deep(true) else {
        return String::new();
    };
    let copy: Element = copy.unchecked_into();
    if dom::is_within(element, MASK) {
        mask_text(&copy);
    } else {
        dom::query_all(&copy, MASK)
            .iter()
            .for_each(|el| mask_text(el));
    }
    dom::get_string(&copy, "textContent")
}

fn in_viewport(window: &Window, element: &Element) -> bool {
    let rect: JsValue = element.get_bounding_client_rect().into();
    let side = |name: &str| dom::get_number(&rect, name);
    let height = dom::get_number(window, "innerHeight");
    let width = dom::get_number(window, "innerWidth");
    side("width") > 0.0
        && side("height") > 0.0
        && side("bottom") > 0.0
        && side("right") > 0.0
        && side("top") < height
        && side("left") < width
}

/// The opacity the element is painted with: CSS opacity multiplies down the tree.
fn opacity(window: &Window, element: &Element) -> f64 {
    let mut product = 1.0;
    let mut current = Some(element.clone());
    while let Some(el) = current {
        let own = window
            .get_computed_style(&el)
            .ok()
            .flatten()
            .and_then(|s| s.get_property_value("opacity").ok())
            .and_then(|v| dom::css_number(&v))
            .unwrap_or(1.0);
        product *= own;
        current = dom::get_object(&el, "parentElement");
    }
    product
}

/// A native checkbox's `checked`; a custom widget's `aria-checked="true"`; a tagged wrapper
/// (e.g. a `<label>`) around a native checkbox reports that checkbox.
fn is_checked(element: &Element) -> bool {
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        return checked(input);
    }
    if let Some(aria) = element.get_attribute("aria-checked") {
        return aria == "true";
    }
    matches!(
        element.query_selector("input[type=checkbox], input[type=radio]"),
        Ok(Some(inner)) if inner.dyn_ref::<HtmlInputElement>().is_some_and(checked)
    )
}

fn checked(input: &HtmlInputElement) -> bool {
    dom::get(input, "checked").is_truthy()
}
