//! Derives each disclosure's consent mechanism from the captured DOM.
//!
//! Owns the rules of SPEC "Consent facts derived on the server". The checkbox state and the
//! binding between checkbox and disclosure are read from the snapshot's HTML (the SDK writes
//! live form state into attributes), not from the SDK's own summary. What the DOM cannot
//! show — whether the event was trusted, what was in the viewport — comes from the capture's
//! trigger and the client's visibility measurements, and a DOM that hides the disclosure
//! overrides a client that claims it was visible. Pure: no I/O.
//!
//! The rules, first match wins:
//! 1. a bound checkbox exists and any bound checkbox is not checked → `unchecked`;
//! 2. no trusted trigger event → `not_detected`;
//! 3. the disclosure was not visible (not rendered, outside the viewport, transparent, or
//!    hidden in the DOM) → `not_detected`;
//! 4. a bound checkbox exists (all checked) → `checkbox`;
//! 5. the trigger is a `data-ec-submit` control → `click_through`;
//! 6. otherwise → `not_detected`.
//!
//! A checkbox is bound to the disclosure named by its `data-ec-consent-for`; one without
//! that attribute is bound to the page's only disclosure when there is exactly one.

use expressconsent_protocol::{ConsentMechanism, Disclosure, DisclosureFacts};
use scraper::{ElementRef, Html, Selector};

use crate::evidence::StoredCapture;

/// The state of one tagged checkbox as the snapshot shows it.
struct CheckboxState {
    consent_for: Option<String>,
    checked: bool,
}

/// The captured disclosures with the mechanism derived for each, in document order. A
/// disclosure the SDK measured but the snapshot lacks (e.g. inside a shadow root the parser
/// does not enter) is kept, judged by the client's measurements alone.
pub fn derive(capture: &StoredCapture) -> Vec<DisclosureFacts> {
    let dom = Html::parse_document(&capture.snapshot.html);
    let disclosure_sel = Selector::parse("[data-ec-disclosure]").expect("static selector");
    let checkbox_sel = Selector::parse("[data-ec-consent-checkbox]").expect("static selector");

    let dom_disclosures: Vec<ElementRef> = dom.select(&disclosure_sel).collect();
    let checkboxes: Vec<CheckboxState> = dom.select(&checkbox_sel).map(checkbox_state).collect();
    let only_one = capture.disclosures.len() == 1;
    let trusted = capture.trigger.as_ref().is_some_and(|t| t.is_trusted);
    let tagged_submit = capture
        .trigger
        .as_ref()
        .is_some_and(|t| t.is_trusted && t.is_tagged_submit);

    capture
        .disclosures
        .iter()
        .enumerate()
        .map(|(index, captured)| {
            let element = dom_element(&dom_disclosures, &captured.id, index);
            let bound: Vec<&CheckboxState> = checkboxes
                .iter()
                .filter(|c| match &c.consent_for {
                    Some(target) => *target == captured.id,
                    None => only_one,
                })
                .collect();
            let visible = client_saw_it(captured) && !element.is_some_and(hidden_in_dom);
            DisclosureFacts {
                captured: captured.clone(),
                consent_mechanism: decide(&bound, trusted, visible, tagged_submit),
            }
        })
        .collect()
}

fn decide(
    bound: &[&CheckboxState],
    trusted: bool,
    visible: bool,
    tagged_submit: bool,
) -> ConsentMechanism {
    if bound.iter().any(|c| !c.checked) {
        ConsentMechanism::Unchecked
    } else if !trusted || !visible {
        ConsentMechanism::NotDetected
    } else if !bound.is_empty() {
        ConsentMechanism::Checkbox
    } else if tagged_submit {
        ConsentMechanism::ClickThrough
    } else {
        ConsentMechanism::NotDetected
    }
}

/// The snapshot's element of a disclosure: by id, else by position for an untagged one.
fn dom_element<'a>(all: &[ElementRef<'a>], id: &str, index: usize) -> Option<ElementRef<'a>> {
    let id_of = |e: &ElementRef| {
        e.value()
            .attr("data-ec-disclosure")
            .unwrap_or("")
            .to_owned()
    };
    if id.is_empty() {
        all.get(index).copied().filter(|e| id_of(e).is_empty())
    } else {
        all.iter().copied().find(|e| id_of(e) == id)
    }
}

