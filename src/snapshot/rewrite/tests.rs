//! The rewriter against a scripted page: what each kind of element becomes.

use std::collections::HashMap;

use super::{rewrite, Canvas, Field, LinkSheet, Page};

/// A page whose answers are set per test; unset answers are "nothing special".
#[derive(Default)]
pub(super) struct FakePage {
    pub(super) roots: HashMap<(usize, usize), usize>,
    pub(super) scrolls: HashMap<(usize, usize), (f64, f64)>,
    pub(super) fields: HashMap<(usize, usize), Field>,
    pub(super) styles: HashMap<(usize, usize), String>,
    pub(super) links: HashMap<(usize, usize), String>,
    pub(super) adopted: HashMap<usize, String>,
    pub(super) counts: HashMap<usize, usize>,
    /// Raw-text elements that hold elements a script put in them.
    pub(super) holding_elements: Vec<(usize, usize)>,
    pub(super) asked_fields: Vec<(usize, usize)>,
    pub(super) warnings: Vec<String>,
    /// What the live page says an `<img srcset>` shows, when not the usual chosen image.
    pub(super) current_src: Option<String>,
}

impl Page for FakePage {
    fn shadow_root(&mut self, tree: usize, index: usize) -> Option<usize> {
        self.roots.get(&(tree, index)).copied()
    }
    fn scroll(&mut self, tree: usize, index: usize) -> Option<(f64, f64)> {
        self.scrolls.get(&(tree, index)).copied()
    }
    fn field(&mut self, tree: usize, nth: usize) -> Field {
        self.asked_fields.push((tree, nth));
        self.fields
            .get(&(tree, nth))
            .cloned()
            .unwrap_or(Field::Other)
    }
    fn style(&mut self, tree: usize, nth: usize) -> Option<String> {
        self.styles.get(&(tree, nth)).cloned()
    }
    fn link_sheet(&mut self, tree: usize, nth: usize) -> LinkSheet {
        self.links
            .get(&(tree, nth))
            .cloned()
            .map_or(LinkSheet::Keep, LinkSheet::Inline)
    }
    fn current_src(&mut self, _: usize, _: usize) -> Option<String> {
        let chosen = "https://leads.example/apply/chosen.png";
        Some(
            self.current_src
                .clone()
                .unwrap_or_else(|| chosen.to_owned()),
        )
    }
    fn canvas(&mut self, _: usize, _: usize) -> Option<Canvas> {
        Some(Canvas {
            pixels: Some("data:image/png;base64,AAAA".to_owned()),
            width: "10px".to_owned(),
            height: "5px".to_owned(),
            inline: true,
        })
    }
    fn iframe(&mut self, _: usize, _: usize) -> Option<String> {
        Some("<html><body><b class=\"x\">framed & safe</b></body></html>".to_owned())
    }
    fn adopted(&mut self, tree: usize) -> Option<String> {
        self.adopted.get(&tree).cloned()
    }
    fn is_whole_text(&mut self, tree: usize, index: usize, _: &str) -> bool {
        !self.holding_elements.contains(&(tree, index))
    }
    fn element_count(&self, tree: usize) -> usize {
        self.counts.get(&tree).copied().unwrap_or(usize::MAX)
    }
    fn warn(&mut self, warning: String) {
        self.warnings.push(warning);
    }
}

const BASE: &str = "https://leads.example/apply/form.html";

pub(super) fn input(value: &str) -> Field {
    Field::Input {
        kind: "text".into(),
        value: value.into(),
        checked: false,
    }
}

pub(super) fn run(page: &mut FakePage, body: &str) -> String {
    let source = format!("<html><head></head><body>{body}</body></html>");
    rewrite(&source, BASE, page).html
}

