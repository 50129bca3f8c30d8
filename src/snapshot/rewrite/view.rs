//! What makes the snapshot, opened with scripts off, show what the consumer saw where they
//! saw it: scroll positions, video frames, `blob:` sources and external SVG sprites.
//!
//! - **Scroll.** No attribute scrolls an element, but CSS can place a scroll container's
//!   initial position: an element with `scroll-initial-target: nearest` (Chromium 133+)
//!   is scrolled to, start-aligned, when its container is first laid out. Each scrolled
//!   container gets an invisible absolutely positioned mark at its offset (and
//!   `position: relative` when it was static, so that the mark is placed in it): in a
//!   declarative shadow root of its own that slots the container's children, where the
//!   element may host one, so that `:nth-child` rules still match the same children; else
//!   as its first child. The window's mark is `<body>`'s, at the window's offset.
//! - **Video.** A `<video>` gets its current frame as its `poster` (shown until playback
//!   starts) and loses `autoplay`, so it shows the frame the consumer saw, not frame 0.
//! - **`blob:` URLs** die with the page: `src` and `poster` values become `data:` URLs.
//! - **Sprites.** `<use href="sprite.svg#icon">` is refused across origins, and a snapshot
//!   is opened from another origin; a same-origin sprite file's content is copied once per
//!   tree into a hidden `<svg>` (through the same rewrite, so nothing in it can run) and
//!   the reference becomes `#icon`.

use super::super::html;
use super::attrs::{add_style, attr_value, remove_attr, set_attr_text, Attrs};
use super::open::Open;
use super::page::{Canvas, Field, LinkSheet, Page};
use super::Pass;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::text::{after, before, concat};

/// Elements that cannot hold a scroll mark: void, raw text, form controls, replaced
/// elements, and table parts (whose children the parser moves out).
const NO_MARK: [&str; 14] = [
    "textarea", "select", "iframe", "canvas", "video", "audio", "object", "table", "tbody",
    "thead", "tfoot", "tr", "colgroup", "template",
];

/// Elements that may host a shadow root (besides custom elements).
const SHADOW_HOSTS: [&str; 17] = [
    "article",
    "aside",
    "blockquote",
    "body",
    "div",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "main",
    "nav",
    "p",
    "section",
];

/// The mark's style: invisible, no box, out of flow.
const MARK_STYLE: &str = "position:absolute;width:0;height:0;margin:0;padding:0;border:0;\
pointer-events:none;scroll-margin:0;scroll-snap-align:start;\
scroll-initial-target:nearest";

/// What the view rules carry through one pass.
#[derive(Default)]
pub(super) struct View {
    /// The window's offset, once `<html>` (or `<body>`) said it was scrolled.
    window: Option<(f64, f64)>,
    /// `(tree, file URL, rewritten content)` of each sprite copied, in order.
    sprites: Vec<(usize, String, Option<String>)>,
}

