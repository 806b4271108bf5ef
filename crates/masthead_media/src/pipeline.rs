//! The upload pipeline: untrusted bytes in, re-encoded web images out.
//!
//! [`process_upload`] runs these steps, cheapest refusal first:
//!
//! 1. **Size**: more than [`UploadLimits::max_bytes`] is refused before anything is parsed.
//! 2. **Sniff**: the type comes from the content's magic bytes, never from the file
//!    name or the browser's Content-Type. Only JPEG, PNG, WebP and GIF pass; SVG
//!    (which can carry script), HTML, text and everything else is refused.
//! 3. **Dimensions from the header**: a 100 kB PNG can claim 100000×100000 pixels
//!    (a "pixel flood"), so width, height and pixel count are checked against the
//!    limits before a single pixel buffer is allocated.
//! 4. **Decode under [`image::Limits`]**: the decoder gets strict width/height caps and
//!    an allocation budget, so a decompression bomb that lies in its header still
//!    can't allocate without bound.
//! 5. **Orientation**: the EXIF orientation tag (phones store portraits sideways) is
//!    applied to the pixels, because the EXIF block itself is about to be dropped.
//! 6. **Re-encode**: only pixels survive. EXIF (with GPS location), XMP, ICC profiles,
//!    comments and anything appended after the image data (polyglot payloads such as
//!    a ZIP or `<script>` trailer) are gone. Images with real transparency (an alpha
//!    channel with at least one pixel that is not fully opaque) become PNG; everything
//!    else becomes JPEG at quality [`JPEG_QUALITY`]. WebP is never produced: the
//!    `image` crate only writes lossless WebP, which is larger than JPEG for photos.
//!    Animated GIFs and WebPs keep only their first frame. 16-bit images become 8-bit,
//!    and colours are taken as sRGB (an embedded ICC profile is not applied).
//! 7. **Variants**: for each of [`VARIANT_WIDTHS`] narrower than the image, a resized
//!    copy (Lanczos3, in the same format) for `srcset`. Images are never upscaled.
//! 8. **Card**: the social card, cropped around the centre (the focal point of a new
//!    image; see [`crate::crop`]).
//!
//! This is CPU-bound work (about a tenth of a second for a 1600×1200 photo in
//! release builds, far more for a 40-megapixel one): call it from async code through
//! `tokio::task::spawn_blocking`, never directly on the runtime.

use std::io::Cursor;

use fast_image_resize::{IntoImageView, Resizer, images::Image};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::error::{ParameterError, ParameterErrorKind};
use image::metadata::Orientation;
use image::{
    DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageError, ImageFormat,
    ImageReader,
};

use crate::MediaError;

/// Widths, in pixels, of the responsive variants made for each image (only those
/// narrower than the image itself).
pub const VARIANT_WIDTHS: [u32; 4] = [320, 640, 1024, 1600];

/// JPEG quality for every JPEG this crate writes: visually clean for news photos at
/// about a third of quality-100 size.
pub const JPEG_QUALITY: u8 = 85;

/// Memory a decoder may use on top of the pixel buffer itself (Huffman tables,
/// progressive-JPEG coefficients, PNG rows, ...).
const DECODER_WORKING_MEMORY: u64 = 64 * 1024 * 1024;

/// Upper bounds for an upload; see [`process_upload`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// Largest accepted file, in bytes. Default 20 MiB.
    pub max_bytes: usize,
    /// Largest accepted width or height, in pixels. Default 12000.
    pub max_side: u32,
    /// Largest accepted width × height. Default 40 megapixels. The decoder's memory
    /// budget is derived from it: 8 bytes per pixel (16-bit RGBA) plus 64 MiB.
    pub max_pixels: u64,
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            max_bytes: 20 * 1024 * 1024,
            max_side: 12_000,
            max_pixels: 40_000_000,
        }
    }
}

/// One resized copy of an image, for `srcset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Width in pixels (one of [`VARIANT_WIDTHS`]).
    pub width: u32,
    /// Height in pixels, keeping the original's aspect ratio.
    pub height: u32,
    /// The encoded file, in the same format as the original.
    pub bytes: Vec<u8>,
}

