//! The page tag for private content, shared by every module that reads page text.
//!
//! The snapshot itself decides privacy in [`super::rewrite`], from the markup; the other
//! evidence (disclosure text, trigger labels) uses [`MASK`] and [`mask_text`] from here.

#[allow(unused_imports)]
use crate::prelude::*;
use web_sys::Node;

use crate::dom;

/// The marker for content that must not leave the browser.
pub const MASK: &str = "[data-ec-mask]";

/// Replaces every non-space character of the text under `root` with `•`, so that masked
/// content keeps its place in the layout but not its meaning.
pub fn mask_text(root: &Node) {
    if dom::get_number(root, "nodeType") == f64::from(Node::TEXT_NODE) {
        let text = dom::get_string(root, "nodeValue");
        let mut masked = String::with_capacity(text.len());
        for c in text.chars() {
            masked.push(if c.is_whitespace() { c } else { '•' });
        }
        let _ = js_sys::Reflect::set(root, &"nodeValue".into(), &masked.into());
        return;
    }
    // Style sheets are not content, and bullets in them would break the layout.
    if matches!(
        dom::get_string(root, "nodeName")
            .to_ascii_lowercase()
            .as_str(),
        "style" | "script"
    ) {
        return;
    }
    let mut child = dom::get_object::<Node>(root, "firstChild");
    while let Some(node) = child {
        mask_text(&node);
        child = dom::get_object(&node, "nextSibling");
    }
}
