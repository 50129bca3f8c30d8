//! Thumbnails of evidence images for lists: the top of the page (what the consumer saw
//! first), box-filtered down to a small PNG.
//!
//! Only the rows the thumbnail needs are decoded (the `png` crate reads row by row), so a
//! 16,384-pixel-tall image costs no more than its first screen.

use std::io::Cursor;

/// Thumbnail width in pixels.
pub const WIDTH: u32 = 160;
/// Thumbnail height in pixels.
pub const HEIGHT: u32 = 120;

/// The key a CDR's thumbnail is cached under, beside its image.
pub fn key(cdr_id: &str) -> String {
    format!("cdrs/{cdr_id}/thumbnail.png")
}

/// A `WIDTH`×`HEIGHT` PNG of the top of `png` (cropped to the thumbnail's aspect ratio,
/// scaled by averaging), composited on white.
pub fn thumbnail(png_bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut decoder =
        png::Decoder::new_with_limits(Cursor::new(png_bytes), png::Limits { bytes: 64 << 20 });
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let (width, height) = {
        let info = reader.info();
        (info.width, info.height)
    };
    let (color, _) = reader.output_color_type();
    let channels = color.samples();
    if width == 0 || height == 0 {
        return Err("empty image".into());
    }
    // The crop: full width, and the height that keeps the thumbnail's aspect ratio.
    let crop_h = (u64::from(width) * u64::from(HEIGHT) / u64::from(WIDTH))
        .clamp(1, u64::from(height)) as u32;
    let mut sums = vec![0u64; (WIDTH * HEIGHT * 3) as usize];
    let mut counts = vec![0u64; (WIDTH * HEIGHT) as usize];
    for y in 0..crop_h {
        let Some(row) = reader.next_row().map_err(|e| e.to_string())? else {
            break;
        };
        let ty = (u64::from(y) * u64::from(HEIGHT) / u64::from(crop_h)) as u32;
        for (x, px) in row
            .data()
            .chunks_exact(channels)
            .enumerate()
            .take(width as usize)
        {
            let tx = (x as u64 * u64::from(WIDTH) / u64::from(width)) as u32;
            let rgb = to_rgb(px);
            let cell = (ty * WIDTH + tx) as usize;
            counts[cell] += 1;
            for c in 0..3 {
                sums[cell * 3 + c] += u64::from(rgb[c]);
            }
        }
    }
    let mut pixels = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    for (cell, &n) in counts.iter().enumerate() {
        for c in 0..3 {
            if let Some(mean) = sums[cell * 3 + c].checked_div(n) {
                pixels[cell * 3 + c] = mean as u8;
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| e.to_string())?;
    }
    Ok(out)
}

fn to_rgb(px: &[u8]) -> [u8; 3] {
    let blend = |c: u8, a: u8| {
        ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a)) + 127) / 255) as u8
    };
    match px.len() {
        1 => [px[0]; 3],
        2 => [blend(px[0], px[1]); 3],
        3 => [px[0], px[1], px[2]],
        _ => [
            blend(px[0], px[3]),
            blend(px[1], px[3]),
            blend(px[2], px[3]),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
        let mut data = Vec::new();
        for y in 0..height {
            for x in 0..width {
                data.extend_from_slice(&pixel(x, y));
            }
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .write_header()
            .unwrap()
            .write_image_data(&data)
            .unwrap();
        out
    }

    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut reader = png::Decoder::new(Cursor::new(bytes)).read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        (info.width, info.height, buf)
    }

    #[test]
    fn the_thumbnail_shows_the_top_of_a_tall_page() {
        // 640 wide: the crop is the top 480 rows. Red above 480, blue below.
        let tall = png(640, 4000, |_, y| {
            if y < 480 {
                [255, 0, 0, 255]
            } else {
                [0, 0, 255, 255]
            }
        });
        let (w, h, rgb) = decode(&thumbnail(&tall).unwrap());
        assert_eq!((w, h), (WIDTH, HEIGHT));
        assert!(
            rgb.chunks_exact(3).all(|p| p == [255, 0, 0]),
            "only the top is shown"
        );
    }

    #[test]
    fn a_short_page_is_stretched_and_transparency_is_white() {
        let short = png(800, 100, |x, _| {
            if x < 400 {
                [0, 0, 0, 255]
            } else {
                [0, 0, 0, 0]
            }
        });
        let (_, _, rgb) = decode(&thumbnail(&short).unwrap());
        let left = &rgb[..3];
        let right = &rgb[rgb.len() - 3..];
        assert_eq!(left, [0, 0, 0]);
        assert_eq!(right, [255, 255, 255]);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(thumbnail(b"not a png").is_err());
        assert!(thumbnail(&[]).is_err());
    }
}
