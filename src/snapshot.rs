//! The DOM snapshot: one HTML document that re-renders, with scripts off, like the page the
//! consumer saw at submit.
//!
//! The live page is copied into an inert document (no browsing context, so nothing in the
//! copy loads, runs or upgrades), then the copy is fixed up: live form state becomes
//! attributes, private values are dropped, active content is removed and a `<base>` makes
//! relative URLs resolve. The live page is only read, never changed.
//!
//! Privacy is decided here and nowhere else: password fields, payment-card fields
//! (`autocomplete="cc-*"`), hidden inputs and anything under `data-ec-mask` never leave the
//! browser. Styles, shadow roots, iframes and canvas pixels are later work.

use expressconsent_protocol::Snapshot;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlInputElement, HtmlOptionElement, HtmlTextAreaElement, Node};

use crate::dom;
use crate::error::SdkError;

/// The elements whose state lives in properties rather than attributes.
const FIELDS: &str = "input, textarea, select, option";
/// The marker for content that must not leave the browser.
pub const MASK: &str = "[data-ec-mask]";
/// Elements removed from the snapshot: those that would act rather than display when it is
/// opened, `noscript` (its content was not shown, since scripts ran), and `template` (never
/// rendered, and its content is a separate tree that the other clean-ups do not reach).
const REMOVED: &str = "script, noscript, template, meta[http-equiv='refresh' i]";
/// Attributes whose value is a URL, where a `javascript:` URL is script.
const URL_ATTRS: [&str; 6] = ["href", "src", "action", "formaction", "xlink:href", "data"];

/// Serializes the current page and its scroll position.
pub fn capture() -> Result<Snapshot, SdkError> {
    let window = dom::window()?;
    Ok(Snapshot {
        html: serialize(&dom::document()?)?,
        scroll_x: window.scroll_x().unwrap_or_default(),
        scroll_y: window.scroll_y().unwrap_or_default(),
    })
}

/// The document as an HTML string, with live form state and without private values,
/// scripts or inline handlers.
pub fn serialize(document: &Document) -> Result<String, SdkError> {
    let unreadable = || SdkError::invalid("the page could not be copied for the snapshot");
    let live = document.document_element().ok_or_else(unreadable)?;
    let inert = document
        .implementation()
        .and_then(|dom| dom.create_html_document())
        .map_err(|_| unreadable())?;
    let copy: Element = inert
        .import_node_with_deep(&live, true)
        .map_err(|_| unreadable())?
        .unchecked_into();

    copy_form_state(&live, &copy);
    for masked in self_and_descendants(&copy, MASK) {
        mask_text(&masked);
    }
    remove_active_content(&copy);
    let base = document.base_uri().ok().flatten().unwrap_or_default();
    set_base(&inert, &copy, &base);

    // A page without a doctype renders in quirks mode; keeping it so keeps its layout.
    let doctype = if document.compat_mode() == "BackCompat" {
        ""
    } else {
        "<!DOCTYPE html>"
    };
    Ok(format!("{doctype}{}", copy.outer_html()))
}

/// Replaces every non-space character of the text under `root` with `•`, so that masked
/// content keeps its place in the layout but not its meaning.
pub fn mask_text(root: &Node) {
    if root.node_type() == Node::TEXT_NODE {
        let text = root.node_value().unwrap_or_default();
        let masked: String = text
            .chars()
            .map(|c| if c.is_whitespace() { c } else { '•' })
            .collect();
        root.set_node_value(Some(&masked));
        return;
    }
    // Style sheets are not content, and bullets in them would break the layout.
    if matches!(
        root.node_name().to_ascii_lowercase().as_str(),
        "style" | "script"
    ) {
        return;
    }
    let mut child = root.first_child();
    while let Some(node) = child {
        mask_text(&node);
        child = node.next_sibling();
    }
}

/// Whether a field's value must never leave the browser.
pub fn is_private(field: &Element) -> bool {
    if dom::is_within(field, MASK) {
        return true;
    }
    // An option's privacy is its list's: `<select autocomplete="cc-exp-month">`.
    let owner = match field.dyn_ref::<HtmlOptionElement>() {
        Some(_) => field
            .closest("select, datalist")
            .ok()
            .flatten()
            .unwrap_or(field.clone()),
        None => field.clone(),
    };
    let card = owner.get_attribute("autocomplete").is_some_and(|ac| {
        ac.split_whitespace()
            .any(|t| t.to_ascii_lowercase().starts_with("cc-"))
    });
    let secret_type = owner
        .dyn_ref::<HtmlInputElement>()
        .is_some_and(|input| matches!(input.type_().as_str(), "password" | "hidden"));
    card || secret_type
}

