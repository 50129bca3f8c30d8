//! Which live form fields are private, asked of the page itself rather than of the
//! markup: a payment-card field or list, or a field inside `data-ec-mask` (through shadow
//! roots); a password or hidden input says so in its live `type`. The rewriter decides privacy from the markup
//! first; this is the second opinion that keeps a secret out of the snapshot when the
//! serialization and the live tree disagree about which element is which.

#[allow(unused_imports)]
use crate::prelude::*;
use web_sys::Element;

use super::rewrite::is_card_autocomplete;
use crate::dom;

/// Whether live field `element` (named `name`) is private beyond its type (a password or
/// hidden input says so in the `type` the rewriter already reads): a payment-card field or
/// list (`autocomplete="cc-…"`), or, when the page has masks, a field inside
/// `data-ec-mask`, also across shadow roots. An option is private when its list is.
pub fn is_private(element: &Element, name: &str, has_masks: bool) -> bool {
    let field = match name {
        "option" => match element.closest("select, datalist") {
            Ok(Some(list)) => list,
            _ => element.clone(),
        },
        _ => element.clone(),
    };
    let card = field
        .get_attribute("autocomplete")
        .is_some_and(|ac| is_card_autocomplete(&ac));
    if card {
        return true;
    }
    if !has_masks {
        return false;
    }
    let mut inner: Element = field;
    loop {
        if dom::is_within(&inner, super::MASK) {
            return true;
        }
        // Out of a shadow root, to its host.
        match dom::get_object::<Element>(&inner.get_root_node(), "host") {
            Some(host) => inner = host,
            None => return false,
        }
    }
}
