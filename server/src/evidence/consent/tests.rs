//! The consent rules on example pages: the server believes the markup, not the SDK.

use expressconsent_protocol::{ConsentCheckbox, Trigger};

use super::*;
use ConsentMechanism::*;

fn visible(id: &str, text: &str) -> Disclosure {
    Disclosure {
        id: id.into(),
        text: text.into(),
        rendered: true,
        in_viewport: true,
        opacity: 1.0,
        font_size_px: 14.0,
        contrast_ratio: Some(7.0),
    }
}

fn press(selector: &str, is_trusted: bool) -> Trigger {
    Trigger {
        tag_name: "button".into(),
        selector: selector.into(),
        event_type: "click".into(),
        is_trusted,
        is_tagged_submit: true,
        ..Trigger::default()
    }
}

fn facts(
    body: &str,
    disclosures: &[Disclosure],
    checkboxes: &[ConsentCheckbox],
    trigger: Option<&Trigger>,
) -> ConsentFacts {
    let html = format!("<!DOCTYPE html><html><head></head><body>{body}</body></html>");
    let telemetry = Telemetry::default();
    let claims = Claims {
        disclosures,
        consent_checkboxes: checkboxes,
        trigger,
        telemetry: &telemetry,
    };
    derive(&Html::parse_document(&html), &claims)
}

fn mechanisms(facts: &ConsentFacts) -> Vec<(String, ConsentMechanism)> {
    facts
        .disclosures
        .iter()
        .map(|d| (d.captured.id.clone(), d.consent_mechanism))
        .collect()
}

fn kinds(facts: &ConsentFacts) -> Vec<DiscrepancyKind> {
    facts.discrepancies.iter().map(|d| d.kind).collect()
}

const AGREE: &str = "I agree";
const CHECKED: &str = r#"<form><label><input type="checkbox" checked data-ec-consent-checkbox data-ec-consent-for="tcpa">
    <span data-ec-disclosure="tcpa">I agree</span></label><button data-ec-submit>Go</button></form>"#;
const UNCHECKED: &str = r#"<form><label><input type="checkbox" data-ec-consent-checkbox data-ec-consent-for="tcpa">
    <span data-ec-disclosure="tcpa">I agree</span></label><button data-ec-submit>Go</button></form>"#;
const NO_BOX: &str =
    r#"<form><p data-ec-disclosure="tcpa">I agree</p><button data-ec-submit>Go</button></form>"#;
const BUTTON: &str = "html > body > form > button";

#[test]
fn a_checked_bound_box_at_a_trusted_submit_is_checkbox_consent() {
    let f = facts(
        CHECKED,
        &[visible("tcpa", AGREE)],
        &[],
        Some(&press(BUTTON, true)),
    );
    assert_eq!(mechanisms(&f), [("tcpa".into(), Checkbox)]);
    let trigger = f.trigger.unwrap();
    assert!(trigger.in_snapshot && trigger.submit_control);
}

#[test]
fn a_box_claimed_checked_but_unchecked_in_the_markup_is_unchecked_and_noted() {
    let claimed = [ConsentCheckbox {
        consent_for: Some("tcpa".into()),
        checked: true,
    }];
    let f = facts(
        UNCHECKED,
        &[visible("tcpa", AGREE)],
        &claimed,
        Some(&press(BUTTON, true)),
    );
    assert_eq!(mechanisms(&f), [("tcpa".into(), Unchecked)]);
    assert!(
        !f.consent_checkboxes[0].checked,
        "the markup's state is listed"
    );
    assert_eq!(kinds(&f), [DiscrepancyKind::CheckboxStateDiffers]);
}

#[test]
fn a_tagged_submit_pressed_by_the_consumer_without_a_box_is_click_through() {
    let f = facts(
        NO_BOX,
        &[visible("tcpa", AGREE)],
        &[],
        Some(&press(BUTTON, true)),
    );
    assert_eq!(mechanisms(&f), [("tcpa".into(), ClickThrough)]);
    assert!(f.discrepancies.is_empty(), "{:?}", f.discrepancies);
}

#[test]
fn a_submit_dispatched_by_script_or_no_trigger_is_not_detected() {
    for body in [CHECKED, NO_BOX] {
        let f = facts(
            body,
            &[visible("tcpa", AGREE)],
            &[],
            Some(&press(BUTTON, false)),
        );
        assert_eq!(mechanisms(&f), [("tcpa".into(), NotDetected)], "{body}");
    }
    let f = facts(CHECKED, &[visible("tcpa", AGREE)], &[], None);
    assert_eq!(mechanisms(&f), [("tcpa".into(), NotDetected)]);
}

#[test]
fn a_trusted_trigger_that_is_not_in_the_snapshot_is_not_detected() {
    for selector in ["", "html > body > main > button", "!!not a selector"] {
        for body in [CHECKED, NO_BOX] {
            let f = facts(
                body,
                &[visible("tcpa", AGREE)],
                &[],
                Some(&press(selector, true)),
            );
            assert_eq!(mechanisms(&f), [("tcpa".into(), NotDetected)], "{selector}");
            assert!(!f.trigger.as_ref().unwrap().in_snapshot);
            assert!(kinds(&f).contains(&DiscrepancyKind::TriggerNotInSnapshot));
        }
    }
}

