//! The page tag for private content, shared by every module that reads page text.
//!
//! The snapshot itself decides privacy in [`super::rewrite`], from the markup; the other
//! evidence (disclosure text, trigger labels) uses [`MASK`] and [`mask_text`] from here.

use web_sys::Node;

/// The marker for content that must not leave the browser.
pub const MASK: &str = "[data-ec-mask]";

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
