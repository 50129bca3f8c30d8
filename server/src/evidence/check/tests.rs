//! Examples of the checker: what an SDK snapshot looks like passes, every kind of
//! executable content is refused with a message that names it, wherever it hides.

use super::*;

fn page(body: &str) -> String {
    format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>{body}</body></html>")
}

fn refused(body: &str) -> Rejection {
    match check(&page(body)) {
        Err(rejection) => rejection,
        Ok(()) => panic!("accepted: {body}"),
    }
}

/// Escapes HTML for an attribute value, as a serializer writes `srcdoc`.
fn attr_escaped(html: &str) -> String {
    html.replace('&', "&amp;").replace('"', "&quot;")
}

#[test]
fn a_snapshot_as_the_sdk_writes_it_passes() {
    let inner = page(r#"<p>¡Hola! 你好 مرحبا 👋</p><a href="https://example.com/terms">Terms</a>"#);
    let body = format!(
        r##"<style>body {{ background: url("data:image/png;base64,AAAA") }}</style>
        <form action="https://example.com/submit"><label><input type="checkbox" checked
          data-ec-consent-checkbox data-ec-consent-for="tcpa">
          <span data-ec-disclosure="tcpa" title="javascript is not a URL here">Acepto</span></label>
          <input name="email" value="ana@example.com"><button data-ec-submit>Enviar</button></form>
        <img src="data:image/svg+xml,%3Csvg%3E%3C/svg%3E" alt="">
        <svg viewBox="0 0 10 10"><a href="https://example.com/"><rect width="5" height="5"/></a>
          <use href="#icon"/><animate attributeName="opacity" values="0;1"/></svg>
        <div id="host"><template shadowrootmode="open"><b>shadow ✓</b></template></div>
        <iframe sandbox="" srcdoc="{}"></iframe>
        <iframe sandbox="allow-same-origin" src="https://ads.example.net/"></iframe>
        <a href="mailto:ana@example.com">mail</a> <a href="tel:+15550100">call</a>
        <noscript><script>inert()</script></noscript>"##,
        attr_escaped(&inner)
    );
    assert_eq!(check(&page(&body)), Ok(()));
}

#[test]
fn each_kind_of_executable_content_is_refused_by_name() {
    let cases: &[(&str, Found)] = &[
        ("<script>steal()</script>", Found::Script),
        (
            "<script src=https://evil.example/x.js></script>",
            Found::Script,
        ),
        ("<svg><script>svg()</script></svg>", Found::Script),
        (
            "<img src=x onerror=steal()>",
            Found::Handler("onerror".into()),
        ),
        (
            "<svg><rect ONLOAD=x></rect></svg>",
            Found::Handler("onload".into()),
        ),
        (
            "<a href=javascript:steal()>x</a>",
            Found::ScriptUrl {
                attribute: "href".into(),
                scheme: "javascript".into(),
            },
        ),
        (
            "<form><button formaction=VBScript:x>go</button></form>",
            Found::ScriptUrl {
                attribute: "formaction".into(),
                scheme: "vbscript".into(),
            },
        ),
        (
            "<div data-next=\"javascript:go()\"></div>",
            Found::ScriptUrl {
                attribute: "data-next".into(),
                scheme: "javascript".into(),
            },
        ),
        (
            "<svg><a><animate attributeName=href values=\"https://x/;javascript:x\"/></a></svg>",
            Found::ScriptUrl {
                attribute: "values".into(),
                scheme: "javascript".into(),
            },
        ),
        (
            "<svg><set attributeName=onmouseover to=x /></svg>",
            Found::AnimatedHandler("onmouseover".into()),
        ),
        (
            "<a href=\"data:text/html,&lt;script&gt;x&lt;/script&gt;\">x</a>",
            Found::DocumentDataUrl {
                attribute: "href".into(),
            },
        ),
        (
            "<iframe sandbox src=\"data:image/svg+xml,x\"></iframe>",
            Found::DocumentDataUrl {
                attribute: "src".into(),
            },
        ),
        (
            "<meta http-equiv=REFRESH content=\"0;url=https://evil.example\">",
            Found::Refresh,
        ),
        ("<object data=x.swf></object>", Found::Plugin),
        ("<embed src=x.swf>", Found::Plugin),
        ("<applet code=X></applet>", Found::Plugin),
        (
            "<iframe src=https://evil.example/></iframe>",
            Found::UnsandboxedFrame,
        ),
        (
            "<iframe sandbox=\"allow-forms ALLOW-SCRIPTS\" srcdoc=x></iframe>",
            Found::UnsandboxedFrame,
        ),
    ];
    for (body, found) in cases {
        let rejection = refused(body);
        assert_eq!(&rejection.found, found, "{body}");
        let message = rejection.to_string();
        assert!(
            message.starts_with("the snapshot contains executable content: "),
            "{message}"
        );
        assert!(message.contains(&found.to_string()), "{message}");
    }
}

#[test]
fn script_urls_are_read_as_the_browser_reads_them() {
    for href in [
        "JaVaScRiPt:x()",
        "&#x6A;avascript:x()",
        "&#106;&#97;vascript&colon;x()",
        "java&Tab;script:x()",
        "java&NewLine;script:x()",
        " &#1;\u{1}javascript:x()",
        "\n\tjavascript:x()",
    ] {
        let rejection = refused(&format!("<a href=\"{href}\">x</a>"));
        assert!(
            matches!(rejection.found, Found::ScriptUrl { .. }),
            "{href}: {rejection:?}"
        );
    }
}

#[test]
fn executable_content_in_a_srcdoc_frame_or_a_shadow_root_is_refused_and_located() {
    let framed = page("<p>inner</p><script>framed()</script>");
    let rejection = refused(&format!(
        "<iframe sandbox srcdoc=\"{}\"></iframe>",
        attr_escaped(&framed)
    ));
    assert_eq!(rejection.found, Found::Script);
    assert_eq!(rejection.within, [Place::Srcdoc]);
    assert!(rejection.to_string().contains("inside an iframe's srcdoc"));

    let rejection = refused(
        "<div><template shadowrootmode=open><p><img src=x onerror=x()></p></template></div>",
    );
    assert_eq!(rejection.found, Found::Handler("onerror".into()));
    assert_eq!(rejection.within, [Place::Template { shadow_root: true }]);
    assert!(rejection
        .to_string()
        .contains("inside a declarative shadow root"));

    let in_shadow_in_frame =
        page("<div><template shadowrootmode=closed><a href=javascript:x>x</a></template></div>");
    let rejection = refused(&format!(
        "<iframe sandbox srcdoc=\"{}\"></iframe>",
        attr_escaped(&in_shadow_in_frame)
    ));
    assert_eq!(
        rejection.within,
        [Place::Srcdoc, Place::Template { shadow_root: true }]
    );
}

#[test]
fn frames_nest_up_to_the_limit_and_no_further() {
    let nested = |levels: usize, innermost: &str| {
        let mut html = page(innermost);
        for _ in 0..levels {
            html = page(&format!(
                "<iframe sandbox srcdoc=\"{}\"></iframe>",
                attr_escaped(&html)
            ));
        }
        html
    };
    assert_eq!(check(&nested(MAX_FRAME_DEPTH, "<p>deep</p>")), Ok(()));
    let deep_script = check(&nested(MAX_FRAME_DEPTH, "<script>x()</script>")).unwrap_err();
    assert_eq!(deep_script.found, Found::Script);
    assert_eq!(deep_script.within.len(), MAX_FRAME_DEPTH);
    let too_deep = check(&nested(MAX_FRAME_DEPTH + 1, "<p>deep</p>")).unwrap_err();
    assert_eq!(too_deep.found, Found::TooDeep);
}

#[test]
fn markup_that_only_mentions_scripts_passes() {
    let body = r#"<p>Use &lt;script&gt; and onclick="x" or javascript:void(0) in text.</p>
        <pre>&lt;meta http-equiv="refresh"&gt;</pre><!-- <script>x()</script> -->
        <textarea>&lt;/textarea&gt;&lt;script&gt;x()&lt;/script&gt;</textarea>
        <a href="https://example.com/?next=javascript:x">ok</a><div class="onward" one="1"></div>"#;
    let result = check(&page(body));
    // `one` is an attribute whose name starts with "on": the SDK drops those too.
    assert_eq!(
        result.map_err(|r| r.found),
        Err(Found::Handler("one".into()))
    );
    let without = body.replace(r#" one="1""#, "");
    assert_eq!(check(&page(&without)), Ok(()));
}
