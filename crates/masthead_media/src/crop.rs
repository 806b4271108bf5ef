//! Crops around a focal point: the one place an image loses part of its picture.
//!
//! Resized copies ([`VARIANT_WIDTHS`](crate::VARIANT_WIDTHS)) keep the whole picture, so
//! the focal point does not change them. A crop does: the social card (the `og:image`
//! that link previews show at about 1.91:1) is the largest box of that shape that fits
//! in the image, placed so the focal point is as near its centre as the edges allow, then
//! scaled down to at most [`CARD_WIDTH`] pixels wide. The theme's CSS crops (a square
//! author photo) follow the same point with `object-position` set by class.
//!
//! A card's name carries the focal point (`{stem}-c{x}-{y}.{ext}`, see [`card_name`]):
//! media is served as immutable for a year, so a new focal point must be a new address.

use std::io::Cursor;

use fast_image_resize::{IntoImageView, Resizer, images::Image};
use image::{DynamicImage, ImageFormat, ImageReader};

use crate::MediaError;
use crate::pipeline::{Output, Variant, encode};

/// Width of a social card, in pixels (1200 × 630 is the size the big link previews use).
pub const CARD_WIDTH: u32 = 1200;

/// Height of a social card at [`CARD_WIDTH`].
pub const CARD_HEIGHT: u32 = 630;

/// A focal point: the part of the picture every crop keeps in view, in whole percent of
/// the width (from the left) and the height (from the top).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Focus {
    /// Percent of the width, 0 to 100.
    pub x: u8,
    /// Percent of the height, 0 to 100.
    pub y: u8,
}

impl Focus {
    /// The centre: what every image has until someone chooses.
    pub const CENTER: Focus = Focus { x: 50, y: 50 };

    /// A focal point from percentages; `None` outside 0 to 100.
    pub fn new(x: i64, y: i64) -> Option<Focus> {
        let x = u8::try_from(x).ok().filter(|x| *x <= 100)?;
        let y = u8::try_from(y).ok().filter(|y| *y <= 100)?;
        Some(Focus { x, y })
    }
}

/// A rectangle inside an image, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CropBox {
    /// Left edge.
    pub left: u32,
    /// Top edge.
    pub top: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// The largest box with the shape `aspect_w : aspect_h` inside a `width` × `height` image,
/// centred on `focus` as far as the image's edges allow.
pub fn crop_box(width: u32, height: u32, aspect_w: u32, aspect_h: u32, focus: Focus) -> CropBox {
    let (w, h) = (u64::from(width), u64::from(height));
    let (aw, ah) = (u64::from(aspect_w.max(1)), u64::from(aspect_h.max(1)));
    // Full width if the image is taller than the shape, else full height.
    let (bw, bh) = if w * ah <= h * aw {
        (w, (w * ah / aw).max(1))
    } else {
        ((h * aw / ah).max(1), h)
    };
    let place = |size: u64, boxed: u64, percent: u8| -> u64 {
        let centre = size * u64::from(percent) / 100;
        centre.saturating_sub(boxed / 2).min(size - boxed)
    };
    // Each value is at most the image's side, which is a u32.
    let fit = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    CropBox {
        left: fit(place(w, bw, focus.x)),
        top: fit(place(h, bh, focus.y)),
        width: fit(bw),
        height: fit(bh),
    }
}

/// The storage name of `storage_name`'s social card cropped around `focus`:
/// `abc.jpg` → `abc-c30-70.jpg`.
pub fn card_name(storage_name: &str, focus: Focus) -> String {
    match storage_name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}-c{}-{}.{ext}", focus.x, focus.y),
        None => format!("{storage_name}-c{}-{}", focus.x, focus.y),
    }
}

/// The social card of a decoded image: its [`crop_box`] at 1200:630 around `focus`,
/// scaled down to [`CARD_WIDTH`] if wider (never up), encoded like the image.
pub(crate) fn make_card(
    image: &DynamicImage,
    output: Output,
    focus: Focus,
) -> Result<Variant, MediaError> {
    let area = crop_box(
        image.width(),
        image.height(),
        CARD_WIDTH,
        CARD_HEIGHT,
        focus,
    );
    let width = area.width.min(CARD_WIDTH);
    let scaled = u64::from(area.height) * u64::from(width) / u64::from(area.width.max(1));
    let height = u32::try_from(scaled.max(1)).unwrap_or(area.height);
    let pixel_type = image.pixel_type().ok_or_else(|| {
        MediaError::processing("crop", std::io::Error::other("unsupported pixel type"))
    })?;
    let mut cropped = Image::new(width, height, pixel_type);
    let options = fast_image_resize::ResizeOptions::new().crop(
        f64::from(area.left),
        f64::from(area.top),
        f64::from(area.width),
        f64::from(area.height),
    );
    Resizer::new()
        .resize(image, &mut cropped, Some(&options))
        .map_err(|e| MediaError::processing("crop", e))?;
    Ok(Variant {
        width,
        height,
        bytes: encode(output, cropped.buffer(), width, height)?,
    })
}