fn client_saw_it(d: &Disclosure) -> bool {
    d.rendered && d.in_viewport && d.opacity > 0.0
}

/// `hidden`, or an inline style that hides it, on the element or an ancestor.
fn hidden_in_dom(element: ElementRef) -> bool {
    std::iter::once(element)
        .chain(element.ancestors().filter_map(ElementRef::wrap))
        .any(|e| {
            let el = e.value();
            el.attr("hidden").is_some() || el.attr("style").is_some_and(style_hides)
        })
}

fn style_hides(style: &str) -> bool {
    let compact: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    compact.split(';').any(|decl| {
        matches!(
            decl.trim_end_matches("!important"),
            "display:none" | "visibility:hidden" | "opacity:0" | "opacity:0.0"
        )
    })
}

/// A native checkbox reads its `checked` attribute (the SDK writes live state there); a
/// custom widget its `aria-checked`; a tagged wrapper (e.g. a label) the checkbox inside it.
fn checkbox_state(element: ElementRef) -> CheckboxState {
    let consent_for = element
        .value()
        .attr("data-ec-consent-for")
        .map(str::to_string);
    let checked = if is_native_checkbox(element) {
        element.value().attr("checked").is_some()
    } else if let Some(aria) = element.value().attr("aria-checked") {
        aria == "true"
    } else {
        let inner = Selector::parse("input[type=checkbox]").expect("static selector");
        element
            .select(&inner)
            .next()
            .is_some_and(|input| input.value().attr("checked").is_some())
    };
    CheckboxState {
        consent_for,
        checked,
    }
}

fn is_native_checkbox(element: ElementRef) -> bool {
    let el = element.value();
    el.name() == "input"
        && el
            .attr("type")
            .is_some_and(|t| t.eq_ignore_ascii_case("checkbox"))
}

#[cfg(test)]
mod tests {
    use expressconsent_protocol::{ConsentCheckbox, Snapshot, Trigger};

    use super::*;
    use ConsentMechanism::*;

    fn visible(id: &str) -> Disclosure {
        Disclosure {
            id: id.into(),
            text: "I agree to be called.".into(),
            rendered: true,
            in_viewport: true,
            opacity: 1.0,
            font_size_px: 14.0,
            contrast_ratio: Some(7.0),
        }
    }

    fn submit(is_trusted: bool, is_tagged_submit: bool) -> Option<Trigger> {
        Some(Trigger {
            tag_name: "button".into(),
            event_type: "click".into(),
            is_trusted,
            is_tagged_submit,
            ..Trigger::default()
        })
    }

    fn capture(
        body: &str,
        disclosures: Vec<Disclosure>,
        trigger: Option<Trigger>,
    ) -> StoredCapture {
        StoredCapture {
            snapshot: Snapshot {
                html: format!("<!DOCTYPE html><html><head></head><body>{body}</body></html>"),
                ..Snapshot::default()
            },
            disclosures,
            trigger,
            ..StoredCapture::default()
        }
    }

    fn mechanisms(capture: &StoredCapture) -> Vec<(String, ConsentMechanism)> {
        derive(capture)
            .into_iter()
            .map(|d| (d.captured.id, d.consent_mechanism))
            .collect()
    }

    const CHECKED: &str = r#"<label><input type="checkbox" checked data-ec-consent-checkbox data-ec-consent-for="tcpa">
        <span data-ec-disclosure="tcpa">I agree</span></label><button data-ec-submit>Go</button>"#;
    const UNCHECKED: &str = r#"<label><input type="checkbox" data-ec-consent-checkbox data-ec-consent-for="tcpa">
        <span data-ec-disclosure="tcpa">I agree</span></label><button data-ec-submit>Go</button>"#;
    const NO_BOX: &str =
        r#"<p data-ec-disclosure="tcpa">By clicking I agree</p><button data-ec-submit>Go</button>"#;

    #[test]
    fn a_checked_bound_box_at_a_trusted_submit_is_checkbox_consent() {
        let c = capture(CHECKED, vec![visible("tcpa")], submit(true, true));
        assert_eq!(mechanisms(&c), [("tcpa".into(), Checkbox)]);
    }

    #[test]
    fn an_unticked_bound_box_is_unchecked_even_at_a_trusted_submit() {
        let c = capture(UNCHECKED, vec![visible("tcpa")], submit(true, true));
        assert_eq!(mechanisms(&c), [("tcpa".into(), Unchecked)]);
    }

