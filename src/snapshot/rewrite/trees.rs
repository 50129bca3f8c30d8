//! Which tree the pass is in and where each element stands in it: the per-tree counters
//! that match an element of the text to the live page's element by position, the switch
//! into a shadow root's tree, and the check that text and page stayed in step.
//!
//! Positions count only what `querySelectorAll` sees: the contents of a regular
//! `<template>` are not counted, and the `<template shadowrootmode>` of a shadow root is
//! not an element of either tree.

use super::super::html::StartTag;
use super::attrs::plain_attrs;
use super::open::Open;
use super::Pass;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::text::{concat, decimal};

/// Per-tree positions of the elements seen so far.
#[derive(Default, Clone)]
pub(super) struct Counters {
    elements: usize,
    fields: usize,
    styles: usize,
    links: usize,
    canvases: usize,
    images: usize,
    iframes: usize,
}

impl Counters {
    /// Counts an element named `name`: its index among all elements of the tree, and among
    /// those of its kind when the live page is asked about that kind.
    pub(super) fn count(&mut self, name: &str) -> (usize, Option<usize>) {
        let next = |count: &mut usize| {
            *count += 1;
            *count - 1
        };
        let nth = match name {
            "input" | "textarea" | "select" | "option" => Some(next(&mut self.fields)),
            "style" => Some(next(&mut self.styles)),
            "link" => Some(next(&mut self.links)),
            "canvas" => Some(next(&mut self.canvases)),
            "img" => Some(next(&mut self.images)),
            "iframe" => Some(next(&mut self.iframes)),
            _ => None,
        };
        (next(&mut self.elements), nth)
    }
}

impl<'a> Pass<'a, '_> {
    /// The tree the pass is in: 0 for the document, else a shadow root's.
    pub(super) fn tree(&self) -> usize {
        *self.trees.last().unwrap_or(&0)
    }

    /// The `<template shadowrootmode>` of shadow root `root`: written as it is, and its
    /// content counted as that tree.
    pub(super) fn enter_shadow_root(&mut self, tag: &StartTag<'a>, root: usize) {
        self.emit_tag(tag.name, plain_attrs(tag));
        if self.counters.len() <= root {
            self.counters.resize(root + 1, Counters::default());
        }
        self.trees.push(root);
        let masked = self.stack.last().is_some_and(|o| o.masked);
        self.stack.push(Open::shadow_root(tag.name, root, masked));
    }

    /// Warns when the text had a different number of elements than the live tree, since
    /// then positions, and so form state, may be misplaced.
    pub(super) fn check_count(&mut self, tree: usize) {
        let seen = self.counters.get(tree).map_or(0, |c| c.elements);
        let live = self.page.element_count(tree);
        if seen != live {
            let (seen, live) = (decimal(seen as u64), decimal(live as u64));
            self.warn_about(
                tree,
                &[
                    &seen,
                    " elements serialized but ",
                    &live,
                    " on the page; form state may be misplaced",
                ],
            );
        }
    }

    /// Records a warning about `tree`: `tree <n>: ` and then `parts`.
    pub(super) fn warn_about(&mut self, tree: usize, parts: &[&str]) {
        let mut warning = concat(&["tree ", &decimal(tree as u64), ": "]);
        parts.iter().for_each(|part| warning.push_str(part));
        self.page.warn(warning);
    }
}
