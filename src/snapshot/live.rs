//! The live page as the rewriter sees it: its trees (the document and every open shadow
//! root), and the state of the few elements whose look is not in their markup.
//!
//! Everything that concerns all elements is read in a handful of batched calls when the
//! page is opened (which elements host shadow roots; which are scrolled, from
//! [`super::scrolls`]); everything else is read per element of interest, on demand, from
//! `querySelectorAll` lists.
//!
//! An iframe's nodes come from another JavaScript realm, where `instanceof` against this
//! window's classes is false; so nodes are recognised by what the selector or
//! `localName` says they are, never by `dyn_into`.

#[allow(unused_imports)]
use crate::prelude::*;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    CssStyleSheet, Document, DocumentFragment, Element, HtmlCanvasElement, HtmlIFrameElement,
    HtmlInputElement, NodeList,
};

use super::fields;
use super::media;
use super::rewrite::{Canvas, Field, LinkSheet, Page};
use super::scrolls;
use super::sheets::sheet_text;
use crate::dom;
use crate::error::SdkError;
use crate::text::concat;

/// Deepest chain of same-origin iframes captured.
const MAX_FRAME_DEPTH: u32 = 4;

/// The selectors of the per-kind lists, in [`Kind`] order.
const KIND_SELECTORS: [&str; 6] = [
    "input, textarea, select, option",
    "style",
    "link",
    "canvas",
    "iframe",
    "img",
];

#[derive(Clone, Copy)]
enum Kind {
    Fields,
    Styles,
    Links,
    Canvases,
    Iframes,
    Images,
}

/// One tree: the document or an open shadow root.
struct Tree {
    root: Root,
    elements: usize,
    /// Every element of the tree, in document order (`querySelectorAll("*")`).
    all: Option<NodeList>,
    /// `(element index, tree)` of each shadow host, by index.
    hosts: Vec<(usize, usize)>,
    /// `(element index, x, y)` of each scrolled element, by index.
    scrolls: Vec<(usize, f64, f64)>,
    lists: [Option<NodeList>; 6],
}

/// The node a tree hangs from.
enum Root {
    Document(Document),
    Shadow(DocumentFragment),
}

/// A document opened for one snapshot.
pub struct LivePage {
    document: Document,
    base: String,
    depth: u32,
    trees: Vec<Tree>,
    /// Every open shadow root, for `getHTML({ shadowRoots })`.
    shadow_roots: Array,
    /// Whether any tree has a `data-ec-mask` element, once asked: most pages have none,
    /// and then no field needs the walk up through its ancestors and shadow hosts.
    has_masks: Option<bool>,
    /// What could not be reproduced.
    pub warnings: Vec<String>,
    /// Sprite files read so far.
    sprites: usize,
}

impl LivePage {
    /// Finds the document's trees, their shadow hosts and scrolled elements.
    pub fn open(document: &Document, base: String, depth: u32) -> Self {
        let mut page = Self {
            document: document.clone(),
            base,
            depth,
            trees: vec![Tree::new(Root::Document(document.clone()))],
            shadow_roots: Array::new(),
            has_masks: None,
            warnings: Vec::new(),
            sprites: 0,
        };
        let mut i = 0;
        while i < page.trees.len() {
            page.discover(i);
            i += 1;
        }
        page
    }

    fn discover(&mut self, tree: usize) {
        let all = query_all(&self.trees[tree].root, "*");
        self.trees[tree].elements = all.as_ref().map_or(0, NodeList::length) as usize;
        let Some(all) = all else { return };
        // Which elements host an open shadow root, for all of them in one call; then the
        // few roots themselves.
        let flags = dom::presence(&all, "shadowRoot").to_vec();
        for (index, _) in flags.iter().enumerate().filter(|(_, f)| **f != 0) {
            let root = dom::get(&dom::at(&all, index as u32), "shadowRoot");
            if root.is_object() {
                self.shadow_roots.push(&root);
                self.trees
                    .push(Tree::new(Root::Shadow(root.unchecked_into())));
                let id = self.trees.len() - 1;
                self.trees[tree].hosts.push((index, id));
            }
        }
        self.trees[tree].scrolls = match &self.trees[tree].root {
            Root::Document(document) => scrolls::scrolled(document, &all),
            Root::Shadow(_) => scrolls::scan(&all),
        };
        self.trees[tree].all = Some(all);
    }

    /// The document serialized by the browser, open shadow roots included, starting at
    /// `<html>`: the rewriter's input.
    pub fn source(&self) -> Result<String, SdkError> {
        let unreadable = || SdkError::invalid("the page could not be serialized for the snapshot");
        let root: Element =
            dom::get_object(&self.document, "documentElement").ok_or_else(unreadable)?;
        let shallow: Element = root
            .clone_node_with_deep(false)
            .map_err(|_| unreadable())?
            .unchecked_into();
        let shell = dom::get_string(&shallow, "outerHTML");
        let close = concat(&["</", &dom::get_string(&root, "localName"), ">"]);
        let Some(open) = shell.strip_suffix(&close) else {
            return Ok(dom::get_string(&root, "outerHTML"));
        };
        let inner = get_html(&root, &self.shadow_roots)
            .unwrap_or_else(|| dom::get_string(&root, "innerHTML"));
        Ok(concat(&[open, &inner, &close]))
    }

