//! References found in odd markup and CSS.

use super::*;

fn page() -> Url {
    Url::parse("https://shop.example/forms/lead.html?x=1").unwrap()
}

fn strings(urls: Vec<Url>) -> Vec<String> {
    urls.into_iter().map(String::from).collect()
}

#[test]
fn every_kind_of_html_reference_is_found_resolved_and_in_document_order() {
    let html = r##"<!doctype html><html><head>
        <link rel="stylesheet" href="/css/site.css">
        <link rel="SHORTCUT Icon" href="favicon.ico">
        <link rel="preload" as="font" href="https://cdn.example/f.woff2" crossorigin>
        <link rel="preload" as="script" href="/app.js">
        <link rel="canonical" href="/canonical">
        <style>body { background: url(  "bg.png"  ) } /* url(commented.png) */</style>
      </head><body background="paper.gif">
        <img src="a.png" srcset="a-1x.png 1x, a-2x.png 2x">
        <picture><source srcset="b.webp 100w,b-large.webp 800w" type="image/webp"><img src="b.jpg"></picture>
        <video poster="poster.jpg"></video>
        <input type="IMAGE" src="go.png"><input type="text" src="not-an-image.png">
        <div style="background-image: url('div.png'); mask: url(#m)"></div>
        <svg><image xlink:href="svg-xlink.png"/><image href="svg-href.png"/>
             <use href="#local"/><use href="sprite.svg#icon"/></svg>
        <img src="data:image/png;base64,AAAA"><img src="a.png#again">
        <script src="app.js"></script><iframe src="frame.html"></iframe>
      </body></html>"##;
    assert_eq!(
        strings(references(html, &page())),
        [
            "https://shop.example/css/site.css",
            "https://shop.example/forms/favicon.ico",
            "https://cdn.example/f.woff2",
            "https://shop.example/forms/bg.png",
            "https://shop.example/forms/paper.gif",
            "https://shop.example/forms/a.png",
            "https://shop.example/forms/a-1x.png",
            "https://shop.example/forms/a-2x.png",
            "https://shop.example/forms/b.webp",
            "https://shop.example/forms/b-large.webp",
            "https://shop.example/forms/b.jpg",
            "https://shop.example/forms/poster.jpg",
            "https://shop.example/forms/go.png",
            "https://shop.example/forms/div.png",
            "https://shop.example/forms/svg-xlink.png",
            "https://shop.example/forms/svg-href.png",
            "https://shop.example/forms/sprite.svg",
        ]
    );
}

#[test]
fn the_first_base_href_is_the_base_of_every_reference_and_itself_relative_to_the_page() {
    let html = r##"<html><head><base href="/static/v2/"><base href="https://ignored.example/">
        </head><body><img src="logo.png"><img src="../up.png"><img src="//cdn.example/x.png">
        <div style="background:url(bg.png)"></div></body></html>"##;
    assert_eq!(
        strings(references(html, &page())),
        [
            "https://shop.example/static/v2/logo.png",
            "https://shop.example/static/up.png",
            "https://cdn.example/x.png",
            "https://shop.example/static/v2/bg.png",
        ]
    );
    let javascript_base = r##"<base href="javascript:alert(1)"><img src="a.png">"##;
    assert_eq!(
        strings(references(javascript_base, &page())),
        ["https://shop.example/forms/a.png"]
    );
}

#[test]
fn srcset_candidates_keep_commas_inside_urls_and_skip_descriptors() {
    assert_eq!(
        srcset_urls("a.jpg?w=1,2 2x, b.jpg 3x"),
        ["a.jpg?w=1,2", "b.jpg"]
    );
    assert_eq!(srcset_urls("a.jpg,b.jpg"), ["a.jpg,b.jpg"]);
    assert_eq!(srcset_urls("a.jpg, b.jpg"), ["a.jpg", "b.jpg"]);
    assert_eq!(
        srcset_urls(" \n a.jpg\t100w,\n\nb.jpg 200w ,, "),
        ["a.jpg", "b.jpg"]
    );
    assert_eq!(
        srcset_urls("a.jpg (max-width: 1,2) 1x, b.jpg"),
        ["a.jpg", "b.jpg"]
    );
    assert_eq!(srcset_urls("ünï.png 1x,é.png"), ["ünï.png", "é.png"]);
    assert!(srcset_urls(" , ").is_empty());
}

