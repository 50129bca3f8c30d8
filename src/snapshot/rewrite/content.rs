//! What the pass writes for the text between tags: text as the browser escaped it, a `<`
//! that opens nothing, the raw text of `<style>`, `<xmp>` and the like, and masked text.
//!
//! Raw text is where the browser's serialization and the page's tree can disagree: a
//! script may put elements inside a raw-text element, which the serializer writes as
//! markup that ends the raw text at the first end tag of its name. Such text is never
//! written, and since from there on no `data-ec-mask` can be trusted to start or end where
//! it seems to, everything after it is masked.

use super::super::html;
use super::Pass;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::text::slice;

impl Pass<'_, '_> {
    /// A `<` that opens nothing: a character of the text.
    pub(super) fn less_than(&mut self) {
        self.pending_root = None;
        self.text("&lt;");
        self.pos += 1;
    }

    /// Writes `text` as it is, unless inside a left-out element.
    pub(super) fn emit_raw(&mut self, text: &str) {
        if self.suppressed == 0 {
            self.out.push_str(text);
        }
    }

    /// Writes a run of text (escaped, or raw in a raw-text element) where the pass is.
    pub(super) fn text(&mut self, text: &str) {
        let Some(top) = self.stack.last() else {
            return self.emit_raw(text);
        };
        if self.suppressed > 0 || top.replaced_text {
            return;
        }
        let raw = top.has_raw_text();
        let masked = top.masked || self.mask_rest;
        if raw && html::opens_markup_anywhere(text) {
            // Raw text the serializer wrote with markup in it came from elements inside a
            // raw-text element (put there by script), which may be private or be read as
            // tags by another parser: left out.
            return;
        }
        if masked && top.name == "style" {
            // A masked style sheet whose rules could not be read: its text may hold
            // anything, and bullets would break it.
        } else if masked && raw {
            // Raw text is unescaped, so escape it first: masking reads escaped text.
            let mut escaped = String::new();
            html::push_text_escaped(&mut escaped, text);
            html::push_masked(&mut self.out, &escaped);
        } else if masked {
            html::push_masked(&mut self.out, text);
        } else {
            self.out.push_str(text);
        }
    }

    /// Consumes the raw text of the element `name` just opened (element `index` of its
    /// tree) and writes it.
    pub(super) fn raw_text(&mut self, name: &str, index: Option<usize>) {
        let end = html::raw_text_end(self.src, self.pos, name);
        let text = slice(self.src, self.pos, end);
        self.pos = end;
        if html::opens_markup_anywhere(text) && !self.raw_text_is_whole(index, text) {
            self.mask_rest = true;
        }
        self.text(text);
    }

    /// Whether raw `text` is the whole text of element `index` of the current tree, as
    /// the live page has it (a script or style sheet whose text merely mentions tags).
    fn raw_text_is_whole(&mut self, index: Option<usize>, text: &str) -> bool {
        let tree = self.tree();
        index.is_some_and(|index| self.page.is_whole_text(tree, index, text))
    }
}
