//! The rewriter on text that real pages have and odd markup: every script the Unicode
//! standard has, `<` that opens nothing, comments and raw text that would read as markup,
//! and executable content in every place a parser would run it.

use super::tests::{input, run, FakePage};
use super::{rewrite, Field};

/// A text node starting with a multi-byte character, in the languages lead forms are
/// written in: each must be kept and must not end the pass.
const FIRST_CHARACTERS: [&str; 12] = [
    "¡Hola!",
    "¿Cómo?",
    "“Quoted”",
    "© 2026",
    "✓ Listo",
    "• item",
    "→ next",
    "😀 emoji",
    "日本語の同意",
    "موافق",
    "שלום",
    "e\u{301}\u{302} combining",
];

#[test]
fn text_that_starts_with_a_multi_byte_character_keeps_the_page_after_it_private_and_inert() {
    for first in FIRST_CHARACTERS {
        let mut page = FakePage::default();
        page.fields.insert((0, 1), input("Ana García"));
        let html = run(
            &mut page,
            &format!(
                r#"<p>{first}</p><script>steal()</script><input type="hidden" value="tok-77"><div data-ec-mask="">secreto 123</div><input name="n" onclick="x()"><b>{first}</b>"#
            ),
        );
        assert!(html.contains(&format!("<p>{first}</p>")), "{first}: {html}");
        assert!(html.contains(&format!("<b>{first}</b>")), "{first}: {html}");
        for leaked in ["steal", "tok-77", "secreto", "123", "onclick"] {
            assert!(!html.contains(leaked), "{first}: {leaked} in {html}");
        }
        assert!(
            html.contains(r#"<input name="n" value="Ana García">"#),
            "{first}: the live value after the text is written: {html}"
        );
    }
}

#[test]
fn a_less_than_sign_that_opens_no_tag_is_text_and_the_pass_goes_on() {
    let mut page = FakePage::default();
    let html = run(
        &mut page,
        r#"<p>1 <2 < 3</p><p>after</p><a title="cut>tail"#,
    );
    assert!(html.contains("<p>1 &lt;2 &lt; 3</p><p>after</p>"), "{html}");
    assert!(
        html.contains("&lt;a title=\"cut>tail"),
        "a tag cut off at the end is kept as text: {html}"
    );
}

#[test]
fn comments_and_bogus_comments_are_left_out_where_the_tokenizer_ends_them() {
    let mut page = FakePage::default();
    let html = run(
        &mut page,
        r#"<!--a--!><script>evil()</script>--><?pi <b>?><!x><p>kept</p><!-- </style> -->"#,
    );
    assert!(!html.contains("evil") && !html.contains("<!"), "{html}");
    assert!(html.contains("<p>kept</p>"), "{html}");
}

#[test]
fn raw_text_is_read_as_raw_only_where_the_parser_reads_it_so() {
    let mut page = FakePage::default();
    // A MathML <title> is not an integration point: its <style> is MathML, whose content is
    // markup, so the <img> in it is an element and loses its handler.
    let html = run(
        &mut page,
        r#"<math><title><style><img src="x" onerror="alert(1)"></style></title></math><svg><desc><style>a{b:c}</style></desc></svg>"#,
    );
    assert!(!html.contains("onerror"), "{html}");
    assert!(
        html.contains("<desc><style>a{b:c}</style></desc>"),
        "{html}"
    );
}

#[test]
fn no_attribute_value_or_raw_text_can_hold_a_tag() {
    let mut page = FakePage::default();
    page.holding_elements.push((0, 6));
    let html = run(
        &mut page,
        r#"<svg><style><a title="</style><img src=x onerror=alert(1)>"></a></style></svg><xmp>x<img src=y onerror=alert(2)></xmp><style>p{}</style>"#,
    );
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("<xmp></xmp>"), "{html}");
}

#[test]
fn script_urls_in_any_attribute_are_removed_however_they_are_written() {
    let mut page = FakePage::default();
    let html = run(
        &mut page,
        "<form action=\"JavaScript:a()\"><button formaction=\"\tjavascript:b()\">go</button></form><svg><a xlink:href=\" javascript:c()\"><set attributeName=\"href\" to=\"javascript:d()\"></set><animate values=\"#x;javascript:e()\"></animate></a></svg><math href=\"java\nscript:f()\"></math><p title=\"vbscript:g()\" data-x=\"javascript:h()\">t</p>",
    );
    for call in ["a()", "b()", "c()", "d()", "e()", "f()", "g()", "h()"] {
        assert!(!html.contains(call), "{call} in {html}");
    }
    assert!(html.contains("<button>go</button>"), "{html}");
}