    fn item(&mut self, tree: usize, kind: Kind, nth: usize) -> Option<Element> {
        let tree = self.trees.get_mut(tree)?;
        let list = match &mut tree.lists[kind as usize] {
            Some(list) => list,
            slot => slot.insert(query_all(&tree.root, KIND_SELECTORS[kind as usize])?),
        };
        let element = dom::at(list, nth as u32);
        element.is_object().then(|| element.unchecked_into())
    }

    /// Element `index` of `tree`.
    fn element(&self, tree: usize, index: usize) -> Option<Element> {
        let element = dom::at(self.trees.get(tree)?.all.as_ref()?, index as u32);
        element.is_object().then(|| element.unchecked_into())
    }

    fn sheet_of(&mut self, element: &Element) -> Option<Result<String, ()>> {
        let sheet = Reflect::get(element, &"sheet".into()).ok()?;
        if !sheet.is_object() {
            return None;
        }
        Some(sheet_text(sheet.unchecked_ref(), &self.base, &mut self.warnings).ok_or(()))
    }
}

impl Page for LivePage {
    fn shadow_root(&mut self, tree: usize, index: usize) -> Option<usize> {
        let hosts = &self.trees.get(tree)?.hosts;
        let at = hosts.binary_search_by_key(&index, |h| h.0).ok()?;
        Some(hosts[at].1)
    }

    fn scroll(&mut self, tree: usize, index: usize) -> Option<(f64, f64)> {
        let scrolls = &self.trees.get(tree)?.scrolls;
        let at = scrolls.binary_search_by_key(&index, |s| s.0).ok()?;
        Some((scrolls[at].1, scrolls[at].2))
    }

    fn field(&mut self, tree: usize, nth: usize) -> Field {
        let Some(element) = self.item(tree, Kind::Fields, nth) else {
            return Field::Other;
        };
        let has_masks = match self.has_masks {
            Some(known) => known,
            None => {
                let any = self.trees.iter().any(|tree| {
                    query_all(&tree.root, super::MASK).is_some_and(|list| list.length() > 0)
                });
                *self.has_masks.insert(any)
            }
        };
        let name = dom::get_string(&element, "localName");
        if fields::is_private(&element, &name, has_masks) {
            return Field::Private;
        }
        match name.as_str() {
            "input" => {
                let input: &HtmlInputElement = element.unchecked_ref();
                Field::Input {
                    kind: dom::get_string(input, "type"),
                    value: dom::get_string(input, "value"),
                    checked: dom::get(input, "checked").is_truthy(),
                }
            }
            "textarea" => Field::TextArea(dom::get_string(&element, "value")),
            "option" => Field::Option(dom::get(&element, "selected").is_truthy()),
            _ => Field::Other,
        }
    }

    fn style(&mut self, tree: usize, nth: usize) -> Option<String> {
        let element = self.item(tree, Kind::Styles, nth)?;
        self.sheet_of(&element)?.ok()
    }

    fn link_sheet(&mut self, tree: usize, nth: usize) -> LinkSheet {
        let Some(link) = self.item(tree, Kind::Links, nth) else {
            return LinkSheet::Keep;
        };
        let href = link.get_attribute("href").unwrap_or_default();
        match self.sheet_of(&link) {
            Some(Ok(css)) => LinkSheet::Inline(css),
            Some(Err(())) => {
                let url = super::url::resolve(&self.base, &href);
                self.warn(concat(&[
                    "style sheet kept as a link (cross-origin): ",
                    &url,
                ]));
                LinkSheet::Keep
            }
            None => LinkSheet::Keep,
        }
    }

    fn current_src(&mut self, tree: usize, nth: usize) -> Option<String> {
        let image = self.item(tree, Kind::Images, nth)?;
        let current = dom::get_string(&image, "currentSrc");
        (!current.is_empty()).then_some(current)
    }

    fn canvas(&mut self, tree: usize, nth: usize) -> Option<Canvas> {
        let canvas: HtmlCanvasElement = self.item(tree, Kind::Canvases, nth)?.unchecked_into();
        let view: web_sys::Window = dom::get_object(&self.document, "defaultView")?;
        let style = view.get_computed_style(&canvas).ok()??;
        let property = |name| style.get_property_value(name).unwrap_or_default();
        let pixels = if dom::get_number(&canvas, "width") == 0.0
            || dom::get_number(&canvas, "height") == 0.0
        {
            None
        } else {
            match canvas.to_data_url() {
                Ok(url) => Some(url),
                Err(_) => {
                    self.warn("canvas not captured: it shows cross-origin pixels".to_owned());
                    None
                }
            }
        };
        Some(Canvas {
            pixels,
            width: property("width"),
            height: property("height"),
            inline: property("display") == "inline",
        })
    }

