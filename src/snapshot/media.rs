//! What the live page shows that its markup does not hold: a video's current frame, the
//! bytes behind a `blob:` URL, an external SVG sprite's content, an element's laid-out
//! size and where the page's absolute positions start; and the one change the SDK makes to
//! a page, so that WebGL canvases have pixels to read ([`preserve_webgl`]).
//!
//! Each reader is called by [`super::live`] for one element of interest and says, through
//! `warnings`, what it could not read. Reads that need a canvas or a request are done in
//! js/dom.js, where they are a few lines; nothing here changes the page.
//!
//! Limits, so that a capture stays quick and its upload small: a `blob:` resource is
//! copied when it is at most [`MAX_BLOB_BYTES`]; a sprite file when it is of the page's
//! own origin (which the page has already loaded, so the browser answers from its cache)
//! and at most [`MAX_SPRITE_CHARS`], and at most [`MAX_SPRITES`] files per document.

#[allow(unused_imports)]
use crate::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::{Document, Element};

use crate::dom;
use crate::text::concat;

/// Largest `blob:` resource copied into the snapshot as a `data:` URL: 2 MiB.
pub const MAX_BLOB_BYTES: u32 = 2 * 1024 * 1024;
/// Largest sprite file copied, in characters: 256 KiB.
pub const MAX_SPRITE_CHARS: u32 = 256 * 1024;
/// Most sprite files copied per document.
pub const MAX_SPRITES: usize = 8;

#[wasm_bindgen(module = "/js/dom.js")]
extern "C" {
    /// `source` drawn at `width`×`height` as a `data:` URL of `kind`; `""` when tainted.
    fn pixels(source: &JsValue, width: f64, height: f64, kind: &str) -> JsValue;
    /// `[position, width, height]` of `element`'s computed style.
    #[wasm_bindgen(catch, js_name = layout)]
    fn computed_layout(element: &Element) -> Result<js_sys::Array, JsValue>;
    /// Makes WebGL contexts created from now on in `view` keep their drawing buffer.
    #[wasm_bindgen(catch, js_name = preserveWebGL)]
    fn preserve_webgl_in(view: &JsValue) -> Result<(), JsValue>;
    /// A synchronous GET of `url`, when at most `max` long: its text, or with `binary` a
    /// `data:` URL.
    #[wasm_bindgen(js_name = readUrl)]
    fn read_url(url: &str, max: u32, binary: bool) -> JsValue;
    /// The serialized children of the root `<svg>` of an SVG file's text.
    #[wasm_bindgen(js_name = svgContent)]
    fn svg_content(text: &str) -> JsValue;
    /// `[left, top]` of the origin of absolute positions in `<body>`. (`catch`, here and
    /// below, makes wasm-bindgen call it through the glue, which the build's glue
    /// shrinking expects of every import.)
    #[wasm_bindgen(catch, js_name = rootOrigin)]
    fn root_origin_of(document: &Document) -> Result<js_sys::Array, JsValue>;
}

/// The frame `video` shows, as a JPEG `data:` URL; `None` (and a warning when it had one)
/// when it has none yet or its pixels are cross-origin.
pub fn video_frame(video: &Element, warnings: &mut Vec<String>) -> Option<String> {
    // HAVE_CURRENT_DATA: a frame is there to draw.
    if dom::get_number(video, "readyState") < 2.0 {
        return None;
    }
    let (width, height) = (
        dom::get_number(video, "videoWidth"),
        dom::get_number(video, "videoHeight"),
    );
    let frame = pixels(video, width, height, "image/jpeg").as_string()?;
    if frame.is_empty() {
        let src = dom::get_string(video, "currentSrc");
        warnings.push(concat(&["video frame not captured (cross-origin): ", &src]));
        return None;
    }
    Some(frame)
}

/// The picture `image` shows at its natural size, as a PNG `data:` URL.
pub fn image_pixels(image: &Element) -> Option<String> {
    let (width, height) = (
        dom::get_number(image, "naturalWidth"),
        dom::get_number(image, "naturalHeight"),
    );
    pixels(image, width, height, "image/png")
        .as_string()
        .filter(|p| !p.is_empty())
}

/// Makes WebGL contexts created from now on keep their drawing buffer, so that a canvas
/// without `preserveDrawingBuffer` does not read as blank between frames (see js/dom.js).
/// Called once when the SDK starts.
pub fn preserve_webgl() {
    // Only a page whose prototypes are frozen refuses; its canvases are read as they are.
    let _ = preserve_webgl_in(&dom::global());
}

/// The bytes behind `url` (a `blob:` URL) as a `data:` URL, when alive and small enough.
pub fn blob(url: &str, warnings: &mut Vec<String>) -> Option<String> {
    let data = read_url(url, MAX_BLOB_BYTES, true).as_string();
    if data.is_none() {
        warnings.push(concat(&[
            "blob: URL not copied (revoked, or over 2 MiB): ",
            url,
        ]));
    }
    data
}

/// The content of the sprite file at `url`, when it is of the page's origin.
pub fn sprite(url: &str, warnings: &mut Vec<String>) -> Option<String> {
    let content = read_url(url, MAX_SPRITE_CHARS, false)
        .as_string()
        .and_then(|text| svg_content(&text).as_string());
    if content.is_none() {
        warnings.push(concat(&[
            "SVG sprite not copied (cross-origin, unreadable or over 256 KiB): ",
            url,
        ]));
    }
    content
}

/// `[position, width, height]` of `element`'s computed style.
pub fn layout(element: &Element) -> Option<js_sys::Array> {
    computed_layout(element).ok()
}

/// `[left, top]` of the origin of absolute positions in `document`'s `<body>`.
pub fn root_origin(document: &Document) -> (f64, f64) {
    let Ok(origin) = root_origin_of(document) else {
        return (0.0, 0.0);
    };
    (
        dom::at(&origin, 0).as_f64().unwrap_or(0.0),
        dom::at(&origin, 1).as_f64().unwrap_or(0.0),
    )
}
