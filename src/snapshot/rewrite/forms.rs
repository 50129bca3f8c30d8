//! Form state: the live values of inputs, textareas, selects and options written into
//! their markup, so that the snapshot shows what the consumer had entered.
//!
//! Privacy is decided here, from the markup, before any live value is read: a field that
//! is a password, a hidden input, a payment-card field (`autocomplete="cc-…"`) or inside
//! `data-ec-mask` (through shadow roots too) never has its live value asked for, and its
//! markup value is dropped, since a page may have put the secret there as well.

use super::super::html::{self, StartTag};
use super::attrs::{is_script_value, remove_attr, set_attr_text, set_flag, Attrs};
use super::open::{Open, Role};
use super::page::Field;
use super::Pass;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::text::decimal;

impl<'a> Pass<'a, '_> {
    /// An `<input>`: its live value or checkedness, unless private.
    pub(super) fn input_state(
        &mut self,
        tag: &StartTag<'_>,
        attrs: &mut Attrs<'a>,
        tree: usize,
        nth: usize,
        masked: bool,
    ) {
        let kind = tag
            .attr("type")
            .unwrap_or("text")
            .trim_ascii()
            .to_ascii_lowercase();
        let private = masked || is_card(tag) || matches!(kind.as_str(), "password" | "hidden");
        match kind.as_str() {
            // Their value is the page's label, not the user's input.
            "button" | "submit" | "reset" | "image" => {}
            // A file input's value is a fake path and cannot be restored.
            "file" => remove_attr(attrs, "value"),
            "checkbox" | "radio" if private => remove_attr(attrs, "checked"),
            "checkbox" | "radio" => {
                if let Field::Input { checked, .. } = self.page_field(tree, nth, "input") {
                    set_flag(attrs, "checked", checked);
                }
            }
            _ if private => remove_attr(attrs, "value"),
            _ => {
                if let Field::Input { kind, value, .. } = self.page_field(tree, nth, "input") {
                    // The live field must agree that it is not secret, whatever the markup says.
                    if matches!(kind.as_str(), "password" | "hidden") {
                        remove_attr(attrs, "value");
                    } else if is_script_value("value", &value) {
                        // Typed text that reads as a script URL: no attribute of the
                        // snapshot may hold one, so that a checker need not know which
                        // attributes are URLs.
                        remove_attr(attrs, "value");
                        self.warn_about(
                            tree,
                            &["a field's value reads as a script URL and was left out"],
                        );
                    } else {
                        set_attr_text(attrs, "value", &value);
                    }
                }
            }
        }
    }

    /// A `<textarea>`: the text to write as its content, its live value unless private.
    pub(super) fn textarea_text(
        &mut self,
        tag: &StartTag<'_>,
        open: &mut Open<'a>,
        tree: usize,
        nth: usize,
    ) -> Option<String> {
        let private = open.masked || is_card(tag);
        let value = match private {
            false => match self.page_field(tree, nth, "textarea") {
                Field::TextArea(value) => value,
                _ => String::new(),
            },
            true => String::new(),
        };
        let mut text = String::new();
        // The parser drops a first newline of a textarea's content; doubling keeps it.
        if value.starts_with("\n") {
            text.push('\n');
        }
        html::push_text_escaped(&mut text, &value);
        open.replaced_text = true;
        Some(text)
    }

    /// An `<option>`: its live selectedness, unless it or its list is private.
    pub(super) fn option_state(
        &mut self,
        attrs: &mut Attrs<'a>,
        tree: usize,
        nth: usize,
        masked: bool,
    ) {
        let list_private = self.stack.iter().rev().find_map(|o| match o.role {
            Role::List { private } => Some(private),
            _ => None,
        });
        let private = masked || list_private.unwrap_or(false);
        if private {
            remove_attr(attrs, "selected");
        } else if let Field::Option(selected) = self.page_field(tree, nth, "option") {
            set_flag(attrs, "selected", selected);
        }
    }

    /// The live field `nth` of `tree`, when it is the `expected` element; a mismatch means
    /// the text and the page are out of step, and is reported rather than trusted.
    fn page_field(&mut self, tree: usize, nth: usize, expected: &str) -> Field {
        let field = self.page.field(tree, nth);
        let matches = matches!(
            (&field, expected),
            (Field::Private, _)
                | (Field::Input { .. }, "input")
                | (Field::TextArea(_), "textarea")
                | (Field::Option(_), "option")
        );
        if matches {
            field
        } else {
            let nth = decimal(nth as u64);
            self.warn_about(
                tree,
                &[
                    "field ",
                    &nth,
                    " is not the ",
                    expected,
                    " serialized there",
                ],
            );
            Field::Other
        }
    }
}

/// What a `<select>`/`<datalist>` means for its options: private when masked or a
/// payment-card list.
pub(super) fn list_role(tag: &StartTag<'_>, masked: bool) -> Role {
    Role::List {
        private: masked || is_card(tag),
    }
}

/// `autocomplete="… cc-…"`: a payment-card field.
fn is_card(tag: &StartTag<'_>) -> bool {
    tag.attr("autocomplete").is_some_and(is_card_autocomplete)
}

/// Whether an `autocomplete` value names a payment-card field (a `cc-…` token).
pub fn is_card_autocomplete(autocomplete: &str) -> bool {
    autocomplete
        .split_ascii_whitespace()
        .any(|t| t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("cc-")))
}