/// The result of [`process_upload`]: a re-encoded full-size image and its variants,
/// all in one format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedImage {
    /// `"image/jpeg"` or `"image/png"`.
    pub content_type: &'static str,
    /// `"jpg"` or `"png"`, for [`storage_name`](crate::storage_name).
    pub extension: &'static str,
    /// Width of the full-size image, after EXIF orientation was applied.
    pub width: u32,
    /// Height of the full-size image, after EXIF orientation was applied.
    pub height: u32,
    /// The full-size image, re-encoded.
    pub original: Vec<u8>,
    /// Smaller copies, narrowest first; empty if the image is at most 320 pixels wide.
    pub variants: Vec<Variant>,
    /// The social card cropped around the centre, stored as
    /// [`card_name`](crate::card_name)`(name, Focus::CENTER)`.
    pub card: Variant,
}

/// What we write: the two formats every browser shows and `image` encodes well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    Jpeg,
    Png,
}

impl Output {
    fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    fn color_type(self) -> ExtendedColorType {
        match self {
            Self::Jpeg => ExtendedColorType::Rgb8,
            Self::Png => ExtendedColorType::Rgba8,
        }
    }
}

/// Checks, decodes and re-encodes an uploaded image, and makes its responsive
/// variants. See the [module docs](self) for each step and what it protects against.
///
/// Blocking and CPU-heavy: run it inside `tokio::task::spawn_blocking`.
///
/// # Errors
///
/// [`MediaError::TooLarge`] when the file or its dimensions exceed `limits`,
/// [`MediaError::UnsupportedType`] when the content is not JPEG, PNG, WebP or GIF,
/// [`MediaError::Corrupt`] when it can't be decoded, and [`MediaError::Processing`]
/// if re-encoding fails (a bug).
pub fn process_upload(bytes: &[u8], limits: &UploadLimits) -> Result<ProcessedImage, MediaError> {
    if bytes.len() > limits.max_bytes {
        return Err(MediaError::too_large(format!(
            "the file is {} and the limit is {}",
            megabytes(bytes.len()),
            megabytes(limits.max_bytes)
        )));
    }
    let format = sniff(bytes)?;
    let budget = decode_limits(limits);

    // Dimensions come from the header alone; nothing the size of the image is
    // allocated yet.
    let (width, height) = reader(bytes, format, alloc_only(&budget))
        .into_dimensions()
        .map_err(decode_error)?;
    check_dimensions(width, height, limits)?;

    let image = decode(bytes, format, budget)?;
    let output = if has_transparency(&image) {
        Output::Png
    } else {
        Output::Jpeg
    };
    let image = match output {
        Output::Jpeg => DynamicImage::ImageRgb8(image.into_rgb8()),
        Output::Png => DynamicImage::ImageRgba8(image.into_rgba8()),
    };
    let (width, height) = (image.width(), image.height());
    let original = encode(output, image.as_bytes(), width, height)?;
    let variants = make_variants(&image, output)?;
    let card = crate::crop::make_card(&image, output, crate::crop::Focus::CENTER)?;

    Ok(ProcessedImage {
        content_type: output.content_type(),
        extension: output.extension(),
        width,
        height,
        original,
        variants,
        card,
    })
}

/// The accepted format of `bytes`, judged by magic bytes only.
fn sniff(bytes: &[u8]) -> Result<ImageFormat, MediaError> {
    match image::guess_format(bytes) {
        Ok(
            format @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif),
        ) => Ok(format),
        // Unknown magic (SVG, HTML, text, ...) and formats we recognise but don't take
        // (TIFF, BMP, AVIF, ...) get the same answer: which formats we do take.
        _ => Err(MediaError::UnsupportedType),
    }
}

fn check_dimensions(width: u32, height: u32, limits: &UploadLimits) -> Result<(), MediaError> {
    if width == 0 || height == 0 {
        return Err(MediaError::Corrupt(ImageError::Parameter(
            ParameterError::from_kind(ParameterErrorKind::DimensionMismatch),
        )));
    }
    if width > limits.max_side || height > limits.max_side {
        return Err(MediaError::too_large(format!(
            "it is {width} × {height} pixels and the limit is {} pixels on each side",
            limits.max_side
        )));
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(MediaError::too_large(format!(
            "it is {width} × {height} = {:.1} megapixels and the limit is {:.1} megapixels",
            pixels as f64 / 1e6,
            limits.max_pixels as f64 / 1e6
        )));
    }
    Ok(())
}

/// The decoder limits for `limits`: strict width/height caps and an allocation budget.
fn decode_limits(limits: &UploadLimits) -> image::Limits {
    let mut budget = image::Limits::default();
    budget.max_image_width = Some(limits.max_side);
    budget.max_image_height = Some(limits.max_side);
    budget.max_alloc = Some(
        limits
            .max_pixels
            .saturating_mul(8)
            .saturating_add(DECODER_WORKING_MEMORY),
    );
    budget
}