impl<'a> Pass<'a, '_> {
    /// The view rules for one kept element (`index` of `tree`, when counted). Masked
    /// elements are left to the mask, which replaces what these would read.
    pub(super) fn view_rules(
        &mut self,
        open: &Open<'a>,
        attrs: &mut Attrs<'a>,
        tree: usize,
        index: Option<usize>,
    ) {
        let Some(index) = index.filter(|_| !open.masked) else {
            return;
        };
        if open.html_name() == "video" {
            self.video_state(attrs, tree, index);
        }
        if open.foreign && open.name == "use" {
            self.sprite_use(attrs, tree);
        }
        self.blob_sources(open.html_name(), attrs, tree, index);
    }

    /// Element `index` of `tree` is scrolled to `(x, y)`: the mark to write right after
    /// its start tag, if it can have one.
    pub(super) fn scroll_mark(
        &mut self,
        name: &str,
        attrs: &mut Attrs<'a>,
        (tree, index): (usize, usize),
        (x, y): (f64, f64),
    ) -> Option<String> {
        if tree == 0 && matches!(name, "html" | "body") {
            self.view.window = Some((x, y));
            return None;
        }
        if name.is_empty() || html::VOID.contains(&name) || NO_MARK.contains(&name) {
            return None;
        }
        if self.page.is_static(tree, index) {
            add_style(attrs, "position:relative");
        }
        let shadow = self.hosts_mark(name, tree, index);
        Some(mark(x, y, shadow))
    }

    /// After `<body>`'s start tag (element `index` of the document): the window's mark,
    /// when the window was scrolled.
    pub(super) fn window_mark(&mut self, index: Option<usize>) -> Option<String> {
        let (x, y) = self.view.window.take()?;
        let (left, top) = self.page.root_origin();
        let shadow = index.is_some_and(|index| self.hosts_mark("body", 0, index));
        Some(mark(x - left, y - top, shadow))
    }

    /// Whether element `index` of `tree`, named `name`, can hold its mark in a shadow root
    /// of its own: an element that may host one and does not already.
    fn hosts_mark(&mut self, name: &str, tree: usize, index: usize) -> bool {
        (SHADOW_HOSTS.contains(&name) || name.contains('-'))
            && self.page.shadow_root(tree, index).is_none()
    }

    /// A `<video>` shows the frame it showed (unless masked) and does not start playing.
    pub(super) fn video_state(&mut self, attrs: &mut Attrs<'a>, tree: usize, index: usize) {
        remove_attr(attrs, "autoplay");
        if let Some(frame) = self.page.video_frame(tree, index) {
            set_attr_text(attrs, "poster", &frame);
        }
    }

    /// `src` and `poster` values that are `blob:` URLs become `data:` URLs; an `<img>`
    /// whose blob is gone keeps the picture it shows.
    pub(super) fn blob_sources(
        &mut self,
        name: &str,
        attrs: &mut Attrs<'a>,
        tree: usize,
        index: usize,
    ) {
        for attr in ["src", "poster"] {
            let Some(url) = attr_value(attrs, attr).filter(|v| v.starts_with("blob:")) else {
                continue;
            };
            let data = self.page.blob(&html::unescape(&url)).or_else(|| {
                (name == "img")
                    .then(|| self.page.image_pixels(tree, index))
                    .flatten()
            });
            match data {
                Some(data) => set_attr_text(attrs, attr, &data),
                None => {
                    remove_attr(attrs, attr);
                    self.page
                        .warn(concat(&["blob: source not captured: ", name]));
                }
            }
        }
    }

    /// An SVG `<use>` of another file's symbol: the file's content is copied into this
    /// tree and the reference points at the copy.
    pub(super) fn sprite_use(&mut self, attrs: &mut Attrs<'a>, tree: usize) {
        for attr in ["href", "xlink:href"] {
            let Some(url) = attr_value(attrs, attr) else {
                continue;
            };
            let url = html::unescape(&url).into_owned();
            let Some(hash) = url.find('#').filter(|&at| at > 0) else {
                continue;
            };
            let file = before(&url, hash);
            let known = self
                .view
                .sprites
                .iter()
                .position(|s| s.0 == tree && s.1 == file);
            let copied = match known {
                Some(at) => self.view.sprites[at].2.is_some(),
                None => {
                    let content = self
                        .page
                        .sprite(file)
                        .map(|inner| sprite_copy(file, &inner));
                    let copied = content.is_some();
                    self.view.sprites.push((tree, file.to_owned(), content));
                    copied
                }
            };
            if copied {
                set_attr_text(attrs, attr, after(&url, hash));
            }
        }
    }

    /// Writes the sprites copied into `tree`, before the end of its `<body>` or shadow root.
    pub(super) fn emit_sprites(&mut self, tree: usize) {
        for (_, _, content) in self.view.sprites.iter().filter(|s| s.0 == tree) {
            if let Some(content) = content {
                self.out.push_str(content);
            }
        }
    }
}

