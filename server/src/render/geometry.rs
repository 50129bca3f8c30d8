//! The renderer's decisions that need no browser: how tall the image may be, where an
//! outlined element lands in image pixels, how its outline is styled, how a
//! `highlightTarget` label becomes a selector, and how each request the page makes is
//! answered. Pure functions, tested without Chromium; [`super::page`] performs them.

use url::Url;

/// The tallest image rendered, in device pixels. A full-page screenshot is one bitmap of
/// width × height × 4 bytes in Chromium (and again in the PNG encoder), so this caps what
/// one render can allocate: at most 16,384 × (viewport width × DPR) × 4 bytes, 84 MB for
/// a 1,280 px desktop page at DPR 1, 77 MB for a 390 px phone at DPR 3. Longer pages are
/// cut at the bottom ([`super::Rendered::truncated`]).
pub const MAX_IMAGE_HEIGHT_PX: u32 = 16_384;
/// The tallest page rendered, in CSS pixels, whatever the device pixel ratio.
pub const MAX_PAGE_HEIGHT_CSS: f64 = 16_384.0;
/// The outline's width in CSS pixels; it is drawn outside the border box.
pub const OUTLINE_CSS_PX: f64 = 3.0;
/// The outline's declarations, appended to the element's own `style` attribute so that
/// no style sheet (not even one with `!important`) hides it, in any tree (a `<style>` in
/// the document would not reach into shadow roots). `outline` takes no layout space, so
/// the page lays out as the consumer saw it.
pub const OUTLINE_STYLE: &str = "outline:3px solid #ff0000 !important;\
outline-offset:0 !important";

/// A rectangle in image pixels: `x`, `y` of its top-left corner, `width`, `height`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelBox {
    /// Left edge, in image pixels from the left.
    pub x: u32,
    /// Top edge, in image pixels from the top.
    pub y: u32,
    /// Width in image pixels.
    pub width: u32,
    /// Height in image pixels.
    pub height: u32,
}

impl PixelBox {
    /// Whether image pixel `(x, y)` lies inside the box.
    pub fn contains(&self, x: u32, y: u32) -> bool {
        x >= self.x && y >= self.y && x - self.x < self.width && y - self.y < self.height
    }
}

/// The height of the captured region in CSS pixels for a document `content_height` tall,
/// and whether the page was cut.
pub fn capture_height(content_height: f64, device_pixel_ratio: f64) -> (f64, bool) {
    let cap =
        MAX_PAGE_HEIGHT_CSS.min((f64::from(MAX_IMAGE_HEIGHT_PX) / device_pixel_ratio).floor());
    let height = content_height.max(1.0).ceil();
    if height > cap {
        (cap, true)
    } else {
        (height, false)
    }
}

/// Where an element's outline lands in the image: its border box (`quad`, eight numbers
/// as CDP's `DOM.getBoxModel` gives them, in CSS pixels relative to the viewport whose top
/// left is at `page_offset` in the document) grown by the outline's width, scaled by the
/// device pixel ratio, rounded outwards and clipped to the image. `None` when no part of it
/// is in the image.
pub fn outline_box(
    quad: &[f64],
    page_offset: (f64, f64),
    device_pixel_ratio: f64,
    image: (u32, u32),
) -> Option<PixelBox> {
    if quad.len() != 8 || quad.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let xs = [quad[0], quad[2], quad[4], quad[6]];
    let ys = [quad[1], quad[3], quad[5], quad[7]];
    let min = |v: [f64; 4]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = |v: [f64; 4]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let to_px = |css: f64| css * device_pixel_ratio;
    let left = to_px(min(xs) + page_offset.0 - OUTLINE_CSS_PX)
        .floor()
        .max(0.0);
    let top = to_px(min(ys) + page_offset.1 - OUTLINE_CSS_PX)
        .floor()
        .max(0.0);
    let right = to_px(max(xs) + page_offset.0 + OUTLINE_CSS_PX)
        .ceil()
        .min(f64::from(image.0));
    let bottom = to_px(max(ys) + page_offset.1 + OUTLINE_CSS_PX)
        .ceil()
        .min(f64::from(image.1));
    if right <= left || bottom <= top {
        return None;
    }
    // In range: clamped to [0, image size] above.
    Some(PixelBox {
        x: left as u32,
        y: top as u32,
        width: (right - left) as u32,
        height: (bottom - top) as u32,
    })
}

/// The element's `style` attribute with the outline appended.
pub fn outlined_style(existing: Option<&str>) -> String {
    match existing.map(str::trim).filter(|s| !s.is_empty()) {
        Some(style) => format!("{style};{OUTLINE_STYLE}"),
        None => OUTLINE_STYLE.to_owned(),
    }
}

/// The selector of the element a capture's `highlightTarget` names: the SDK's option is
/// the value of its `data-expressconsent-highlight-label` attribute.
pub fn highlight_selector(label: &str) -> String {
    let mut selector = String::from("[data-expressconsent-highlight-label=\"");
    for c in label.chars() {
        match c {
            '"' | '\\' => {
                selector.push('\\');
                selector.push(c);
            }
            // Control characters (NUL included, which CSS turns into U+FFFD) as escapes.
            c if c.is_control() => selector.push_str(&format!("\\{:x} ", u32::from(c))),
            c => selector.push(c),
        }
    }
    selector.push_str("\"]");
    selector
}