#[test]
fn objects_embeds_meta_refreshes_and_disguised_scripts_are_removed() {
    let mut page = FakePage::default();
    let source = r#"<html><head onload="h()"><meta http-equiv=" REFRESH " content="0;url=x"><meta http-equiv="set-cookie" content="a=b"><meta charset="utf-8"></head><body><SCRIPT>upper()</SCRIPT><svg><SCRIPT>svg()</SCRIPT></svg><object data="x.swf"><p>fallback</p></object><embed src="y.swf"><p>end</p></body></html>"#;
    let html = rewrite(source, "https://leads.example/", &mut page).html;
    for active in [
        "h()",
        "REFRESH",
        "set-cookie",
        "upper()",
        "svg()",
        "<object",
        "</object",
        "<embed",
    ] {
        assert!(!html.contains(active), "{active} in {html}");
    }
    assert!(html.contains(r#"<meta charset="utf-8">"#), "{html}");
    assert!(html.contains("<p>fallback</p><p>end</p>"), "{html}");
}

#[test]
fn a_field_after_foreign_content_and_unicode_text_gets_its_live_value() {
    let mut page = FakePage::default();
    page.fields.insert((0, 0), input("東京"));
    page.fields
        .insert((0, 1), Field::TextArea("مرحبا <b>".into()));
    let html = run(
        &mut page,
        r#"<svg><title>✓</title><foreignObject><p>日本</p></foreignObject></svg><input><textarea>old</textarea>"#,
    );
    assert!(html.contains(r#"<input value="東京">"#), "{html}");
    assert!(
        html.contains("<textarea>مرحبا &lt;b&gt;</textarea>"),
        "{html}"
    );
}

#[test]
fn a_leading_newline_of_a_pre_survives_the_parser() {
    let mut page = FakePage::default();
    let html = run(&mut page, "<pre>\nfirst line was blank</pre><pre>x\n</pre>");
    assert!(
        html.contains("<pre>\n\nfirst line was blank</pre><pre>x\n</pre>"),
        "{html}"
    );
}

#[test]
fn a_mask_whose_raw_text_holds_elements_masks_everything_after_it() {
    let mut page = FakePage::default();
    // Elements 0-2 are <html>, <head> and <body>; 3 the <span>, 4 the <style>.
    page.holding_elements.push((0, 4));
    // A masked <style> holding a masked <span> with its own <style> (all put there by
    // script) ends at the inner </style>: the </span> after it would close the outer mask.
    let html = run(
        &mut page,
        r#"<span data-ec-mask=""><style><span data-ec-mask=""><style>a{}</style>inner-secret</span>outer-secret</style>still-secret</span><p>after-secret</p><input value="typed">"#,
    );
    for secret in [
        "inner-secret",
        "outer-secret",
        "still-secret",
        "after-secret",
        "typed",
    ] {
        assert!(!html.contains(secret), "{secret} in {html}");
    }
}

#[test]
fn a_field_the_live_page_calls_private_is_never_written_whatever_its_markup_says() {
    let mut page = FakePage::default();
    // Out of step: the page's field 0 is a card field the serialization left out.
    page.fields.insert((0, 0), Field::Private);
    page.fields.insert((0, 1), Field::Private);
    page.fields.insert((0, 2), Field::Private);
    let html = run(
        &mut page,
        r#"<input name="n" value="markup"><input type="checkbox"><textarea>default</textarea>"#,
    );
    assert!(
        html.contains(
            r#"<input name="n" value="markup"><input type="checkbox"><textarea></textarea>"#
        ),
        "{html}"
    );
    assert!(
        page.warnings.iter().all(|w| !w.contains("field")),
        "{:?}",
        page.warnings
    );
}

#[test]
fn a_typed_value_that_reads_as_a_script_url_is_left_out_with_a_warning() {
    let mut page = FakePage::default();
    page.fields.insert((0, 0), input(" JavaScript:alert(1)"));
    page.fields.insert((0, 1), input("javascript is fun"));
    let html = run(&mut page, r#"<input value="x"><input>"#);
    assert!(
        html.contains(r#"<input><input value="javascript is fun">"#),
        "{html}"
    );
    assert!(
        page.warnings.iter().any(|w| w.contains("script URL")),
        "{:?}",
        page.warnings
    );
}
