//! Derives the consent facts of a capture from its DOM, once, at ingest.
//!
//! Owns the rules of SPEC "Consent facts derived on the server". The disclosures are the
//! `data-ec-disclosure` elements of the snapshot, their checkboxes' state is the markup's,
//! and the trigger counts only when its selector finds an element in the snapshot (see
//! [`super::markup`]). The SDK's own lists are a cross-check: each disagreement is
//! recorded as a [`Discrepancy`] and the snapshot wins. What the DOM cannot show — whether
//! the event was trusted, what was in the viewport — comes from the SDK's trigger and
//! visibility measurements, and a DOM that hides a disclosure overrides a client that
//! claims it was visible. Pure: no I/O.
//!
//! The rules, first match wins:
//! 1. a bound checkbox exists and any bound checkbox is not checked → `unchecked`;
//! 2. no trusted trigger in the snapshot (no trigger, `isTrusted` false, or its selector
//!    finds no element of the snapshot) → `not_detected`;
//! 3. the disclosure was not seen (the SDK did not measure it, or measured it not
//!    rendered, outside the viewport or transparent, or the DOM hides it) → `not_detected`;
//! 4. a bound checkbox exists (all checked) → `checkbox`;
//! 5. the trigger's element is, or is inside, a `data-ec-submit` control of the snapshot
//!    → `click_through`;
//! 6. otherwise → `not_detected`.
//!
//! A checkbox is bound to the disclosure named by its `data-ec-consent-for`; one without
//! that attribute is bound to the page's only disclosure when there is exactly one.

use expressconsent_protocol::{
    ConsentCheckbox, ConsentFacts, ConsentMechanism, Disclosure, DisclosureFacts, Discrepancy,
    DiscrepancyKind, Telemetry, Trigger, TriggerFacts, MAX_DISCLOSURE_CHARS,
};
use scraper::Html;

use super::markup::{self, Markup, TaggedCheckbox, TaggedDisclosure, MAX_TAGGED};

/// Most discrepancies recorded for one capture.
pub const MAX_DISCREPANCIES: usize = 100;

/// What the SDK reported about the consent tags and the trigger.
#[derive(Debug, Clone, Copy)]
pub struct Claims<'a> {
    /// The SDK's disclosures and their measurements.
    pub disclosures: &'a [Disclosure],
    /// The SDK's consent checkboxes.
    pub consent_checkboxes: &'a [ConsentCheckbox],
    /// The SDK's trigger.
    pub trigger: Option<&'a Trigger>,
    /// The SDK's telemetry, stored with the facts as it came.
    pub telemetry: &'a Telemetry,
}

/// The facts of a capture whose snapshot is `dom`.
pub fn derive(dom: &Html, claims: &Claims<'_>) -> ConsentFacts {
    let markup = markup::read(dom);
    let mut notes = Notes::default();
    let trigger = claims.trigger.map(|t| check_trigger(dom, t, &mut notes));
    let trusted = trigger
        .as_ref()
        .is_some_and(|t| t.reported.is_trusted && t.in_snapshot);
    let submit = trusted && trigger.as_ref().is_some_and(|t| t.submit_control);
    let measured = pair(&markup.disclosures, claims.disclosures, &mut notes);
    let only_one = markup.disclosure_count == 1;
    let disclosures = markup
        .disclosures
        .iter()
        .zip(measured)
        .map(|(tagged, sdk)| {
            let bound: Vec<&TaggedCheckbox> = markup
                .checkboxes
                .iter()
                .filter(|c| match &c.consent_for {
                    Some(target) => *target == tagged.id,
                    None => only_one,
                })
                .collect();
            let seen = sdk.is_some_and(client_saw_it) && !tagged.hidden;
            DisclosureFacts {
                captured: Disclosure {
                    id: tagged.id.clone(),
                    text: tagged.text.clone(),
                    ..sdk.cloned().unwrap_or_default()
                },
                measured: sdk.is_some(),
                consent_mechanism: decide(&bound, trusted, seen, submit),
            }
        })
        .collect();
    compare_checkboxes(&markup.checkboxes, claims.consent_checkboxes, &mut notes);
    too_many(&markup, &mut notes);
    ConsentFacts {
        disclosures,
        consent_checkboxes: markup
            .checkboxes
            .iter()
            .map(|c| ConsentCheckbox {
                consent_for: c.consent_for.clone(),
                checked: c.checked,
            })
            .collect(),
        trigger,
        telemetry: claims.telemetry.clone(),
        discrepancies: notes.0,
    }
}

fn decide(bound: &[&TaggedCheckbox], trusted: bool, seen: bool, submit: bool) -> ConsentMechanism {
    if bound.iter().any(|c| !c.checked) {
        ConsentMechanism::Unchecked
    } else if !trusted || !seen {
        ConsentMechanism::NotDetected
    } else if !bound.is_empty() {
        ConsentMechanism::Checkbox
    } else if submit {
        ConsentMechanism::ClickThrough
    } else {
        ConsentMechanism::NotDetected
    }
}

fn client_saw_it(d: &Disclosure) -> bool {
    d.rendered && d.in_viewport && d.opacity > 0.0
}

/// The recorded discrepancies, at most [`MAX_DISCREPANCIES`].
#[derive(Default)]
struct Notes(Vec<Discrepancy>);