/// Writes each live field's state onto its copy. `importNode` copies attributes (the
/// page's initial values), but what the consumer saw is in properties (what they typed).
fn copy_form_state(live: &Element, copy: &Element) {
    let live_fields = dom::query_all(live, FIELDS);
    let copied_fields = dom::query_all(copy, FIELDS);
    // Both lists are in document order of identical trees, so they pair up one to one.
    for (field, copied) in live_fields.iter().zip(&copied_fields) {
        let private = is_private(field);
        if let Some(input) = field.dyn_ref::<HtmlInputElement>() {
            copy_input(input, copied, private);
        } else if let Some(area) = field.dyn_ref::<HtmlTextAreaElement>() {
            let value = if private { String::new() } else { area.value() };
            copied.set_text_content(Some(&value));
        } else if let Some(option) = field.dyn_ref::<HtmlOptionElement>() {
            set_flag(copied, "selected", option.selected() && !private);
        }
    }
}

fn copy_input(input: &HtmlInputElement, copied: &Element, private: bool) {
    match input.type_().as_str() {
        "checkbox" | "radio" => set_flag(copied, "checked", input.checked() && !private),
        // Their value is the page's label, not the user's input.
        "button" | "submit" | "reset" | "image" => {}
        // A file input's value is a fake path and cannot be restored; keep nothing.
        "file" => set_flag(copied, "value", false),
        _ if private => set_flag(copied, "value", false),
        _ => {
            let _ = copied.set_attribute("value", &input.value());
        }
    }
}

/// Adds (`on`) or removes a boolean attribute.
fn set_flag(element: &Element, name: &str, on: bool) {
    // The names are the SDK's own valid attribute names, so these cannot fail.
    let _ = if on {
        element.set_attribute(name, "")
    } else {
        element.remove_attribute(name)
    };
}

/// Removes the [`REMOVED`] elements, inline handlers, `javascript:` URLs and `srcdoc`
/// documents, so the snapshot can never run code.
fn remove_active_content(copy: &Element) {
    for element in dom::query_all(copy, REMOVED) {
        element.remove();
    }
    for element in self_and_descendants(copy, "*") {
        for name in element
            .get_attribute_names()
            .iter()
            .filter_map(|n| n.as_string())
        {
            let lower = name.to_ascii_lowercase();
            let script_url = URL_ATTRS.contains(&lower.as_str())
                && element
                    .get_attribute(&name)
                    .is_some_and(|v| is_script_url(&v));
            if lower.starts_with("on") || lower == "srcdoc" || script_url {
                let _ = element.remove_attribute(&name);
            }
        }
    }
}

/// Whether a URL attribute would run script, read the way browsers parse URLs: tabs and
/// newlines are ignored anywhere and leading control characters and spaces are trimmed.
fn is_script_url(value: &str) -> bool {
    let cleaned: String = value
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let scheme = cleaned
        .trim_start_matches(|c: char| c <= ' ')
        .to_ascii_lowercase();
    scheme.starts_with("javascript:") || scheme.starts_with("vbscript:")
}

/// Makes relative URLs resolve against the page: the first `<base href>` is made absolute,
/// or a `<base>` is added as the first child of `<head>`.
fn set_base(inert: &Document, copy: &Element, base_uri: &str) {
    if let Ok(Some(base)) = copy.query_selector("base[href]") {
        let _ = base.set_attribute("href", base_uri);
        return;
    }
    let head = match copy.query_selector("head") {
        Ok(Some(head)) => head,
        _ => match inert.create_element("head") {
            Ok(head) => {
                let _ = copy.insert_before(&head, copy.first_child().as_ref());
                head
            }
            Err(_) => return,
        },
    };
    if let Ok(base) = inert.create_element("base") {
        let _ = base.set_attribute("href", base_uri);
        let _ = head.insert_before(&base, head.first_child().as_ref());
    }
}

/// `root` itself when it matches `selector`, then its matching descendants.
fn self_and_descendants(root: &Element, selector: &str) -> Vec<Element> {
    let mut all = Vec::new();
    if root.matches(selector).unwrap_or(false) {
        all.push(root.clone());
    }
    all.extend(dom::query_all(root, selector));
    all
}
