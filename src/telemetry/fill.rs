//! The rules that say how a field was filled in, as pure functions of what the browser
//! reported, so that they can be read and tested on their own.

#[allow(unused_imports)]
use crate::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

use crate::dom;

/// How a field's content got there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fill {
    /// No trusted input and the value is still the page's default.
    #[default]
    Untouched,
    /// Entered by the user's own input: keys, an input method, or choosing an option.
    Typed,
    /// Pasted or dropped (`insertFromPaste`, `insertFromDrop`, …).
    Pasted,
    /// Filled by the browser's autofill or a suggestion it offered.
    Autofilled,
    /// Set by script: the value at submit is not the one the last trusted input left.
    Programmatic,
}

impl Fill {
    /// The name on the wire, e.g. `"typed"`; empty for [`Fill::Untouched`].
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Untouched => "",
            Self::Typed => "typed",
            Self::Pasted => "pasted",
            Self::Autofilled => "autofilled",
            Self::Programmatic => "programmatic",
        }
    }
}

/// What kind of control a field is, which decides how a bare `input` event reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text (`text`, `email`, `tel`, `password`, …, `textarea`): the user types here,
    /// so a trusted `input` without an `inputType` is the browser filling it (autofill).
    Text,
    /// A choice (`select`, `date`, `number`, `range`, …): a trusted bare `input` is the
    /// user choosing.
    Choice,
}

/// The kind of a form field, or `None` for what is not filled in: buttons, hidden inputs,
/// checkboxes and radios (the consent checkbox is reported on its own), files.
pub fn kind(element: &Element) -> Option<Kind> {
    match dom::get_string(element, "localName").as_str() {
        "textarea" => Some(Kind::Text),
        "select" => Some(Kind::Choice),
        "input" => {
            // `type` reflects the normalised type: unknown values read as `text`.
            let kind = dom::get_string(element.dyn_ref::<HtmlInputElement>()?, "type");
            match kind.as_str() {
                "hidden" | "submit" | "button" | "reset" | "image" | "checkbox" | "radio"
                | "file" => None,
                "text" | "email" | "tel" | "url" | "search" | "password" => Some(Kind::Text),
                _ => Some(Kind::Choice),
            }
        }
        _ => None,
    }
}

/// How a trusted `input` event filled a field, given how it was filled before.
///
/// - `insertFromPaste`, `insertFromPasteAsQuotation`, `insertFromDrop`, `insertFromYank`:
///   pasted. A bare event right after a trusted `paste` (browsers without `inputType`) too.
/// - `insertReplacementText`: autofilled (Safari's autofill, a chosen suggestion).
/// - any other `insert…`: typed.
/// - no `inputType` (a plain `Event`, as Chromium's autofill dispatches): autofilled in a
///   text field, typed (chosen) in a choice.
/// - deletions, undo/redo and formatting keep how the content got there; on an untouched
///   field they count as typing.
pub fn from_input(input_type: &str, kind: Kind, pasted_just_now: bool, before: Fill) -> Fill {
    match input_type {
        "insertFromPaste" | "insertFromPasteAsQuotation" | "insertFromDrop" | "insertFromYank" => {
            Fill::Pasted
        }
        "insertReplacementText" => Fill::Autofilled,
        t if t.starts_with("insert") => Fill::Typed,
        "" if pasted_just_now => Fill::Pasted,
        "" if kind == Kind::Text => Fill::Autofilled,
        "" => Fill::Typed,
        _ if before == Fill::Untouched || before == Fill::Programmatic => Fill::Typed,
        _ => before,
    }
}

/// Whether a key press counts as a keystroke: modifier keys alone do not.
pub fn is_keystroke(key: &str) -> bool {
    !matches!(
        key,
        "Shift" | "Control" | "Alt" | "AltGraph" | "Meta" | "OS" | "CapsLock" | "Fn" | ""
    )
}

/// A fingerprint of a field's content that ignores ASCII punctuation, spacing and case
/// (FNV-1a over the rest). Comparing fingerprints, not values, means no value is kept;
/// ignoring formatting means an input mask that turns `5552018890` into `(555) 201-8890`
/// as the user types is not mistaken for script filling the field. ASCII-only folding keeps
/// Unicode case tables out of the wasm; masks format with ASCII.
pub fn fingerprint(value: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for c in value.chars() {
        if !(c.is_ascii_punctuation() || c.is_ascii_whitespace()) {
            hash = (hash ^ u64::from(u32::from(c.to_ascii_lowercase())))
                .wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}