    fn iframe(&mut self, tree: usize, nth: usize) -> Option<String> {
        let frame: HtmlIFrameElement = self.item(tree, Kind::Iframes, nth)?.unchecked_into();
        let Some(document) = dom::property(&frame, "contentDocument") else {
            let src = super::url::resolve(&self.base, &dom::get_string(&frame, "src"));
            self.warn(concat(&["iframe not captured (cross-origin): ", &src]));
            return None;
        };
        if self.depth >= MAX_FRAME_DEPTH {
            self.warn("iframe not captured: nested too deeply".to_owned());
            return None;
        }
        match super::render(document.unchecked_ref(), self.depth + 1) {
            Ok(rendered) => {
                for warning in &rendered.warnings {
                    self.warnings.push(concat(&["iframe: ", warning]));
                }
                Some(rendered.html)
            }
            Err(_) => None,
        }
    }

    fn adopted(&mut self, tree: usize) -> Option<String> {
        let root: &JsValue = match &self.trees.get(tree)?.root {
            Root::Document(document) => document,
            Root::Shadow(fragment) => fragment,
        };
        let sheets = Reflect::get(root, &"adoptedStyleSheets".into()).ok()?;
        if !Array::is_array(&sheets) {
            return None;
        }
        if dom::length(&sheets) == 0 {
            return None;
        }
        let mut css = String::new();
        for i in 0..dom::length(&sheets) {
            let sheet = dom::at(&sheets, i);
            if !sheet.is_object() {
                continue;
            }
            let sheet: CssStyleSheet = sheet.unchecked_into();
            if let Some(text) = sheet_text(&sheet, &self.base, &mut self.warnings) {
                css.push_str(&text);
                css.push('\n');
            }
        }
        Some(css)
    }

    fn is_whole_text(&mut self, tree: usize, index: usize, text: &str) -> bool {
        let Some(all) = self.trees.get(tree).and_then(|t| t.all.as_ref()) else {
            return false;
        };
        dom::get_string(&dom::at(all, index as u32), "textContent") == text
    }

    fn element_count(&self, tree: usize) -> usize {
        self.trees.get(tree).map_or(0, |t| t.elements)
    }

    fn warn(&mut self, warning: String) {
        self.warnings.push(warning);
    }

    fn is_static(&mut self, tree: usize, index: usize) -> bool {
        let layout = self.element(tree, index).and_then(|e| media::layout(&e));
        layout.is_some_and(|l| dom::at(&l, 0).as_string().as_deref() == Some("static"))
    }

    fn box_size(&mut self, tree: usize, index: usize) -> Option<(String, String)> {
        let layout = media::layout(&self.element(tree, index)?)?;
        let px = |i| {
            dom::at(&layout, i)
                .as_string()
                .filter(|v| v.ends_with("px"))
        };
        Some((px(1)?, px(2)?))
    }

    fn root_origin(&mut self) -> (f64, f64) {
        media::root_origin(&self.document)
    }

    fn video_frame(&mut self, tree: usize, index: usize) -> Option<String> {
        let video = self.element(tree, index)?;
        media::video_frame(&video, &mut self.warnings)
    }

    fn blob(&mut self, url: &str) -> Option<String> {
        media::blob(url, &mut self.warnings)
    }

    fn image_pixels(&mut self, tree: usize, index: usize) -> Option<String> {
        media::image_pixels(&self.element(tree, index)?)
    }

    fn sprite(&mut self, url: &str) -> Option<String> {
        if self.sprites >= media::MAX_SPRITES {
            self.warn(concat(&[
                "SVG sprite not copied (more than 8 files): ",
                url,
            ]));
            return None;
        }
        self.sprites += 1;
        media::sprite(url, &mut self.warnings)
    }
}

impl Tree {
    fn new(root: Root) -> Self {
        Self {
            root,
            elements: 0,
            all: None,
            hosts: Vec::new(),
            scrolls: Vec::new(),
            lists: Default::default(),
        }
    }
}

/// `querySelectorAll` on a document or shadow root.
fn query_all(root: &Root, selector: &str) -> Option<NodeList> {
    match root {
        Root::Document(document) => dom::select_all(document, selector),
        Root::Shadow(fragment) => dom::select_all(fragment, selector),
    }
}

/// `root.getHTML({ shadowRoots })`, where the browser has it (Chromium 125, Firefox 128,
/// Safari 18); it serializes the listed shadow roots as declarative
/// `<template shadowrootmode>` elements.
fn get_html(root: &Element, shadow_roots: &Array) -> Option<String> {
    let get_html: js_sys::Function = Reflect::get(root, &"getHTML".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let options = Object::new();
    Reflect::set(&options, &"shadowRoots".into(), shadow_roots).ok()?;
    get_html
        .call1(root, &JsValue::from(options))
        .ok()?
        .as_string()
}