#[test]
fn live_values_replace_the_markup_values_of_fields() {
    let mut page = FakePage::default();
    page.fields.insert((0, 0), input("Jane \"J\" <Doe>"));
    page.fields.insert((0, 1), Field::TextArea("\nline".into()));
    page.fields.insert((0, 3), Field::Option(false));
    page.fields.insert((0, 4), Field::Option(true));
    page.fields.insert(
        (0, 5),
        Field::Input {
            kind: "checkbox".into(),
            value: "on".into(),
            checked: true,
        },
    );
    let html = run(
        &mut page,
        r#"<input name="n" value="initial"><textarea>old</textarea><select><option selected="">A</option><option>B</option></select><input type="checkbox">"#,
    );
    assert!(
        html.contains(r#"<input name="n" value="Jane &quot;J&quot; &lt;Doe&gt;">"#),
        "{html}"
    );
    assert!(html.contains("<textarea>\n\nline</textarea>"), "{html}");
    assert!(
        html.contains("<option>A</option><option selected=\"\">B</option>"),
        "{html}"
    );
    assert!(
        html.contains(r#"<input type="checkbox" checked="">"#),
        "{html}"
    );
}

#[test]
fn private_fields_are_never_read_and_lose_their_markup_values() {
    let mut page = FakePage::default();
    for nth in 0..8 {
        page.fields.insert((0, nth), input("LIVE-SECRET"));
    }
    let html = run(
        &mut page,
        r#"<input type="password" value="p"><input type="HIDDEN" value="h"><input autocomplete="billing cc-number" value="c"><div data-ec-mask=""><input value="m"><textarea>t</textarea>Card 4111</div><select autocomplete="cc-exp-month"><option selected="">01</option></select>"#,
    );
    assert!(
        !html.contains("LIVE-SECRET") && !html.contains("value="),
        "{html}"
    );
    assert!(
        !html.contains(">t<") && !html.contains("4111") && html.contains("•••• ••••"),
        "{html}"
    );
    assert!(!html.contains("selected"), "{html}");
    assert!(
        page.asked_fields.is_empty(),
        "no private live value was read: {:?}",
        page.asked_fields
    );
}

#[test]
fn a_live_field_that_turned_secret_keeps_its_value() {
    let mut page = FakePage::default();
    page.fields.insert(
        (0, 0),
        Field::Input {
            kind: "password".into(),
            value: "hunter2".into(),
            checked: false,
        },
    );
    let html = run(&mut page, r#"<input value="shown">"#);
    assert!(
        !html.contains("hunter2") && !html.contains("shown"),
        "{html}"
    );
}

#[test]
fn shadow_roots_are_their_own_trees_and_masks_reach_into_them() {
    let mut page = FakePage::default();
    // Element 0 is <html>, 1 <head>, 2 <body>, 3 the host.
    page.roots.insert((0, 3), 1);
    page.fields.insert((0, 0), input("light"));
    page.fields.insert((1, 0), input("shadow"));
    page.adopted.insert(1, ":host{color:red}".into());
    page.counts.insert(0, 6);
    page.counts.insert(1, 2);
    let html = run(
        &mut page,
        r#"<x-card><template shadowrootmode="open"><p>in</p><input></template><span>slotted</span></x-card><input>"#,
    );
    assert!(
        html.contains(r#"<x-card><template shadowrootmode="open"><p>in</p><input value="shadow"><style data-ec-adopted="">:host{color:red}</style></template><span>slotted</span></x-card><input value="light">"#),
        "{html}"
    );
    assert!(page.warnings.is_empty(), "{:?}", page.warnings);

    let mut masked = FakePage::default();
    masked.roots.insert((0, 3), 1);
    masked.fields.insert((1, 0), input("shadow-secret"));
    let html = run(
        &mut masked,
        r#"<x-card data-ec-mask=""><template shadowrootmode="open">Name <input></template></x-card>"#,
    );
    assert!(
        !html.contains("shadow-secret") && html.contains("•••• <input>"),
        "{html}"
    );
}

#[test]
fn a_template_that_is_not_a_shadow_root_is_dropped_and_not_counted() {
    let mut page = FakePage::default();
    page.fields.insert((0, 0), input("after"));
    page.counts.insert(0, 5);
    let html = run(
        &mut page,
        r#"<template shadowrootmode="open"><input value="x"><b>t</b></template><input>"#,
    );
    assert!(
        html.ends_with(r#"<body><input value="after"></body></html>"#),
        "{html}"
    );
    assert!(page.warnings.is_empty(), "{:?}", page.warnings);
}

#[test]
fn scripts_handlers_script_urls_and_refreshes_are_removed() {
    let mut page = FakePage::default();
    let html = run(
        &mut page,
        r#"<script>steal()</script><noscript><b>no</b></noscript><meta http-equiv="Refresh" content="0;url=x"><a href=" java	script:alert(1)" onclick="x()" ONMOUSEOVER="y()">l</a><svg><script>svg()</script><a xlink:href="javascript:z()"></a></svg><iframe srcdoc="&lt;script&gt;framed()&lt;/script&gt;"></iframe>"#,
    );
    for active in [
        "steal",
        "<noscript",
        "Refresh",
        "alert",
        "x()",
        "y()",
        "svg()",
        "z()",
        "framed()",
    ] {
        assert!(!html.contains(active), "{active} in {html}");
    }
    assert!(html.contains(r#"<iframe srcdoc="&lt;html&gt;&lt;body&gt;&lt;b class=&quot;x&quot;&gt;framed &amp; safe&lt;/b&gt;&lt;/body&gt;&lt;/html&gt;" sandbox="">"#), "{html}");
}

#[test]
fn urls_become_absolute_and_a_base_leads_the_head() {
    let mut page = FakePage::default();
    let html = run(
        &mut page,
        r##"<img src="a.png" srcset="a.png 1x, /b.png 2x"><a href="#top">t</a><div style="background: url('../bg.png')"></div><svg><use href="#icon"></use></svg>"##,
    );
    assert!(
        html.starts_with(
            r#"<html><head><base href="https://leads.example/apply/form.html"></head>"#
        ),
        "{html}"
    );
    assert!(html.contains(r#"<img src="https://leads.example/apply/chosen.png" data-ec-srcset="https://leads.example/apply/a.png 1x, https://leads.example/b.png 2x">"#), "{html}");
    assert!(
        html.contains(r##"<a href="#top">"##) && html.contains(r##"<use href="#icon">"##),
        "{html}"
    );
    assert!(
        html.contains(r#"style="background: url(&quot;https://leads.example/bg.png&quot;)""#),
        "{html}"
    );
}

#[test]
fn style_sheets_come_from_the_cssom_and_adopted_sheets_come_last() {
    let mut page = FakePage::default();
    page.styles.insert((0, 0), ".css-1 { color: red; }".into());
    page.links.insert((0, 0), "p { margin: 0 }</style>".into());
    page.adopted.insert(0, "b { color: blue }".into());
    let source = r#"<html><head><style></style><link rel="stylesheet" href="/s.css" media="screen"><link rel="icon" href="i.png"></head><body><p>x</p></body></html>"#;
    let html = rewrite(source, BASE, &mut page).html;
    assert!(
        html.contains("<style>.css-1 { color: red; }</style>"),
        "{html}"
    );
    assert!(
        html.contains(r#"<style media="screen" data-ec-href="https://leads.example/s.css">p { margin: 0 }<\/style></style>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<link rel="icon" href="https://leads.example/apply/i.png">"#),
        "{html}"
    );
    assert!(
        html.ends_with(
            r#"<p>x</p><style data-ec-adopted="">b { color: blue }</style></body></html>"#
        ),
        "{html}"
    );
}

#[test]
fn canvases_show_their_pixels_and_scroll_offsets_are_recorded() {
    let mut page = FakePage::default();
    page.scrolls.insert((0, 0), (0.0, 120.0));
    page.scrolls.insert((0, 5), (5.5, 0.0));
    let source = r#"<html><head></head><body><canvas width="10" height="10" style="border:1px solid">Fallback <b>text</b></canvas><div></div></body></html>"#;
    let out = rewrite(source, BASE, &mut page);
    assert!(
        out.html
            .starts_with(r#"<html data-ec-scroll-x="0" data-ec-scroll-y="120">"#),
        "{}",
        out.html
    );
    assert!(
        out.html.contains(r#"<canvas width="10" height="10" style="border:1px solid;width:10px;height:5px;display:inline-block"><img alt="" style="display:block;width:100%;height:100%" src="data:image/png;base64,AAAA"></canvas>"#),
        "{}",
        out.html
    );
    assert!(
        out.html
            .contains(r#"<div data-ec-scroll-x="5.5" data-ec-scroll-y="0">"#),
        "{}",
        out.html
    );
    assert_eq!(out.scrolls, vec![(0.0, 120.0), (5.5, 0.0)]);
}

#[test]
fn a_page_out_of_step_with_its_text_is_reported() {
    let mut page = FakePage::default();
    page.counts.insert(0, 99);
    run(&mut page, "<p></p>");
    assert_eq!(page.warnings.len(), 1, "{:?}", page.warnings);
}