    #[test]
    fn the_box_state_comes_from_the_captured_dom_not_from_the_client_summary() {
        let mut c = capture(UNCHECKED, vec![visible("tcpa")], submit(true, true));
        c.consent_checkboxes = vec![ConsentCheckbox {
            consent_for: Some("tcpa".into()),
            checked: true,
        }];
        assert_eq!(mechanisms(&c), [("tcpa".into(), Unchecked)]);
    }

    #[test]
    fn a_tagged_submit_pressed_by_the_consumer_without_a_box_is_click_through() {
        let c = capture(NO_BOX, vec![visible("tcpa")], submit(true, true));
        assert_eq!(mechanisms(&c), [("tcpa".into(), ClickThrough)]);
    }

    #[test]
    fn a_submit_dispatched_by_script_is_not_detected() {
        for body in [CHECKED, NO_BOX] {
            let c = capture(body, vec![visible("tcpa")], submit(false, true));
            assert_eq!(mechanisms(&c), [("tcpa".into(), NotDetected)], "{body}");
        }
        let no_trigger = capture(CHECKED, vec![visible("tcpa")], None);
        assert_eq!(mechanisms(&no_trigger), [("tcpa".into(), NotDetected)]);
    }

    #[test]
    fn a_trusted_press_of_an_untagged_control_without_a_box_is_not_detected() {
        let c = capture(NO_BOX, vec![visible("tcpa")], submit(true, false));
        assert_eq!(mechanisms(&c), [("tcpa".into(), NotDetected)]);
    }

    #[test]
    fn a_disclosure_the_consumer_could_not_see_is_not_detected() {
        let offscreen = Disclosure {
            in_viewport: false,
            ..visible("tcpa")
        };
        let transparent = Disclosure {
            opacity: 0.0,
            ..visible("tcpa")
        };
        let unrendered = Disclosure {
            rendered: false,
            ..visible("tcpa")
        };
        for d in [offscreen, transparent, unrendered] {
            let c = capture(CHECKED, vec![d.clone()], submit(true, true));
            assert_eq!(mechanisms(&c), [("tcpa".into(), NotDetected)], "{d:?}");
        }
    }

    #[test]
    fn a_dom_that_hides_the_disclosure_overrides_a_client_that_claims_it_was_visible() {
        let hidden_parent = format!(r#"<div style="display: none">{NO_BOX}</div>"#);
        let hidden_attr =
            r#"<p hidden data-ec-disclosure="tcpa">x</p><button data-ec-submit>Go</button>"#;
        for body in [hidden_parent.as_str(), hidden_attr] {
            let c = capture(body, vec![visible("tcpa")], submit(true, true));
            assert_eq!(mechanisms(&c), [("tcpa".into(), NotDetected)], "{body}");
        }
    }

    #[test]
    fn each_box_binds_to_its_own_disclosure() {
        let body = r#"<input type="checkbox" checked data-ec-consent-checkbox data-ec-consent-for="calls">
            <p data-ec-disclosure="calls">Calls</p>
            <input type="checkbox" data-ec-consent-checkbox data-ec-consent-for="partners">
            <p data-ec-disclosure="partners">Partners</p>
            <p data-ec-disclosure="terms">Terms</p><button data-ec-submit>Go</button>"#;
        let c = capture(
            body,
            vec![visible("calls"), visible("partners"), visible("terms")],
            submit(true, true),
        );
        assert_eq!(
            mechanisms(&c),
            [
                ("calls".into(), Checkbox),
                ("partners".into(), Unchecked),
                ("terms".into(), ClickThrough)
            ]
        );
    }

    #[test]
    fn an_unbound_box_belongs_to_the_only_disclosure_and_custom_widgets_use_aria_checked() {
        let body = r#"<div role="checkbox" aria-checked="true" data-ec-consent-checkbox></div>
            <p data-ec-disclosure>I agree</p><button data-ec-submit>Go</button>"#;
        let c = capture(body, vec![visible("")], submit(true, true));
        assert_eq!(mechanisms(&c), [(String::new(), Checkbox)]);
        let unticked = body.replace(r#"aria-checked="true""#, r#"aria-checked="false""#);
        let c = capture(&unticked, vec![visible("")], submit(true, true));
        assert_eq!(mechanisms(&c), [(String::new(), Unchecked)]);
    }
}
