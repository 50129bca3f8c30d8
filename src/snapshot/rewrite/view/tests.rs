//! The view rules against a scripted page: scroll marks, video frames, `blob:` sources
//! and sprites.

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
        (url == "blob:https://leads.example/live").then(|| "data:image/png;base64,BLOB".to_owned())
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
        out.contains(r#"<ul data-ec-scroll-x="0" data-ec-scroll-y="3"><i data-ec-scroll-mark="""#),
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
        r#"<video autoplay="" src="blob:https://leads.example/live"></video><img src="blob:https://leads.example/gone"><iframe src="blob:https://leads.example/live"></iframe>"#,
    );
    assert!(
        out.contains(r#"<video src="data:image/png;base64,BLOB" poster="data:image/jpeg;base64,FRAME"></video>"#),
        "{out}"
    );
    assert!(out.contains("<img>"), "a dead blob: URL is dropped: {out}");
    assert!(
        out.contains(r#"<iframe src="blob:https://leads.example/live""#),
        "only pictures and media are copied: {out}"
    );
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
