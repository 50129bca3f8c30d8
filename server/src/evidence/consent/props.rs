//! Property tests of the consent derivation: it never panics, whatever the markup and the
//! claims, and on generated consent forms its facts agree with the markup, whatever the SDK
//! claimed: the listed disclosures are the tagged elements, the checkbox states are the
//! markup's, and each mechanism is what the rules give for the markup.

use expressconsent_protocol::{ConsentCheckbox, Trigger};
use proptest::prelude::*;

use super::*;

/// One generated disclosure with its optional bound checkbox.
#[derive(Debug, Clone)]
struct Part {
    hidden: bool,
    checkbox: Option<bool>,
    /// What the SDK says: measured and visible, and the checkbox state it claims.
    sdk_visible: Option<bool>,
    sdk_checked: bool,
}

/// Where the SDK says the trigger was.
#[derive(Debug, Clone, Copy)]
enum Pressed {
    TaggedSubmit,
    UntaggedButton,
    Nowhere,
}

fn part() -> impl Strategy<Value = Part> {
    (
        any::<bool>(),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        any::<bool>(),
    )
        .prop_map(|(hidden, checkbox, sdk_visible, sdk_checked)| Part {
            hidden,
            checkbox,
            sdk_visible,
            sdk_checked,
        })
}

fn pressed() -> impl Strategy<Value = Pressed> {
    prop_oneof![
        Just(Pressed::TaggedSubmit),
        Just(Pressed::UntaggedButton),
        Just(Pressed::Nowhere)
    ]
}

fn page(parts: &[Part], text: &str) -> String {
    let mut body = String::from("<form>");
    for (i, part) in parts.iter().enumerate() {
        if let Some(checked) = part.checkbox {
            let checked = if checked { " checked" } else { "" };
            body.push_str(&format!(
                r#"<input type="checkbox" data-ec-consent-checkbox data-ec-consent-for="d{i}"{checked}>"#
            ));
        }
        let hidden = if part.hidden { " hidden" } else { "" };
        body.push_str(&format!(
            r#"<p data-ec-disclosure="d{i}"{hidden}>{text} {i}</p>"#
        ));
    }
    body.push_str(
        r#"<button type="button">Back</button><button data-ec-submit>Send</button></form>"#,
    );
    format!("<!DOCTYPE html><html><body>{body}</body></html>")
}

fn claims_of(parts: &[Part], text: &str) -> (Vec<Disclosure>, Vec<ConsentCheckbox>) {
    let disclosures = parts
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let visible = p.sdk_visible?;
            Some(Disclosure {
                id: format!("d{i}"),
                text: format!("{text} {i}"),
                rendered: visible,
                in_viewport: visible,
                opacity: 1.0,
                ..Disclosure::default()
            })
        })
        .collect();
    let checkboxes = parts
        .iter()
        .enumerate()
        .filter(|(_, p)| p.checkbox.is_some())
        .map(|(i, p)| ConsentCheckbox {
            consent_for: Some(format!("d{i}")),
            checked: p.sdk_checked,
        })
        .collect();
    (disclosures, checkboxes)
}

/// The rules, restated over the generated model.
fn expected(part: &Part, trusted: bool, pressed: Pressed) -> ConsentMechanism {
    let in_snapshot = !matches!(pressed, Pressed::Nowhere);
    let seen = part.sdk_visible == Some(true) && !part.hidden;
    match part.checkbox {
        Some(false) => ConsentMechanism::Unchecked,
        _ if !trusted || !in_snapshot || !seen => ConsentMechanism::NotDetected,
        Some(true) => ConsentMechanism::Checkbox,
        None if matches!(pressed, Pressed::TaggedSubmit) => ConsentMechanism::ClickThrough,
        None => ConsentMechanism::NotDetected,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_markup_and_any_claims_derive_without_panicking(
        html in any::<String>(),
        selector in ".{0,40}",
        ids in prop::collection::vec("[a-z]{0,3}", 0..4),
    ) {
        let disclosures: Vec<Disclosure> =
            ids.iter().map(|id| Disclosure { id: id.clone(), ..Disclosure::default() }).collect();
        let trigger = Trigger { selector, is_trusted: true, ..Trigger::default() };
        let telemetry = Telemetry::default();
        let claims = Claims {
            disclosures: &disclosures,
            consent_checkboxes: &[],
            trigger: Some(&trigger),
            telemetry: &telemetry,
        };
        let _ = derive(&Html::parse_document(&html), &claims);
        let tagged = format!("<p data-ec-disclosure=x>{html}</p><input data-ec-consent-checkbox>");
        let _ = derive(&Html::parse_document(&tagged), &claims);
    }

    #[test]
    fn the_facts_agree_with_the_markup_whatever_the_sdk_claims(
        parts in prop::collection::vec(part(), 1..8),
        trusted in any::<bool>(),
        pressed in pressed(),
        text in "[a-zA-Z ¡¿“✓😀中文العربية]{1,20}",
    ) {
        let html = page(&parts, &text);
        let (disclosures, checkboxes) = claims_of(&parts, &text);
        let selector = match pressed {
            Pressed::TaggedSubmit => "html > body > form > button:nth-of-type(2)",
            Pressed::UntaggedButton => "html > body > form > button:nth-of-type(1)",
            Pressed::Nowhere => "html > body > main > button",
        };
        let trigger = Trigger {
            selector: selector.into(),
            is_trusted: trusted,
            is_tagged_submit: true,
            ..Trigger::default()
        };
        let telemetry = Telemetry::default();
        let claims = Claims {
            disclosures: &disclosures,
            consent_checkboxes: &checkboxes,
            trigger: Some(&trigger),
            telemetry: &telemetry,
        };

        let facts = derive(&Html::parse_document(&html), &claims);

        prop_assert_eq!(facts.disclosures.len(), parts.len());
        for (i, (fact, part)) in facts.disclosures.iter().zip(&parts).enumerate() {
            prop_assert_eq!(&fact.captured.id, &format!("d{i}"));
            let words = format!("{text} {i}");
            prop_assert_eq!(&fact.captured.text, &words.split_whitespace().collect::<Vec<_>>().join(" "));
            prop_assert_eq!(fact.measured, part.sdk_visible.is_some());
            prop_assert_eq!(fact.consent_mechanism, expected(part, trusted, pressed), "{}", html);
        }
        let markup_boxes: Vec<bool> = parts.iter().filter_map(|p| p.checkbox).collect();
        let listed: Vec<bool> = facts.consent_checkboxes.iter().map(|c| c.checked).collect();
        prop_assert_eq!(listed, markup_boxes);
        let disagreements = parts
            .iter()
            .filter(|p| p.checkbox.is_some_and(|c| c != p.sdk_checked))
            .count();
        let noted = facts
            .discrepancies
            .iter()
            .filter(|d| d.kind == DiscrepancyKind::CheckboxStateDiffers)
            .count();
        prop_assert_eq!(noted, disagreements);
    }
}