/// `budget` without the strict dimension caps, for reading the header: an
/// over-wide image then reaches [`check_dimensions`], which names its size.
fn alloc_only(budget: &image::Limits) -> image::Limits {
    let mut limits = image::Limits::no_limits();
    limits.max_alloc = budget.max_alloc;
    limits
}

fn reader(bytes: &[u8], format: ImageFormat, limits: image::Limits) -> ImageReader<Cursor<&[u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    reader
}

/// Decodes with `budget` enforced and applies the EXIF orientation.
fn decode(
    bytes: &[u8],
    format: ImageFormat,
    mut budget: image::Limits,
) -> Result<DynamicImage, MediaError> {
    let mut decoder = reader(bytes, format, budget.clone())
        .into_decoder()
        .map_err(decode_error)?;
    // A damaged EXIF block is not worth refusing a photo over: treat it as upright.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // As `ImageReader::decode` does: the output buffer counts against the budget, and
    // the decoder gets what is left for its own allocations.
    budget
        .reserve(decoder.total_bytes())
        .map_err(decode_error)?;
    decoder.set_limits(budget).map_err(decode_error)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn decode_error(error: ImageError) -> MediaError {
    match error {
        ImageError::Limits(limit) => MediaError::too_large(format!(
            "decoding it would need more memory than uploads may use ({limit})"
        )),
        other => MediaError::Corrupt(other),
    }
}

/// Whether any pixel is less than fully opaque. An alpha channel alone is not
/// enough: many tools export opaque photos as RGBA PNGs, and those are far smaller
/// as JPEG.
fn has_transparency(image: &DynamicImage) -> bool {
    if !image.color().has_alpha() {
        return false;
    }
    match image {
        DynamicImage::ImageLumaA8(buffer) => buffer.pixels().any(|p| p.0[1] < u8::MAX),
        DynamicImage::ImageRgba8(buffer) => buffer.pixels().any(|p| p.0[3] < u8::MAX),
        DynamicImage::ImageLumaA16(buffer) => buffer.pixels().any(|p| p.0[1] < u16::MAX),
        DynamicImage::ImageRgba16(buffer) => buffer.pixels().any(|p| p.0[3] < u16::MAX),
        DynamicImage::ImageRgba32F(buffer) => buffer.pixels().any(|p| p.0[3] < 1.0),
        // A future alpha layout we don't know: keep transparency to be safe.
        _ => true,
    }
}

fn make_variants(image: &DynamicImage, output: Output) -> Result<Vec<Variant>, MediaError> {
    let (width, height) = (image.width(), image.height());
    let pixel_type = image.pixel_type().ok_or_else(|| {
        MediaError::processing("resize", std::io::Error::other("unsupported pixel type"))
    })?;
    let mut resizer = Resizer::new();
    let mut variants = Vec::new();
    for target in VARIANT_WIDTHS.into_iter().filter(|w| *w < width) {
        let scaled =
            (u64::from(height) * u64::from(target) + u64::from(width) / 2) / u64::from(width);
        // `scaled` ≤ height because target < width, so it fits in u32.
        let target_height = u32::try_from(scaled.max(1)).unwrap_or(height);
        let mut resized = Image::new(target, target_height, pixel_type);
        resizer
            .resize(image, &mut resized, None)
            .map_err(|e| MediaError::processing("resize", e))?;
        variants.push(Variant {
            width: target,
            height: target_height,
            bytes: encode(output, resized.buffer(), target, target_height)?,
        });
    }
    Ok(variants)
}

/// Encodes 8-bit RGB (JPEG) or RGBA (PNG) pixels. Neither encoder is given any
/// metadata, so none is written.
pub(crate) fn encode(
    output: Output,
    pixels: &[u8],
    width: u32,
    height: u32,
) -> Result<Vec<u8>, MediaError> {
    let mut bytes = Vec::new();
    let result = match output {
        Output::Jpeg => JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY).write_image(
            pixels,
            width,
            height,
            output.color_type(),
        ),
        Output::Png => {
            PngEncoder::new_with_quality(&mut bytes, CompressionType::Default, FilterType::Adaptive)
                .write_image(pixels, width, height, output.color_type())
        }
    };
    result.map_err(|e| MediaError::processing("encode", e))?;
    Ok(bytes)
}

/// `bytes` as "12.3 MB" (MiB, which is what file managers mostly show as MB).
fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}