/// An invisible mark at `(x, y)` that its scroll container starts scrolled to. In a
/// shadow root of its own (`shadow`), with a `<slot>` for the container's children, it
/// leaves the page's own elements as they were: a new first child would shift every
/// `:nth-child` and `:first-child` rule.
fn mark(x: f64, y: f64, shadow: bool) -> String {
    let mut out = String::new();
    if shadow {
        out.push_str("<template shadowrootmode=\"open\">");
    }
    out.push_str("<i data-ec-scroll-mark=\"\" style=\"");
    out.push_str(MARK_STYLE);
    out.push_str(";left:");
    html::push_pixels(&mut out, x);
    out.push_str("px;top:");
    html::push_pixels(&mut out, y);
    out.push_str("px\"></i>");
    if shadow {
        out.push_str("<slot></slot></template>");
    }
    out
}

/// A sprite file's content as a hidden `<svg>`, rewritten like the page (no script, no
/// handlers, absolute URLs against the file's own URL).
fn sprite_copy(file: &str, inner: &str) -> String {
    let mut source = String::from("<svg data-ec-sprite=\"");
    html::push_attr_escaped(&mut source, file);
    source.push_str(
        "\" aria-hidden=\"true\" style=\"position:absolute;width:0;height:0;overflow:hidden\">",
    );
    source.push_str(inner);
    source.push_str("</svg>");
    super::fragment(&source, file, &mut Inert)
}

/// A page that answers nothing: for markup that is not the live page's (a sprite file).
struct Inert;

impl Page for Inert {
    fn shadow_root(&mut self, _: usize, _: usize) -> Option<usize> {
        None
    }
    fn scroll(&mut self, _: usize, _: usize) -> Option<(f64, f64)> {
        None
    }
    fn field(&mut self, _: usize, _: usize) -> Field {
        Field::Other
    }
    fn style(&mut self, _: usize, _: usize) -> Option<String> {
        None
    }
    fn link_sheet(&mut self, _: usize, _: usize) -> LinkSheet {
        LinkSheet::Keep
    }
    fn current_src(&mut self, _: usize, _: usize) -> Option<String> {
        None
    }
    fn canvas(&mut self, _: usize, _: usize) -> Option<Canvas> {
        None
    }
    fn iframe(&mut self, _: usize, _: usize) -> Option<String> {
        None
    }
    fn adopted(&mut self, _: usize) -> Option<String> {
        None
    }
    fn element_count(&self, _: usize) -> usize {
        0
    }
    fn warn(&mut self, _: String) {}
}

#[cfg(test)]
mod tests {
    use super::super::{rewrite, Canvas, Field, LinkSheet, Page};

    /// A page with scrolled elements, a video, a blob and a sprite file.
    #[derive(Default)]
    struct Viewed {
        scrolls: Vec<((usize, usize), (f64, f64))>,
        origin: (f64, f64),
        warnings: Vec<String>,
    }

    impl Page for Viewed {
        fn shadow_root(&mut self, _: usize, _: usize) -> Option<usize> {
            None
        }
        fn scroll(&mut self, tree: usize, index: usize) -> Option<(f64, f64)> {
            self.scrolls
                .iter()
                .find(|s| s.0 == (tree, index))
                .map(|s| s.1)
        }
        fn field(&mut self, _: usize, _: usize) -> Field {
            Field::Other
        }
        fn style(&mut self, _: usize, _: usize) -> Option<String> {
            None
        }
        fn link_sheet(&mut self, _: usize, _: usize) -> LinkSheet {
            LinkSheet::Keep
        }
        fn current_src(&mut self, _: usize, _: usize) -> Option<String> {
            None
        }
        fn canvas(&mut self, _: usize, _: usize) -> Option<Canvas> {
            None
        }
        fn iframe(&mut self, _: usize, _: usize) -> Option<String> {
            None
        }
        fn adopted(&mut self, _: usize) -> Option<String> {
            None
        }
        fn element_count(&self, _: usize) -> usize {
            usize::MAX
        }
        fn warn(&mut self, warning: String) {
            self.warnings.push(warning);
        }
        fn is_static(&mut self, _: usize, index: usize) -> bool {
            index == 3
        }
        fn root_origin(&mut self) -> (f64, f64) {
            self.origin
        }
        fn video_frame(&mut self, _: usize, _: usize) -> Option<String> {
            Some("data:image/jpeg;base64,FRAME".to_owned())
        }
        fn blob(&mut self, url: &str) -> Option<String> {
            (url == "blob:https://leads.example/live")
                .then(|| "data:image/png;base64,BLOB".to_owned())
        }
        fn sprite(&mut self, url: &str) -> Option<String> {
            (url == "https://leads.example/icons.svg").then(|| {
                r#"<script>steal()</script><symbol id="i" onclick="x()"><image href="i.png"></image></symbol>"#
                    .to_owned()
            })
        }
    }

