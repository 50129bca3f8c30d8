//! What `data-ec-mask` does to the attributes of an element under it.
//!
//! The rules themselves ([`masked_attr`]) live in [`crate::snapshot::privacy`]; this pass
//! applies them to a start tag after every other rule has, so that nothing a rule added
//! (a canvas's size, an image's chosen source, a video's frame) escapes them. An image
//! whose picture is replaced keeps its box: the live element's computed size is written
//! into its `style`, since the placeholder has no size of its own.

use super::super::css::replace_urls;
use super::super::html;
use super::super::privacy::{masked_attr, Masked, PLACEHOLDER};
use super::attrs::{add_style, Attrs};
use super::Pass;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::text::concat;
use alloc::borrow::Cow;

impl<'a> Pass<'a, '_> {
    /// Applies `data-ec-mask` to the attributes of element `name` (element `index` of
    /// `tree`, when counted).
    pub(super) fn mask_attrs(
        &mut self,
        name: &str,
        attrs: &mut Attrs<'a>,
        tree: usize,
        index: Option<usize>,
    ) {
        let mut pictured = matches!(name, "img" | "video");
        attrs.retain_mut(|(attr, value)| {
            let Some(text) = value.as_deref() else {
                return true;
            };
            let masked = match masked_attr(name, attr, text) {
                Masked::Keep => return true,
                Masked::Drop => return false,
                Masked::Hash => "#".to_owned(),
                Masked::Placeholder => {
                    pictured = true;
                    PLACEHOLDER.to_owned()
                }
                Masked::Style => match replace_urls(&html::unescape(text), PLACEHOLDER) {
                    Cow::Borrowed(_) => return true,
                    Cow::Owned(css) => {
                        let mut escaped = String::with_capacity(css.len());
                        html::push_attr_escaped(&mut escaped, &css);
                        escaped
                    }
                },
                Masked::Bullets => {
                    let mut bullets = String::with_capacity(text.len());
                    html::push_masked(&mut bullets, text);
                    bullets
                }
            };
            *value = Some(Cow::Owned(masked));
            true
        });
        if !pictured {
            return;
        }
        let Some((width, height)) = index.and_then(|index| self.page.box_size(tree, index)) else {
            return;
        };
        add_style(attrs, &concat(&["width:", &width, ";height:", &height]));
    }
}
