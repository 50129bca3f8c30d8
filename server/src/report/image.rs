//! The evidence image: a tall PNG decoded once and cut into page-high slices.
//!
//! The `png` crate decodes (it is what krilla itself uses for PNG); each slice is handed to
//! krilla as raw RGB rows through [`CustomImage`], so no slice is re-encoded and a slice's
//! pixels are exactly the rendered page's. Transparent pixels are composited on white, as a
//! browser shows them, so the PDF needs no soft mask.

use std::hash::{Hash, Hasher};
use std::io::Cursor;
use std::sync::Arc;

use krilla::image::{BitsPerComponent, CustomImage, ImageColorspace};

/// The most memory a decoded image may take (a 2560 × 16384 RGBA screenshot is 160 MiB).
const MAX_DECODED_BYTES: usize = 256 << 20;

/// A decoded image, 8-bit RGB, row by row.
pub(crate) struct Decoded {
    rgb: Arc<Vec<u8>>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Decodes a PNG of any colour type and bit depth to 8-bit RGB.
pub(crate) fn decode(png_bytes: &[u8]) -> Result<Decoded, String> {
    decode_png(png_bytes).map_err(|e| e.to_string())
}

fn decode_png(png_bytes: &[u8]) -> Result<Decoded, png::DecodingError> {
    let limits = png::Limits {
        bytes: MAX_DECODED_BYTES,
    };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(png_bytes), limits);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info()?;
    let size = reader
        .output_buffer_size()
        .ok_or(png::DecodingError::LimitsExceeded)?;
    let mut buffer = vec![0; size];
    let info = reader.next_frame(&mut buffer)?;
    buffer.truncate(info.buffer_size());
    let rgb = match info.color_type {
        png::ColorType::Rgb => buffer,
        png::ColorType::Rgba => buffer
            .chunks_exact(4)
            .flat_map(|p| on_white(&p[..3], p[3]))
            .collect(),
        png::ColorType::Grayscale => buffer.iter().flat_map(|&g| [g, g, g]).collect(),
        png::ColorType::GrayscaleAlpha => buffer
            .chunks_exact(2)
            .flat_map(|p| on_white(&[p[0], p[0], p[0]], p[1]))
            .collect(),
        // normalize_to_color8 expands palettes, so an indexed frame cannot come out.
        png::ColorType::Indexed => return Err(png::DecodingError::LimitsExceeded),
    };
    Ok(Decoded {
        rgb: Arc::new(rgb),
        width: info.width,
        height: info.height,
    })
}

fn on_white(rgb: &[u8], alpha: u8) -> [u8; 3] {
    let a = u16::from(alpha);
    let blend = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
    [blend(rgb[0]), blend(rgb[1]), blend(rgb[2])]
}

impl Decoded {
    /// Rows `top..top + rows` as an image krilla can place.
    pub(crate) fn slice(&self, top: u32, rows: u32) -> Slice {
        Slice {
            rgb: Arc::clone(&self.rgb),
            width: self.width,
            top,
            rows,
        }
    }
}

/// A horizontal band of a [`Decoded`] image, sharing its pixels.
#[derive(Clone)]
pub(crate) struct Slice {
    rgb: Arc<Vec<u8>>,
    width: u32,
    top: u32,
    rows: u32,
}

impl Slice {
    fn bytes(&self) -> &[u8] {
        let row = self.width as usize * 3;
        &self.rgb[self.top as usize * row..(self.top + self.rows) as usize * row]
    }
}

// krilla deduplicates images by this hash, so it covers the pixels, not only the position.
impl Hash for Slice {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.width, self.rows).hash(state);
        self.bytes().hash(state);
    }
}

impl CustomImage for Slice {
    fn color_channel(&self) -> &[u8] {
        self.bytes()
    }
    fn alpha_channel(&self) -> Option<&[u8]> {
        None
    }
    fn bits_per_component(&self) -> BitsPerComponent {
        BitsPerComponent::Eight
    }
    fn size(&self) -> (u32, u32) {
        (self.width, self.rows)
    }
    fn icc_profile(&self) -> Option<&[u8]> {
        None
    }
    fn color_space(&self) -> ImageColorspace {
        ImageColorspace::Rgb
    }
}