#[test]
fn non_ascii_and_escaped_urls_resolve_as_a_browser_would() {
    let html = r##"<img src="bilder/grüße.png?q=ä"><img src=" spaced.png ">
        <img src="a&amp;b.png"><div style="background: url(sp\ ace.png)"></div>"##;
    assert_eq!(
        strings(references(html, &page())),
        [
            "https://shop.example/forms/bilder/gr%C3%BC%C3%9Fe.png?q=%C3%A4",
            "https://shop.example/forms/spaced.png",
            "https://shop.example/forms/a&b.png",
            "https://shop.example/forms/sp%20ace.png",
        ]
    );
}

#[test]
fn css_urls_come_from_tokens_not_text_quotes_escapes_and_comments_included() {
    let css = r##"
        @charset "utf-8";
        @import "base.css";
        @import url(print.css) print;
        @IMPORT 'theme.css' layer(theme);
        @namespace svg url(http://www.w3.org/2000/svg);
        /* @import "commented.css"; background: url(commented.png) */
        @font-face { font-family: X; src: url("fonts/x.woff2") format("woff2"),
                     url(fonts/x.woff) format('woff'); }
        .a { background: URL( 'img/a\).png' ) no-repeat; content: "url(not-a-url.png)"; }
        .b { background-image: image-set("b.png" 1x, url(b@2x.png) 2x, "b.avif" type("image/avif")); }
        .c { cursor: url(c.cur), auto; mask: url(#mask); }
        @media (min-width: 600px) { .d { background: url(d.png) } }
        .e { background: url(data:image/png;base64,AAAA) }
        .f { background: url("\66 .png") }
    "##;
    let base = Url::parse("https://cdn.example/css/site.css").unwrap();
    assert_eq!(
        strings(css_references(css, &base)),
        [
            "https://cdn.example/css/base.css",
            "https://cdn.example/css/print.css",
            "https://cdn.example/css/theme.css",
            "https://cdn.example/css/fonts/x.woff2",
            "https://cdn.example/css/fonts/x.woff",
            "https://cdn.example/css/img/a).png",
            "https://cdn.example/css/b.png",
            "https://cdn.example/css/b@2x.png",
            "https://cdn.example/css/b.avif",
            "https://cdn.example/css/c.cur",
            "https://cdn.example/css/d.png",
            "https://cdn.example/css/f.png",
        ]
    );
}

#[test]
fn broken_css_yields_what_can_be_read_and_never_panics() {
    let base = Url::parse("https://cdn.example/").unwrap();
    for css in [
        "",
        "url(",
        "@import",
        "a { background: url(x.png",
        "}}}{{{",
        "url(a b)",
        "\"unterminated",
    ] {
        let _ = css_references(css, &base);
    }
    assert_eq!(
        strings(css_references("a { background: url(x.png", &base)),
        ["https://cdn.example/x.png"]
    );
}

#[test]
fn what_an_inlined_frame_references_is_found_against_its_parents_base() {
    // The SDK inlines a same-origin frame's document as `srcdoc`; its images count too,
    // frames inside frames as well, each URL once.
    let inner = r#"<img src="deeper.png">"#.replace('"', "&quot;");
    let frame = format!(
        r#"<p>framed</p><img src="assets/pic.svg"><img src="top.png"><iframe srcdoc="{inner}"></iframe>"#
    )
    .replace('&', "&amp;")
    .replace('"', "&quot;");
    let html = format!(r#"<img src="top.png"><iframe srcdoc="{frame}"></iframe>"#);
    assert_eq!(
        strings(references(&html, &page())),
        [
            "https://shop.example/forms/top.png",
            "https://shop.example/forms/assets/pic.svg",
            "https://shop.example/forms/deeper.png",
        ]
    );
}
