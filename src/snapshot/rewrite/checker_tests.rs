//! The rewriter against each rule of the server's snapshot checker
//! (`server/src/evidence/check/`): what the checker refuses, the rewriter removes or
//! neutralizes, so that a capture of a real page is never refused. The end-to-end proof on
//! real pages is `tests/e2e/checker-agreement.test.mjs`.

use super::tests::{run, FakePage};

#[test]
fn data_urls_of_documents_are_dropped_where_they_would_be_opened_as_a_document() {
    let mut page = FakePage::default();
    let html = run(
        &mut page,
        concat!(
            r#"<a id="a" href="data:text/html,&lt;script&gt;x()&lt;/script&gt;">a</a>"#,
            r#"<a id="b" href=" DATA:Image/SVG+XML;base64,PHN2Zz4=">b</a>"#,
            r#"<map><area id="c" href="data:application/xhtml+xml,x"></map>"#,
            "<a id=\"d\" href=\"da\tta:text/xml,x\">d</a>",
            r#"<a id="e" href="data: application/rss+xml ,x">e</a>"#,
            r#"<form id="f" action="data:text/html,x"><button id="g" formaction="data:text/html,x">g</button></form>"#,
            r#"<svg><a id="h" xlink:href="data:image/svg+xml,x"><text>h</text></a></svg>"#,
            r#"<iframe id="i" src="data:text/html,x"></iframe>"#,
        ),
    );
    for id in ["a", "b", "c", "d", "e", "f", "g", "h", "i"] {
        let tag = html
            .split(&format!("id=\"{id}\""))
            .nth(1)
            .unwrap_or_default();
        let tag = tag.split('>').next().unwrap_or_default();
        assert!(
            !tag.contains("data:") && !tag.contains("href") && !tag.contains("action"),
            "{id}: {tag} in {html}"
        );
    }
}

#[test]
fn data_urls_that_are_not_documents_or_not_opened_as_one_are_kept() {
    let mut page = FakePage::default();
    let html = run(
        &mut page,
        concat!(
            r#"<img src="data:image/png;base64,AAAA" alt="">"#,
            r#"<a href="data:text/plain,hola">texto</a>"#,
            r#"<a href="data:,hola">nada</a>"#,
            r#"<img src="data:image/svg+xml,&lt;svg/&gt;">"#,
        ),
    );
    assert!(
        html.contains(r#"src="data:image/png;base64,AAAA""#),
        "{html}"
    );
    assert!(html.contains(r#"href="data:text/plain,hola""#), "{html}");
    assert!(html.contains(r#"href="data:,hola""#), "{html}");
    assert!(
        html.contains(r#"src="data:image/svg+xml,&lt;svg/&gt;""#),
        "{html}"
    );
}

#[test]
fn an_applet_loses_its_tag_and_keeps_its_fallback_content() {
    let mut page = FakePage::default();
    let html = run(
        &mut page,
        r#"<applet code="x.class"><param name="a" value="b"><p>Sin Java ✓</p></applet><p>después</p>"#,
    );
    assert!(!html.to_ascii_lowercase().contains("applet"), "{html}");
    assert!(html.contains("<p>Sin Java ✓</p>"), "{html}");
    assert!(html.contains("<p>después</p>"), "{html}");
}

#[test]
fn a_frameset_page_becomes_sandboxed_iframes_in_the_same_layout() {
    let mut page = FakePage::default();
    let source = concat!(
        r#"<html><head></head><frameset rows="80,*" onload="x()">"#,
        r#"<frame src="top.html" name="top">"#,
        r#"<frameset cols="25%,2*"><frame src="javascript:x()"><frame src="data:text/html,x"></frameset>"#,
        r#"</frameset></html>"#,
    );
    let html = super::rewrite(source, "https://leads.example/apply/form.html", &mut page).html;
    assert!(!html.contains("<frame"), "{html}");
    assert!(
        !html.contains("onload") && !html.contains("javascript"),
        "{html}"
    );
    assert!(!html.contains("data:text"), "{html}");
    assert_eq!(html.matches("<iframe").count(), 3, "{html}");
    assert_eq!(html.matches("</iframe>").count(), 3, "{html}");
    assert_eq!(html.matches(" sandbox=\"\"").count(), 3, "{html}");
    assert!(
        html.contains(r#"src="https://leads.example/apply/top.html""#),
        "{html}"
    );
    assert!(
        html.contains("display:grid;width:100%;height:100vh;grid-template-rows: 80px 1fr"),
        "{html}"
    );
    assert!(
        html.contains("display:grid;width:100%;height:100%;grid-template-columns: 25% 2fr"),
        "{html}"
    );
    assert!(html.ends_with("</div></div></html>"), "{html}");
}

#[test]
fn an_animation_of_an_event_handler_loses_its_target() {
    let mut page = FakePage::default();
    let html = run(
        &mut page,
        concat!(
            r#"<svg><set attributeName="onclick" to="x()"/>"#,
            r#"<animate attributename=" ONmouseover" values="x();y()"/>"#,
            r#"<animate attributeName="&nbsp;onload" to="x()"/>"#,
            r#"<set attributeName="fill" to="red"/></svg>"#,
        ),
    );
    assert!(!html.to_ascii_lowercase().contains("\"on"), "{html}");
    assert!(!html.contains("nbsp;on"), "{html}");
    assert!(
        html.contains(r#"<set attributeName="fill" to="red">"#),
        "{html}"
    );
}

#[test]
fn a_value_the_live_page_supplies_passes_the_same_script_url_gate() {
    let mut page = FakePage {
        current_src: Some(" javascript:alert(1)".to_owned()),
        ..FakePage::default()
    };
    let html = run(
        &mut page,
        r#"<img srcset="javascript:alert(1) 1x" alt="x">"#,
    );
    assert!(!html.contains("javascript"), "{html}");
    assert!(html.contains(r#"<img alt="x""#), "{html}");
}