    const BASE: &str = "https://leads.example/apply/form.html";

    fn run(page: &mut Viewed, body: &str) -> String {
        let source = format!("<html><head></head><body>{body}</body></html>");
        rewrite(&source, BASE, page).html
    }

    #[test]
    fn scrolled_containers_and_the_window_get_marks_that_css_scrolls_to() {
        let mut page = Viewed {
            // <html> is 0, <head> 1, <body> 2, then the body's elements.
            scrolls: vec![
                ((0, 0), (0.0, 230.0)),
                ((0, 3), (4.0, 95.5)),
                ((0, 5), (0.0, 7.0)),
                ((0, 6), (0.0, 3.0)),
            ],
            origin: (0.0, 8.0),
            ..Viewed::default()
        };
        let out = run(
            &mut page,
            r#"<div style="height:9px"><p>a</p></div><textarea></textarea><ul><li>b</li></ul>"#,
        );
        assert!(
            out.contains(r#"<body><template shadowrootmode="open"><i data-ec-scroll-mark="" style="position:absolute;"#)
                && out.contains("scroll-initial-target:nearest;left:0px;top:222px\"></i><slot></slot></template>"),
            "the window's mark opens <body>, relative to where positions start: {out}"
        );
        assert!(
            out.contains(r#"<div style="height:9px;position:relative" data-ec-scroll-x="4" data-ec-scroll-y="95.5"><template shadowrootmode="open"><i data-ec-scroll-mark="""#)
                && out.contains("left:4px;top:95.5px\"></i><slot></slot></template><p>a</p>"),
            "a container keeps its children, slotted, and gets the mark in a shadow root: {out}"
        );
        assert!(
            out.contains(
                r#"<ul data-ec-scroll-x="0" data-ec-scroll-y="3"><i data-ec-scroll-mark="""#
            ),
            "an element that cannot host a shadow root gets the mark as first child: {out}"
        );
        assert!(
            out.contains(r#"<textarea data-ec-scroll-x="0" data-ec-scroll-y="7"></textarea>"#),
            "a textarea cannot hold a mark: {out}"
        );
    }

    #[test]
    fn videos_show_their_frame_and_blob_sources_become_data_urls() {
        let mut page = Viewed::default();
        let out = run(
            &mut page,
            r#"<video autoplay="" src="blob:https://leads.example/live"></video><img src="blob:https://leads.example/gone">"#,
        );
        assert!(
            out.contains(r#"<video src="data:image/png;base64,BLOB" poster="data:image/jpeg;base64,FRAME"></video>"#),
            "{out}"
        );
        assert!(out.contains("<img>"), "a dead blob: URL is dropped: {out}");
        assert!(
            page.warnings
                .iter()
                .any(|w| w == "blob: source not captured: img"),
            "{:?}",
            page.warnings
        );
    }

    #[test]
    fn a_same_origin_sprite_is_copied_in_once_without_anything_that_runs() {
        let mut page = Viewed::default();
        let out = run(
            &mut page,
            r#"<svg><use href="/icons.svg#i"></use><use xlink:href="https://leads.example/icons.svg#i"></use></svg>"#,
        );
        assert!(
            out.contains(r##"<use href="#i"></use><use xlink:href="#i"></use>"##),
            "{out}"
        );
        assert_eq!(out.matches("data-ec-sprite=").count(), 1, "{out}");
        assert!(
            out.contains(r#"<symbol id="i"><image href="https://leads.example/i.png"></image></symbol></svg></body>"#),
            "copied before </body>, URLs resolved against the sprite file: {out}"
        );
        assert!(!out.contains("steal") && !out.contains("onclick"), "{out}");
    }
}
