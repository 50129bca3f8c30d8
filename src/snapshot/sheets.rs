//! Style sheets as CSS text, read from the CSSOM rather than from markup.
//!
//! CSS-in-JS libraries add rules with `insertRule`, which leaves a `<style>` element's text
//! empty, and adopted sheets have no element at all; only the CSSOM holds what the browser
//! applies. Each readable sheet becomes its rules' text, with `url()`s resolved against the
//! sheet's own URL and same-origin `@import`s inlined. Cross-origin sheets cannot be read;
//! the caller keeps them as links and records a warning.

#[allow(unused_imports)]
use crate::prelude::*;
use js_sys::Reflect;
use wasm_bindgen::JsCast;
use web_sys::{CssImportRule, CssStyleSheet};

use super::css::absolute_urls;
use crate::dom;
use crate::text::concat;

/// Deepest `@import` chain followed.
const MAX_IMPORT_DEPTH: u32 = 8;

/// The rules of `sheet` as CSS text with absolute URLs, or `None` when the browser does not
/// show them (a cross-origin sheet). Relative URLs resolve against the sheet's URL, or
/// `document_base` for sheets without one (`<style>`, constructed sheets).
pub fn sheet_text(
    sheet: &CssStyleSheet,
    document_base: &str,
    warnings: &mut Vec<String>,
) -> Option<String> {
    text_at_depth(sheet, document_base, warnings, 0)
}

fn text_at_depth(
    sheet: &CssStyleSheet,
    document_base: &str,
    warnings: &mut Vec<String>,
    depth: u32,
) -> Option<String> {
    let rules: web_sys::CssRuleList = dom::get_object(sheet, "cssRules")?;
    let base = dom::property(sheet, "href")
        .and_then(|href| href.as_string())
        .unwrap_or_else(|| document_base.to_owned());
    // All rule texts in one call; only sheets with imports need a rule-by-rule walk.
    let joined: String = dom::map_property(&rules, "cssText").join("\n").into();
    if super::html::find(&joined, "@import").is_none() {
        return Some(absolute_urls(&joined, &base).into_owned());
    }
    let mut out = String::with_capacity(joined.len());
    for i in 0..dom::length(&rules) {
        let rule = dom::at(&rules, i);
        if !rule.is_object() {
            continue;
        }
        // `CSSRule.IMPORT_RULE`; `instanceof` would fail for a sheet from an iframe.
        if dom::get_number(&rule, "type") == 3.0 {
            let import: &CssImportRule = rule.unchecked_ref();
            out.push_str(&import_text(import, document_base, &base, warnings, depth));
        } else {
            out.push_str(&absolute_urls(&dom::get_string(&rule, "cssText"), &base));
        }
        out.push('\n');
    }
    Some(out)
}

/// An `@import` replaced by the imported rules, wrapped in the import's layer, supports
/// and media conditions; or kept, with an absolute URL, when unreadable.
fn import_text(
    import: &CssImportRule,
    document_base: &str,
    base: &str,
    warnings: &mut Vec<String>,
    depth: u32,
) -> String {
    let imported = dom::property(import, "styleSheet")
        .map(JsCast::unchecked_into::<CssStyleSheet>)
        .filter(|_| depth < MAX_IMPORT_DEPTH)
        .and_then(|sheet| text_at_depth(&sheet, document_base, warnings, depth + 1));
    let Some(mut css) = imported else {
        let url = super::url::resolve(base, &dom::get_string(import, "href"));
        warnings.push(concat(&[
            "style sheet not inlined (cross-origin or not loaded): ",
            &url,
        ]));
        return absolute_urls(&dom::get_string(import, "cssText"), base).into_owned();
    };
    let media = dom::get_string(&dom::get(import, "media"), "mediaText");
    if !media.is_empty() && media != "all" {
        css = wrap("@media ", &media, &css);
    }
    let text_prop = |name: &str| {
        Reflect::get(import, &name.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    if let Some(supports) = text_prop("supportsText") {
        css = wrap("@supports ", &supports, &css);
    }
    if let Some(layer) = text_prop("layerName") {
        css = wrap("@layer ", &layer, &css);
    }
    css
}

/// `css` inside the block at-rule `rule` (`@media `, …) with `condition`.
fn wrap(rule: &str, condition: &str, css: &str) -> String {
    concat(&[rule, condition, " {\n", css, "\n}"])
}
