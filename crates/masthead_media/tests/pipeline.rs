//! The upload pipeline and file storage, end to end, on images generated here with
//! the `image` crate (and a few hand-crafted hostile files).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;
use std::sync::Arc;
use std::time::Instant;

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{
    Delay, DynamicImage, ExtendedColorType, Frame, ImageEncoder, ImageFormat, ImageReader, Rgb,
    RgbImage, Rgba, RgbaImage,
};
use masthead_media::{
    FileStorage, MediaError, MediaStorage, ProcessedImage, UploadLimits, process_upload,
    save_image, variant_name,
};

// ---------------------------------------------------------------- fixtures

/// A photo-like RGB image: gradients plus texture, so JPEG has something to do.
fn photo(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let noise = ((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 32) as u8;
        Rgb([
            (x * 255 / width) as u8 ^ noise,
            (y * 255 / height) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

fn png_rgba(image: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgba8,
        )
        .unwrap();
    out
}

/// A logo-like RGBA image whose left half is see-through.
fn logo(width: u32, height: u32) -> RgbaImage {
    RgbaImage::from_fn(width, height, |x, y| {
        let alpha = if x < width / 2 {
            (y * 255 / height) as u8
        } else {
            255
        };
        Rgba([200, 30, 30, alpha])
    })
}

fn decode(bytes: &[u8]) -> DynamicImage {
    ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .unwrap()
        .decode()
        .unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every output decodes, as the format it claims, at the size it claims.
fn assert_consistent(processed: &ProcessedImage) {
    let format = match processed.content_type {
        "image/jpeg" => ImageFormat::Jpeg,
        "image/png" => ImageFormat::Png,
        other => panic!("unexpected content type {other}"),
    };
    let expected_ext = if format == ImageFormat::Jpeg {
        "jpg"
    } else {
        "png"
    };
    assert_eq!(processed.extension, expected_ext);
    assert_eq!(image::guess_format(&processed.original).unwrap(), format);
    let original = decode(&processed.original);
    assert_eq!(
        (original.width(), original.height()),
        (processed.width, processed.height)
    );
    for variant in &processed.variants {
        assert_eq!(image::guess_format(&variant.bytes).unwrap(), format);
        let decoded = decode(&variant.bytes);
        assert_eq!(
            (decoded.width(), decoded.height()),
            (variant.width, variant.height)
        );
    }
}

fn variant_sizes(processed: &ProcessedImage) -> Vec<(u32, u32)> {
    processed
        .variants
        .iter()
        .map(|v| (v.width, v.height))
        .collect()
}

/// CRC-32 as PNG uses it (ISO-HDLC, reflected 0xEDB88320).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A real 1×1 PNG whose IHDR (with a correct CRC) claims `width` × `height`.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = png_rgba(&RgbaImage::from_pixel(1, 1, Rgba([0, 0, 0, 255])));
    assert_eq!(&bytes[12..16], b"IHDR");
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// A minimal big-endian EXIF APP1 segment with an orientation tag and an
/// ImageDescription standing in for private metadata (GPS, camera serial, ...).
fn exif_app1(orientation: u16, secret: &str) -> Vec<u8> {
    let mut description = secret.as_bytes().to_vec();
    description.push(0);
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\x00\x2a\x00\x00\x00\x08"); // header, IFD0 at offset 8
    tiff.extend_from_slice(&2u16.to_be_bytes()); // two entries
    // 0x010E ImageDescription, ASCII, stored after the IFD (8 + 2 + 2*12 + 4 = 38).
    tiff.extend_from_slice(&0x010Eu16.to_be_bytes());
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&(description.len() as u32).to_be_bytes());
    tiff.extend_from_slice(&38u32.to_be_bytes());
    // 0x0112 Orientation, SHORT, value inline.
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    tiff.extend_from_slice(&description);

    let mut payload = b"Exif\x00\x00".to_vec();
    payload.extend_from_slice(&tiff);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(&payload);
    segment
}

/// `jpeg` with `segment` inserted right after SOI.
fn with_segment(jpeg: &[u8], segment: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(segment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

// ---------------------------------------------------------------- accepted formats

#[test]
fn jpeg_photo_becomes_jpeg_with_three_variants() {
    let input = jpeg(&photo(1600, 1200));
    let started = Instant::now();
    let processed = process_upload(&input, &UploadLimits::default()).unwrap();
    let elapsed = started.elapsed();
    eprintln!("process_upload(1600x1200 JPEG) took {elapsed:?}");

    assert_eq!(processed.content_type, "image/jpeg");
    assert_eq!((processed.width, processed.height), (1600, 1200));
    // 1600 is not narrower than the image, so no 1600w variant; never upscaled.
    assert_eq!(
        variant_sizes(&processed),
        [(320, 240), (640, 480), (1024, 768)]
    );
    assert_consistent(&processed);
}

#[test]
fn png_with_transparency_stays_png_and_keeps_alpha() {
    let processed = process_upload(&png_rgba(&logo(700, 500)), &UploadLimits::default()).unwrap();
    assert_eq!(processed.content_type, "image/png");
    assert_eq!(variant_sizes(&processed), [(320, 229), (640, 457)]);
    assert_consistent(&processed);
    let decoded = decode(&processed.original).into_rgba8();
    assert!(decoded.get_pixel(10, 10).0[3] < 255);
    assert_eq!(decoded.get_pixel(690, 10).0[3], 255);
    let small = decode(&processed.variants[0].bytes).into_rgba8();
    assert!(small.get_pixel(5, 100).0[3] < 255);
}

#[test]
fn opaque_rgba_png_becomes_jpeg() {
    let opaque = RgbaImage::from_pixel(400, 300, Rgba([10, 120, 200, 255]));
    let processed = process_upload(&png_rgba(&opaque), &UploadLimits::default()).unwrap();
    assert_eq!(processed.content_type, "image/jpeg");
    assert_eq!(variant_sizes(&processed), [(320, 240)]);
    assert_consistent(&processed);
}

#[test]
fn webp_becomes_jpeg() {
    let source = photo(800, 600);
    let mut input = Vec::new();
    WebPEncoder::new_lossless(&mut input)
        .write_image(source.as_raw(), 800, 600, ExtendedColorType::Rgb8)
        .unwrap();
    assert_eq!(image::guess_format(&input).unwrap(), ImageFormat::WebP);

    let processed = process_upload(&input, &UploadLimits::default()).unwrap();
    assert_eq!(processed.content_type, "image/jpeg");
    assert_eq!((processed.width, processed.height), (800, 600));
    assert_eq!(variant_sizes(&processed), [(320, 240), (640, 480)]);
    assert_consistent(&processed);
}

#[test]
fn animated_gif_keeps_its_first_frame() {
    let red = RgbaImage::from_pixel(400, 300, Rgba([255, 0, 0, 255]));
    let blue = RgbaImage::from_pixel(400, 300, Rgba([0, 0, 255, 255]));
    let mut input = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut input);
        let delay = Delay::from_numer_denom_ms(100, 1);
        encoder
            .encode_frames([
                Frame::from_parts(red, 0, 0, delay),
                Frame::from_parts(blue, 0, 0, delay),
            ])
            .unwrap();
    }
    assert_eq!(image::guess_format(&input).unwrap(), ImageFormat::Gif);

    let processed = process_upload(&input, &UploadLimits::default()).unwrap();
    assert_eq!(processed.content_type, "image/jpeg");
    assert_eq!((processed.width, processed.height), (400, 300));
    assert_consistent(&processed);
    let pixel = decode(&processed.original)
        .into_rgb8()
        .get_pixel(200, 150)
        .0;
    assert!(
        pixel[0] > 200 && pixel[2] < 50,
        "first frame is red, got {pixel:?}"
    );
}

#[test]
fn small_images_get_no_variants() {
    let processed = process_upload(&jpeg(&photo(320, 200)), &UploadLimits::default()).unwrap();
    assert_eq!((processed.width, processed.height), (320, 200));
    assert!(processed.variants.is_empty());
    assert_consistent(&processed);
}

#[test]
fn tall_images_keep_their_aspect_ratio() {
    let processed = process_upload(&jpeg(&photo(700, 2100)), &UploadLimits::default()).unwrap();
    assert_eq!(variant_sizes(&processed), [(320, 960), (640, 1920)]);
    assert_consistent(&processed);
}

// ---------------------------------------------------------------- metadata and payloads

#[test]
fn exif_is_stripped_and_orientation_applied() {
    let secret = "GPS 52.5200N 13.4050E source's home";
    // Orientation 6: the camera was turned, the picture must be rotated 90° clockwise.
    let input = with_segment(&jpeg(&photo(640, 320)), &exif_app1(6, secret));
    // The fixture really carries EXIF that a decoder sees.
    let mut decoder = ImageReader::new(Cursor::new(&input))
        .with_guessed_format()
        .unwrap()
        .into_decoder()
        .unwrap();
    assert!(
        image::ImageDecoder::exif_metadata(&mut decoder)
            .unwrap()
            .is_some()
    );

    let processed = process_upload(&input, &UploadLimits::default()).unwrap();
    assert_eq!(
        (processed.width, processed.height),
        (320, 640),
        "rotated upright"
    );
    assert_consistent(&processed);
    for bytes in
        std::iter::once(&processed.original).chain(processed.variants.iter().map(|v| &v.bytes))
    {
        assert!(!contains(bytes, b"Exif"));
        assert!(!contains(bytes, secret.as_bytes()));
        assert!(!contains(bytes, b"GPS"));
    }
}

#[test]
fn polyglot_payload_after_the_jpeg_is_dropped() {
    let mut input = jpeg(&photo(400, 300));
    input.extend_from_slice(b"<script>alert(document.cookie)</script>");
    input.extend_from_slice(b"PK\x03\x04payload.jsPK\x05\x06\x00\x00\x00\x00");

    let processed = process_upload(&input, &UploadLimits::default()).unwrap();
    assert_consistent(&processed);
    for bytes in
        std::iter::once(&processed.original).chain(processed.variants.iter().map(|v| &v.bytes))
    {
        assert!(!contains(bytes, b"<script"));
        assert!(!contains(bytes, b"PK\x03\x04"));
        assert!(!contains(bytes, b"payload.js"));
    }
}

#[test]
fn comment_segment_with_html_is_dropped() {
    let mut comment = vec![0xFF, 0xFE];
    let text = b"<html><script>alert(1)</script></html>";
    comment.extend_from_slice(&((text.len() + 2) as u16).to_be_bytes());
    comment.extend_from_slice(text);
    let input = with_segment(&jpeg(&photo(200, 100)), &comment);
    let processed = process_upload(&input, &UploadLimits::default()).unwrap();
    assert!(!contains(&processed.original, b"<script"));
}

// ---------------------------------------------------------------- refused uploads

#[test]
fn non_images_are_refused_whatever_their_name() {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    let xml_svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>"#;
    let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>";
    let text = b"this is definitely a jpeg, trust me";
    let bmp = [b"BM".as_slice(), &[0u8; 64]].concat();
    let empty = b"";
    for input in [&svg[..], xml_svg, html, text, &bmp, empty] {
        let error = process_upload(input, &UploadLimits::default()).unwrap_err();
        assert!(matches!(error, MediaError::UnsupportedType), "{error:?}");
        let message = error.to_string();
        for format in ["JPEG", "PNG", "WebP", "GIF"] {
            assert!(message.contains(format), "{message}");
        }
    }
}

#[test]
fn jpeg_magic_in_front_of_html_is_corrupt() {
    let input = [
        &[0xFF, 0xD8, 0xFF, 0xE0][..],
        b"<html><script>alert(1)</script>",
    ]
    .concat();
    let error = process_upload(&input, &UploadLimits::default()).unwrap_err();
    assert!(matches!(error, MediaError::Corrupt(_)), "{error:?}");
    assert!(error.to_string().contains("damaged"));
}

#[test]
fn truncated_image_is_corrupt() {
    let full = jpeg(&photo(800, 600));
    let error = process_upload(&full[..full.len() / 3], &UploadLimits::default());
    // zune-jpeg fills a truncated scan with grey rather than failing; either way the
    // output must be a clean re-encode, never the original bytes.
    match error {
        Ok(processed) => assert_consistent(&processed),
        Err(error) => assert!(matches!(error, MediaError::Corrupt(_)), "{error:?}"),
    }
    let png = png_rgba(&logo(300, 300));
    let error = process_upload(&png[..png.len() / 2], &UploadLimits::default()).unwrap_err();
    assert!(matches!(error, MediaError::Corrupt(_)), "{error:?}");
}

#[test]
fn pixel_flood_png_is_refused_before_decoding() {
    let input = png_claiming(100_000, 100_000);
    assert!(input.len() < 100, "a tiny file");
    // Decoding would need 40 GB; refusing quickly proves nothing was allocated.
    let started = Instant::now();
    let error = process_upload(&input, &UploadLimits::default()).unwrap_err();
    assert!(started.elapsed().as_secs() < 2);
    let MediaError::TooLarge { reason } = &error else {
        panic!("expected TooLarge, got {error:?}");
    };
    assert!(reason.contains("100000 × 100000"), "{reason}");
    assert!(reason.contains("12000 pixels on each side"), "{reason}");

    // Within the side limit but over the pixel count.
    let error = process_upload(&png_claiming(9000, 9000), &UploadLimits::default()).unwrap_err();
    let MediaError::TooLarge { reason } = &error else {
        panic!("expected TooLarge, got {error:?}");
    };
    assert!(reason.contains("megapixels"), "{reason}");
}

#[test]
fn real_decompression_bomb_is_refused() {
    // 8000 × 6000 of one colour compresses to a few hundred kB but is 48 megapixels.
    let big = RgbImage::from_pixel(8000, 6000, Rgb([255, 255, 255]));
    let mut input = Vec::new();
    PngEncoder::new(&mut input)
        .write_image(big.as_raw(), 8000, 6000, ExtendedColorType::Rgb8)
        .unwrap();
    drop(big);
    assert!(input.len() < 1024 * 1024);
    let error = process_upload(&input, &UploadLimits::default()).unwrap_err();
    assert!(matches!(error, MediaError::TooLarge { .. }), "{error:?}");
}

#[test]
fn custom_limits_are_honoured() {
    let input = jpeg(&photo(1000, 500));
    let limits = UploadLimits {
        max_side: 800,
        ..UploadLimits::default()
    };
    let error = process_upload(&input, &limits).unwrap_err();
    assert!(
        error.to_string().contains("800 pixels on each side"),
        "{error}"
    );

    let limits = UploadLimits {
        max_pixels: 400_000,
        ..UploadLimits::default()
    };
    assert!(matches!(
        process_upload(&input, &limits),
        Err(MediaError::TooLarge { .. })
    ));
}

#[test]
fn oversized_files_are_refused_before_sniffing() {
    // 21 MiB of zeros would be UnsupportedType, but the size check comes first.
    let input = vec![0u8; 21 * 1024 * 1024];
    let error = process_upload(&input, &UploadLimits::default()).unwrap_err();
    let MediaError::TooLarge { reason } = &error else {
        panic!("expected TooLarge, got {error:?}");
    };
    assert!(
        reason.contains("21.0 MB") && reason.contains("20.0 MB"),
        "{reason}"
    );

    let small_limit = UploadLimits {
        max_bytes: 1000,
        ..UploadLimits::default()
    };
    let error = process_upload(&jpeg(&photo(400, 300)), &small_limit).unwrap_err();
    assert!(matches!(error, MediaError::TooLarge { .. }), "{error:?}");
}

// ---------------------------------------------------------------- storage

#[tokio::test]
async fn file_storage_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let storage = FileStorage::new(dir.path().join("media/nested")).unwrap();
    let name = masthead_media::storage_name("jpg");

    assert_eq!(storage.get(&name).await.unwrap(), None);
    storage.put(&name, b"first".to_vec()).await.unwrap();
    assert_eq!(
        storage.get(&name).await.unwrap().as_deref(),
        Some(&b"first"[..])
    );
    storage
        .put(&name, b"second, longer".to_vec())
        .await
        .unwrap();
    assert_eq!(
        storage.get(&name).await.unwrap().as_deref(),
        Some(&b"second, longer"[..])
    );

    // Only the final file is left: no temporary files.
    let files: Vec<_> = std::fs::read_dir(storage.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files, [name.as_str()]);

    storage.delete(&name).await.unwrap();
    assert_eq!(storage.get(&name).await.unwrap(), None);
    storage.delete(&name).await.unwrap(); // deleting twice is fine
}

#[tokio::test]
async fn file_storage_refuses_path_traversal() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("secret.jpg"), b"outside").unwrap();
    let storage = FileStorage::new(root.path().join("media")).unwrap();

    for name in [
        "../secret.jpg",
        "../etc/passwd",
        "/etc/passwd",
        "a/../../secret.jpg",
        "..",
        "",
    ] {
        assert_eq!(storage.get(name).await.unwrap(), None, "{name:?}");
        let error = storage.put(name, b"evil".to_vec()).await.unwrap_err();
        assert!(matches!(error, MediaError::InvalidName { .. }), "{error:?}");
        let error = storage.delete(name).await.unwrap_err();
        assert!(matches!(error, MediaError::InvalidName { .. }), "{error:?}");
    }
    assert_eq!(
        std::fs::read(root.path().join("secret.jpg")).unwrap(),
        b"outside"
    );
    assert_eq!(std::fs::read_dir(storage.dir()).unwrap().count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_never_see_a_partial_write() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(FileStorage::new(dir.path()).unwrap());
    let name = masthead_media::storage_name("png");
    let small = vec![b'a'; 10_000];
    let large = vec![b'b'; 2_000_000];
    storage.put(&name, small.clone()).await.unwrap();

    let writer = {
        let (storage, name, small, large) = (
            Arc::clone(&storage),
            name.clone(),
            small.clone(),
            large.clone(),
        );
        tokio::spawn(async move {
            for round in 0..20 {
                let bytes = if round % 2 == 0 {
                    large.clone()
                } else {
                    small.clone()
                };
                storage.put(&name, bytes).await.unwrap();
            }
        })
    };
    while !writer.is_finished() {
        let seen = storage.get(&name).await.unwrap().unwrap();
        assert!(
            seen == small || seen == large,
            "torn read of {} bytes",
            seen.len()
        );
    }
    writer.await.unwrap();
}

#[tokio::test]
async fn processed_image_is_saved_with_its_variants() {
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn MediaStorage> = Arc::new(FileStorage::new(dir.path()).unwrap());
    let input = jpeg(&photo(1100, 800));
    let processed =
        tokio::task::spawn_blocking(move || process_upload(&input, &UploadLimits::default()))
            .await
            .unwrap()
            .unwrap();
    let original = processed.original.clone();

    let name = masthead_media::storage_name(processed.extension);
    save_image(storage.as_ref(), &name, processed)
        .await
        .unwrap();
    assert!(name.ends_with(".jpg") && name.len() == 36, "{name}");
    assert_eq!(storage.get(&name).await.unwrap(), Some(original));
    for width in [320, 640, 1024] {
        let bytes = storage
            .get(&variant_name(&name, width))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(decode(&bytes).width(), width);
    }
    assert_eq!(storage.get(&variant_name(&name, 1600)).await.unwrap(), None);
}

#[tokio::test]
async fn storage_errors_say_what_failed() {
    let dir = tempfile::tempdir().unwrap();
    let storage = FileStorage::new(dir.path().join("media")).unwrap();
    std::fs::remove_dir(storage.dir()).unwrap();
    let error = storage
        .put(&masthead_media::storage_name("jpg"), vec![1])
        .await
        .unwrap_err();
    assert!(matches!(error, MediaError::Storage { .. }), "{error:?}");
    assert!(error.to_string().contains("write"), "{error}");
    assert!(std::error::Error::source(&error).is_some());
}