/// A new social card around `focus` for an image this crate stored (`bytes` is the
/// re-encoded original, JPEG or PNG). Blocking: run it in `spawn_blocking`.
///
/// # Errors
///
/// [`MediaError::Corrupt`] if the stored file does not decode, [`MediaError::Processing`]
/// if cropping or encoding fails.
pub fn recrop_card(bytes: &[u8], focus: Focus) -> Result<Variant, MediaError> {
    let format = match image::guess_format(bytes) {
        Ok(format @ (ImageFormat::Jpeg | ImageFormat::Png)) => format,
        _ => return Err(MediaError::UnsupportedType),
    };
    let image = ImageReader::with_format(Cursor::new(bytes), format)
        .decode()
        .map_err(MediaError::Corrupt)?;
    let (image, output) = if format == ImageFormat::Png {
        (DynamicImage::ImageRgba8(image.into_rgba8()), Output::Png)
    } else {
        (DynamicImage::ImageRgb8(image.into_rgb8()), Output::Jpeg)
    };
    make_card(&image, output, focus)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_box_in_a_tall_image_follows_the_focus_down() {
        let at = |y| crop_box(1000, 2000, 2, 1, Focus { x: 50, y });
        assert_eq!(
            at(50),
            CropBox {
                left: 0,
                top: 750,
                width: 1000,
                height: 500
            }
        );
        assert_eq!(at(10).top, 0, "clamped at the top edge");
        assert_eq!(at(30).top, 350);
        assert_eq!(at(100).top, 1500, "clamped at the bottom edge");
    }

    #[test]
    fn a_narrow_box_in_a_wide_image_follows_the_focus_across() {
        let at = |x| crop_box(4000, 1000, 1, 1, Focus { x, y: 0 });
        assert_eq!(at(50).left, 1500);
        assert_eq!(at(0).left, 0);
        assert_eq!(at(80).left, 2700);
        assert_eq!(at(80).width, 1000);
        assert_eq!(at(80).height, 1000);
    }

    #[test]
    fn focus_is_percent_and_cards_name_it() {
        assert_eq!(Focus::new(0, 100), Some(Focus { x: 0, y: 100 }));
        assert_eq!(Focus::new(101, 5), None);
        assert_eq!(Focus::new(-1, 5), None);
        assert_eq!(
            card_name("ab12.jpg", Focus { x: 30, y: 7 }),
            "ab12-c30-7.jpg"
        );
    }

    /// Half red, half blue, 2000 × 500, as the pipeline stores it (JPEG).
    fn red_and_blue() -> Vec<u8> {
        let image = image::RgbImage::from_fn(2000, 500, |x, _| {
            if x < 1000 {
                image::Rgb([220, 20, 20])
            } else {
                image::Rgb([20, 20, 220])
            }
        });
        encode(Output::Jpeg, image.as_raw(), 2000, 500).unwrap()
    }

    fn mean_colour(card: &Variant) -> [u32; 3] {
        let image = image::load_from_memory(&card.bytes).unwrap().into_rgb8();
        let n = image.pixels().len() as u32;
        let mut sum = [0u32; 3];
        for p in image.pixels() {
            for (s, c) in sum.iter_mut().zip(p.0) {
                *s += u32::from(c);
            }
        }
        sum.map(|s| s / n)
    }

    #[test]
    fn moving_the_focus_changes_the_cards_pixels() {
        let bytes = red_and_blue();
        let left = recrop_card(&bytes, Focus { x: 0, y: 50 }).unwrap();
        let right = recrop_card(&bytes, Focus { x: 100, y: 50 }).unwrap();
        // Full height, 1200:630 wide, never upscaled.
        assert_eq!((left.width, left.height), (952, 500));
        let (l, r) = (mean_colour(&left), mean_colour(&right));
        assert!(
            l[0] > 180 && l[2] < 60,
            "focus on the left keeps the red: {l:?}"
        );
        assert!(
            r[2] > 180 && r[0] < 60,
            "focus on the right keeps the blue: {r:?}"
        );
    }
}
