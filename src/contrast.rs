//! Text/background contrast of a disclosure, as WCAG 2 defines it (1 to 21).
//!
//! A disclosure in light grey on white is a classic way to hide terms in plain sight, so
//! the ratio is evidence. It is computed from computed styles: the text colour over the
//! first opaque background found walking up the tree, blending translucent layers on the
//! way. When a background image or an unparseable colour is in the way the ratio is
//! unknown (`None`) rather than guessed.

#[allow(unused_imports)]
use crate::prelude::*;
use web_sys::{Element, Window};

use crate::dom;

/// A colour in sRGB with channels 0–255 and alpha 0–1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgba {
    /// Red, 0–255.
    pub r: f64,
    /// Green, 0–255.
    pub g: f64,
    /// Blue, 0–255.
    pub b: f64,
    /// Alpha, 0–1.
    pub a: f64,
}

/// What an unstyled page is painted on.
const CANVAS: Rgba = Rgba {
    r: 255.0,
    g: 255.0,
    b: 255.0,
    a: 1.0,
};

/// Parses a computed colour: browsers report computed sRGB colours as `rgb(r, g, b)` or
/// `rgba(r, g, b, a)`; `transparent` is accepted too. Other notations (`color(…)`, `oklch(…)`)
/// give `None`.
pub fn parse_color(css: &str) -> Option<Rgba> {
    let css = css.trim_ascii().to_ascii_lowercase();
    if css == "transparent" {
        return Some(Rgba {
            r: 0.0,
            g: 0.0,
            b: 0.0,
            a: 0.0,
        });
    }
    let inner = css
        .strip_prefix("rgba(")
        .or_else(|| css.strip_prefix("rgb("))?
        .strip_suffix(")")?;
    // A loop rather than `collect::<Option<_>>()`, whose adapter is code of its own.
    let mut parts: Vec<f64> = Vec::new();
    let mut rest = inner;
    loop {
        let end = crate::text::find_any(rest, b", /").unwrap_or(rest.len());
        let part = crate::text::before(rest, end);
        if !part.is_empty() {
            parts.push(dom::css_number(part)?);
        }
        if end == rest.len() {
            break;
        }
        rest = crate::text::after(rest, end + 1);
    }
    match parts[..] {
        [r, g, b] => Some(Rgba { r, g, b, a: 1.0 }),
        [r, g, b, a] => Some(Rgba {
            r,
            g,
            b,
            a: a.clamp(0.0, 1.0),
        }),
        _ => None,
    }
}

/// `top` painted over an opaque `bottom`.
pub fn blend(top: Rgba, bottom: Rgba) -> Rgba {
    let mix = |t: f64, b: f64| t * top.a + b * (1.0 - top.a);
    Rgba {
        r: mix(top.r, bottom.r),
        g: mix(top.g, bottom.g),
        b: mix(top.b, bottom.b),
        a: 1.0,
    }
}

/// WCAG relative luminance of an opaque colour.
pub fn luminance(color: Rgba) -> f64 {
    let channel = |c: f64| {
        let c = c / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            js_sys::Math::pow((c + 0.055) / 1.055, 2.4)
        }
    };
    0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)
}

/// Contrast of text of colour `text` on the opaque `background`, rounded to two decimals.
pub fn ratio(text: Rgba, background: Rgba) -> f64 {
    let (a, b) = (luminance(blend(text, background)), luminance(background));
    let (light, dark) = if a > b { (a, b) } else { (b, a) };
    crate::math::floor((light + 0.05) / (dark + 0.05) * 100.0 + 0.5) / 100.0
}

/// The contrast of `element`'s text against what is painted behind it.
pub fn of_element(window: &Window, element: &Element) -> Option<f64> {
    let style = |el: &Element| window.get_computed_style(el).ok().flatten();
    let text = parse_color(&style(element)?.get_property_value("color").ok()?)?;
    // Backgrounds from the element outwards, until one is opaque.
    let mut layers = Vec::new();
    let mut current = Some(element.clone());
    while let Some(el) = current {
        let computed = style(&el)?;
        if computed
            .get_property_value("background-image")
            .ok()?
            .trim_ascii()
            != "none"
        {
            return None;
        }
        let color = parse_color(&computed.get_property_value("background-color").ok()?)?;
        layers.push(color);
        if color.a >= 1.0 {
            break;
        }
        current = dom::get_object(&el, "parentElement");
    }
    let background = layers
        .iter()
        .rev()
        .fold(CANVAS, |below, &layer| blend(layer, below));
    Some(ratio(text, background))
}
