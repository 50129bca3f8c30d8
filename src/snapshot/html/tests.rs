//! Reading and writing serialized HTML: tags, escapes, comments, raw text, pixels, masks.

use super::*;

#[test]
fn a_serialized_start_tag_reads_back_into_its_name_and_attributes() {
    let src = r#"<input type="text" disabled="" value="a &quot;b&quot; &amp; c" data-x>rest"#;
    let (tag, end) = start_tag(src, 0).unwrap();
    assert_eq!(tag.name, "input");
    assert_eq!(tag.attr("TYPE"), Some("text"));
    assert_eq!(tag.attr("disabled"), Some(""));
    assert_eq!(unescape(tag.attr("value").unwrap()), r#"a "b" & c"#);
    assert_eq!(tag.attr("data-x"), Some(""));
    assert_eq!(&src[end..], "rest");
}

#[test]
fn escaping_round_trips() {
    let text = "a<b>\"c\" & d\u{a0}&amp;";
    let mut out = String::new();
    push_attr_escaped(&mut out, text);
    assert_eq!(unescape(&out), text);
}

#[test]
fn find_finds_the_first_whole_needle() {
    assert_eq!(find("a<!-<!--x-->", "<!--"), Some(4));
    assert_eq!(find("é</b", "</"), Some(2));
    assert_eq!(find("<!-", "<!--"), None);
    assert_eq!(find("", "</"), None);
}

#[test]
fn raw_css_never_opens_markup_and_reads_as_the_same_css() {
    let mut out = String::new();
    push_raw_css(
        &mut out,
        "a::after { content: \"</style><b>é<!--<?\" } @media (width < 600px) {}",
    );
    assert_eq!(
        out,
        "a::after { content: \"<\\/style><\\62 >é<\\!--<\\?\" } @media (width < 600px) {}"
    );
}

#[test]
fn markup_in_raw_text_is_found_wherever_it_is() {
    assert!(!opens_markup_anywhere("a < b && c<2 ¡<"));
    for text in ["<b", "¡</x", "x<!--", "<?", "é<Z"] {
        assert!(opens_markup_anywhere(text), "{text}");
    }
}

#[test]
fn attribute_values_cannot_end_their_attribute_or_hold_a_tag() {
    let mut out = String::new();
    push_attr_value(&mut out, "a</style><img src=x onerror=alert(1)>\"x");
    assert_eq!(
        out,
        "a&lt;/style&gt;&lt;img src=x onerror=alert(1)&gt;&quot;x"
    );
}

#[test]
fn comments_end_where_the_html_tokenizer_ends_them() {
    for (text, end) in [
        ("<!-->x", 5),
        ("<!--->x", 6),
        ("<!---->x", 7),
        ("<!--a-->x", 8),
        ("<!--a--!>x", 9),
        ("<!---!>-->x", 10),
        ("<!--é", 6),
    ] {
        assert_eq!(comment_end(text), end, "{text}");
    }
    assert_eq!(bogus_comment_end("<?xml ?>x"), 8);
}

#[test]
fn raw_text_ends_at_its_own_end_tag_only() {
    let src = "a</b></STYLE >x";
    assert_eq!(raw_text_end(src, 0, "style"), 5);
    assert_eq!(raw_text_end("no end", 0, "style"), 6);
}

#[test]
fn pixels_are_written_like_javascript_writes_them_to_a_thousandth() {
    for (px, text) in [
        (0.0, "0"),
        (120.0, "120"),
        (5.5, "5.5"),
        (-140.0, "-140"),
        (0.05, "0.05"),
        (33.333_332_061_767_58, "33.333"),
        (1e-9, "0"),
        (-1e-9, "0"),
        (2.25, "2.25"),
    ] {
        let mut out = String::new();
        push_pixels(&mut out, px);
        assert_eq!(out, text, "{px}");
    }
}

#[test]
fn masking_keeps_spaces_and_counts_entities_as_one_character() {
    let mut out = String::new();
    push_masked(&mut out, "SSN 12&amp;3&nbsp;x");
    assert_eq!(out, "••• ••••&nbsp;•");
}