/// Whether `selector` is a path from the document's root element, as the SDK writes the
/// trigger of an element in the document (`html > body > …`). The SDK's path of an element
/// in a shadow tree starts at that tree's top element instead, so such a selector is
/// looked for in the shadow roots before the document, where a light-DOM element could
/// match it by accident.
pub fn is_document_path(selector: &str) -> bool {
    let selector = selector.trim_start();
    selector.len() >= 4
        && selector[..4].eq_ignore_ascii_case("html")
        && selector[4..]
            .chars()
            .next()
            .is_none_or(|c| c.is_whitespace() || matches!(c, '>' | '#' | '.' | ':' | '['))
}

/// How one request the page makes is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The main document: the snapshot's HTML.
    Snapshot,
    /// Another document (an iframe's): an empty page, so that nothing it would load can
    /// escape the interception of the page's own session.
    EmptyDocument,
    /// An asset: from the source when it has it, else failed.
    Asset(Url),
    /// Never answered from anywhere: failed.
    Fail,
}

/// Decides how a request for `url` (of CDP resource type `is_document`) is answered, the
/// first main-document request for `page_url` being the snapshot.
pub fn answer(url: &str, is_document: bool, page_url: &Url, snapshot_served: bool) -> Answer {
    let Ok(mut url) = Url::parse(url) else {
        return Answer::Fail;
    };
    url.set_fragment(None);
    if is_document {
        let mut page = page_url.clone();
        page.set_fragment(None);
        if url == page && !snapshot_served {
            return Answer::Snapshot;
        }
        return Answer::EmptyDocument;
    }
    match url.scheme() {
        "http" | "https" => Answer::Asset(url),
        _ => Answer::Fail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_taller_than_the_cap_is_cut_at_the_cap() {
        assert_eq!(capture_height(900.4, 1.0), (901.0, false));
        assert_eq!(capture_height(50_000.0, 1.0), (16_384.0, true));
        assert_eq!(capture_height(50_000.0, 2.0), (8_192.0, true));
        assert_eq!(capture_height(0.0, 2.0), (1.0, false));
    }

    #[test]
    fn the_outline_box_grows_the_border_box_by_the_outline_and_scales_by_the_dpr() {
        let quad = [10.0, 20.0, 110.0, 20.0, 110.0, 50.0, 10.0, 50.0];
        let at = outline_box(&quad, (0.0, 100.0), 2.0, (1000, 1000)).unwrap();
        assert_eq!(
            at,
            PixelBox {
                x: 14,
                y: 234,
                width: 212,
                height: 72
            }
        );
        assert!(at.contains(14, 234) && at.contains(225, 305));
        assert!(!at.contains(226, 305) && !at.contains(14, 306));
    }

    #[test]
    fn an_outline_outside_the_image_is_none_and_one_across_its_edge_is_clipped() {
        let quad = [0.0, 900.0, 50.0, 900.0, 50.0, 990.0, 0.0, 990.0];
        assert_eq!(outline_box(&quad, (0.0, 0.0), 1.0, (100, 500)), None);
        let clipped = outline_box(&quad, (0.0, -450.0), 1.0, (100, 500)).unwrap();
        assert_eq!((clipped.x, clipped.y, clipped.height), (0, 447, 53));
        assert_eq!(outline_box(&[1.0; 6], (0.0, 0.0), 1.0, (100, 100)), None);
    }

    #[test]
    fn the_outline_is_appended_to_the_elements_own_style() {
        assert_eq!(outlined_style(None), OUTLINE_STYLE);
        assert_eq!(
            outlined_style(Some("color: red; ")),
            format!("color: red;;{OUTLINE_STYLE}")
        );
    }

    #[test]
    fn a_highlight_label_becomes_an_attribute_selector_with_quotes_escaped() {
        assert_eq!(
            highlight_selector(r#"tcpa "main" \ 1"#),
            r#"[data-expressconsent-highlight-label="tcpa \"main\" \\ 1"]"#
        );
        assert_eq!(
            highlight_selector("a\nb"),
            "[data-expressconsent-highlight-label=\"a\\a b\"]"
        );
    }

    #[test]
    fn only_a_path_from_the_root_element_is_a_document_path() {
        assert!(is_document_path(
            "html > body > form#lead > button:nth-of-type(2)"
        ));
        assert!(is_document_path("html"));
        assert!(!is_document_path("div > button"));
        assert!(!is_document_path("htmlish > b"));
        assert!(!is_document_path(
            "[data-expressconsent-highlight-label=\"x\"]"
        ));
    }

    #[test]
    fn each_request_is_answered_from_the_snapshot_the_source_or_not_at_all() {
        let page = Url::parse("https://shop.example/form?x=1#top").unwrap();
        let page_str = "https://shop.example/form?x=1";
        assert_eq!(answer(page_str, true, &page, false), Answer::Snapshot);
        assert_eq!(answer(page_str, true, &page, true), Answer::EmptyDocument);
        assert_eq!(
            answer("https://other.example/frame", true, &page, false),
            Answer::EmptyDocument
        );
        assert_eq!(
            answer("https://cdn.example/a.css#x", false, &page, false),
            Answer::Asset(Url::parse("https://cdn.example/a.css").unwrap())
        );
        assert_eq!(
            answer("ws://cdn.example/s", false, &page, false),
            Answer::Fail
        );
        assert_eq!(answer("not a url", false, &page, false), Answer::Fail);
    }
}