impl Notes {
    fn add(&mut self, kind: DiscrepancyKind, subject: &str, message: String) {
        if self.0.len() < MAX_DISCREPANCIES {
            self.0.push(Discrepancy {
                kind,
                subject: subject.to_owned(),
                message,
            });
        }
    }
}

/// The trigger with what the snapshot says about its element.
fn check_trigger(dom: &Html, reported: &Trigger, notes: &mut Notes) -> TriggerFacts {
    let found = markup::trigger_is_submit(dom, &reported.selector);
    let selector = &reported.selector;
    match found {
        None => notes.add(
            DiscrepancyKind::TriggerNotInSnapshot,
            selector,
            format!("the trigger's selector {selector:?} finds no element in the snapshot"),
        ),
        Some(false) if reported.is_tagged_submit => notes.add(
            DiscrepancyKind::TriggerNotSubmitControl,
            selector,
            "the SDK reported a data-ec-submit control; in the snapshot the trigger is not \
             inside one"
                .to_owned(),
        ),
        Some(_) => {}
    }
    TriggerFacts {
        reported: reported.clone(),
        in_snapshot: found.is_some(),
        submit_control: found == Some(true),
    }
}

/// The SDK's measurements of each disclosure of the snapshot, matched by id (and, among
/// untagged ones, by order); notes the ones either side lacks and texts that differ.
fn pair<'a>(
    tagged: &[TaggedDisclosure],
    reported: &'a [Disclosure],
    notes: &mut Notes,
) -> Vec<Option<&'a Disclosure>> {
    let mut used = vec![false; reported.len()];
    let paired = tagged
        .iter()
        .map(|dom| {
            let index = (0..reported.len()).find(|&i| !used[i] && reported[i].id == dom.id);
            let Some(index) = index else {
                notes.add(
                    DiscrepancyKind::DisclosureNotReported,
                    &dom.id,
                    format!(
                        "disclosure {:?} is in the snapshot but not in the SDK's list; it \
                         counts as not seen",
                        dom.id
                    ),
                );
                return None;
            };
            used[index] = true;
            let sdk = &reported[index];
            if !same_text(&dom.text, &sdk.text) {
                notes.add(
                    DiscrepancyKind::DisclosureTextDiffers,
                    &dom.id,
                    format!(
                        "the SDK's text of disclosure {:?} is not the snapshot's; the \
                         snapshot's is listed",
                        dom.id
                    ),
                );
            }
            Some(sdk)
        })
        .collect();
    for (sdk, _) in reported.iter().zip(&used).filter(|(_, used)| !**used) {
        notes.add(
            DiscrepancyKind::DisclosureNotInSnapshot,
            &sdk.id,
            format!(
                "the SDK listed disclosure {:?}, which is not in the snapshot; it is not \
                 listed",
                sdk.id
            ),
        );
    }
    paired
}

/// Texts compared as a reader would: without whitespace and case. The SDK cuts its text
/// at `MAX_DISCLOSURE_CHARS`, so a text of that length is compared as a prefix.
fn same_text(dom: &str, sdk: &str) -> bool {
    let plain = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (dom, sdk_plain) = (plain(dom), plain(sdk));
    if sdk.chars().count() >= MAX_DISCLOSURE_CHARS {
        dom.starts_with(&sdk_plain) || sdk_plain.starts_with(&dom)
    } else {
        dom == sdk_plain
    }
}

/// Notes checkboxes whose state or presence differs between the SDK and the markup,
/// pairing them by `data-ec-consent-for` in document order.
fn compare_checkboxes(tagged: &[TaggedCheckbox], reported: &[ConsentCheckbox], notes: &mut Notes) {
    let mut used = vec![false; reported.len()];
    for dom in tagged {
        let subject = dom.consent_for.as_deref().unwrap_or("");
        let index =
            (0..reported.len()).find(|&i| !used[i] && reported[i].consent_for == dom.consent_for);
        let Some(index) = index else {
            notes.add(
                DiscrepancyKind::CheckboxNotReported,
                subject,
                format!("a consent checkbox for {subject:?} is in the snapshot but not in the SDK's list"),
            );
            continue;
        };
        used[index] = true;
        if reported[index].checked != dom.checked {
            let state = |checked| if checked { "checked" } else { "not checked" };
            notes.add(
                DiscrepancyKind::CheckboxStateDiffers,
                subject,
                format!(
                    "the SDK reported the consent checkbox for {subject:?} {}; the snapshot \
                     shows it {}",
                    state(reported[index].checked),
                    state(dom.checked)
                ),
            );
        }
    }
    for (sdk, _) in reported.iter().zip(&used).filter(|(_, used)| !**used) {
        let subject = sdk.consent_for.as_deref().unwrap_or("");
        notes.add(
            DiscrepancyKind::CheckboxNotInSnapshot,
            subject,
            format!(
                "the SDK listed a consent checkbox for {subject:?} that is not in the snapshot"
            ),
        );
    }
}

fn too_many(markup: &Markup, notes: &mut Notes) {
    if markup.disclosure_count > MAX_TAGGED || markup.checkbox_count > MAX_TAGGED {
        notes.add(
            DiscrepancyKind::TooManyTagged,
            "",
            format!(
                "the snapshot has {} disclosures and {} consent checkboxes; only the first \
                 {MAX_TAGGED} of each are read",
                markup.disclosure_count, markup.checkbox_count
            ),
        );
    }
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