#[test]
fn a_trigger_claimed_as_submit_that_is_not_a_submit_control_is_not_click_through() {
    let f = facts(
        NO_BOX,
        &[visible("tcpa", AGREE)],
        &[],
        Some(&press("html > body > form > p", true)),
    );
    assert_eq!(mechanisms(&f), [("tcpa".into(), NotDetected)]);
    let trigger = f.trigger.as_ref().unwrap();
    assert!(trigger.in_snapshot && !trigger.submit_control);
    assert_eq!(kinds(&f), [DiscrepancyKind::TriggerNotSubmitControl]);
}

#[test]
fn a_disclosure_the_consumer_could_not_see_is_not_detected() {
    let offscreen = Disclosure {
        in_viewport: false,
        ..visible("tcpa", AGREE)
    };
    let transparent = Disclosure {
        opacity: 0.0,
        ..visible("tcpa", AGREE)
    };
    for d in [offscreen, transparent] {
        let f = facts(
            CHECKED,
            std::slice::from_ref(&d),
            &[],
            Some(&press(BUTTON, true)),
        );
        assert_eq!(mechanisms(&f), [("tcpa".into(), NotDetected)], "{d:?}");
    }
    let hidden = format!(r#"<div style="display: none">{NO_BOX}</div>"#);
    let f = facts(
        &hidden,
        &[visible("tcpa", AGREE)],
        &[],
        Some(&press("html > body > div > form > button", true)),
    );
    assert_eq!(mechanisms(&f), [("tcpa".into(), NotDetected)]);
}

#[test]
fn a_disclosure_left_out_of_the_sdks_list_is_still_listed_from_the_dom() {
    let body = r#"<form><p data-ec-disclosure="calls">Calls</p>
        <p data-ec-disclosure="partners">Share with   <b>partners</b></p>
        <button data-ec-submit>Go</button></form>"#;
    let f = facts(
        body,
        &[visible("calls", "Calls")],
        &[],
        Some(&press(BUTTON, true)),
    );
    assert_eq!(
        mechanisms(&f),
        [
            ("calls".into(), ClickThrough),
            ("partners".into(), NotDetected)
        ]
    );
    assert_eq!(f.disclosures[1].captured.text, "Share with partners");
    assert!(f.disclosures[0].measured && !f.disclosures[1].measured);
    assert_eq!(kinds(&f), [DiscrepancyKind::DisclosureNotReported]);
}

#[test]
fn a_disclosure_the_sdk_listed_that_the_dom_lacks_is_flagged_not_listed() {
    let f = facts(
        NO_BOX,
        &[visible("tcpa", AGREE), visible("ghost", "Invented terms")],
        &[],
        Some(&press(BUTTON, true)),
    );
    assert_eq!(mechanisms(&f), [("tcpa".into(), ClickThrough)]);
    assert_eq!(kinds(&f), [DiscrepancyKind::DisclosureNotInSnapshot]);
    assert_eq!(f.discrepancies[0].subject, "ghost");
}

#[test]
fn the_listed_text_is_the_markups_and_a_different_sdk_text_is_noted() {
    let f = facts(
        NO_BOX,
        &[visible("tcpa", "I  AGREE\n")],
        &[],
        Some(&press(BUTTON, true)),
    );
    assert!(
        f.discrepancies.is_empty(),
        "whitespace and case are not differences"
    );
    let f = facts(
        NO_BOX,
        &[visible("tcpa", "I refuse")],
        &[],
        Some(&press(BUTTON, true)),
    );
    assert_eq!(f.disclosures[0].captured.text, "I agree");
    assert_eq!(kinds(&f), [DiscrepancyKind::DisclosureTextDiffers]);
}

#[test]
fn each_box_binds_to_its_own_disclosure_and_custom_widgets_use_aria_checked() {
    let body = r#"<form><input type="checkbox" checked data-ec-consent-checkbox data-ec-consent-for="calls">
        <p data-ec-disclosure="calls">Calls</p>
        <div role="checkbox" aria-checked="false" data-ec-consent-checkbox data-ec-consent-for="partners"></div>
        <p data-ec-disclosure="partners">Partners</p>
        <p data-ec-disclosure="terms">Terms</p><button data-ec-submit>Go</button></form>"#;
    let all = [
        visible("calls", "Calls"),
        visible("partners", "Partners"),
        visible("terms", "Terms"),
    ];
    let f = facts(body, &all, &[], Some(&press(BUTTON, true)));
    assert_eq!(
        mechanisms(&f),
        [
            ("calls".into(), Checkbox),
            ("partners".into(), Unchecked),
            ("terms".into(), ClickThrough)
        ]
    );
    assert_eq!(
        kinds(&f),
        [
            DiscrepancyKind::CheckboxNotReported,
            DiscrepancyKind::CheckboxNotReported
        ]
    );
}

#[test]
fn disclosures_and_triggers_in_declarative_shadow_roots_are_read() {
    let body = r#"<div id="widget"><template shadowrootmode="open">
        <label><input type="checkbox" checked data-ec-consent-checkbox>
        <span data-ec-disclosure>In the shadow</span></label>
        <button data-ec-submit>Go</button></template></div>"#;
    let f = facts(
        body,
        &[visible("", "In the shadow")],
        &[],
        Some(&press("button", true)),
    );
    assert_eq!(mechanisms(&f), [(String::new(), Checkbox)]);
    assert!(f.trigger.unwrap().submit_control);
}
