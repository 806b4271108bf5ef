//! Compressed copies of public documents: brotli, made **once** when a page enters the page
//! cache, and gzip, made once when a client that takes only gzip first asks (never per
//! request), and the choice among them by a request's `Accept-Encoding` (RFC 9110, section
//! 12.5.3).
//!
//! Only text types are compressed, only from [`MIN_BYTES`] up, and a copy is kept only when
//! it is smaller. Pages that hold a secret of the reader (the desk's forms with their CSRF
//! token) are never cached and so never compressed, which keeps BREACH-style guessing out.

use bytes::Bytes;
use std::io::Write;

/// Bodies shorter than this are sent as they are: a compressed copy would save less than
/// the headers it adds.
pub const MIN_BYTES: usize = 512;
/// gzip's level: 6 is zlib's (and nginx's `gzip_comp_level` 6) balance of size and time.
const GZIP_LEVEL: u32 = 6;
/// Brotli's quality. 11 saves about 5% more on a news page but takes about 20 times as long
/// (see `docs/PERFORMANCE.md`), and the first reader after each publish waits for it. 5 makes
/// our pages within 0.4% of 6's size in 10–14% less time (`examples/compression_levels.rs`);
/// 4 takes another quarter less for copies 5–7% larger, and a kept copy is sent many times.
const BROTLI_QUALITY: u32 = 5;
/// Brotli's window: 2^22 bytes, more than any page.
const BROTLI_WINDOW: u32 = 22;

/// A content coding a kept page has a copy in, besides the body as rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// `Content-Encoding: gzip`.
    Gzip,
    /// `Content-Encoding: br`.
    Brotli,
}

impl Coding {
    /// The `Content-Encoding` token.
    pub fn token(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Brotli => "br",
        }
    }
}

/// Which codings a request accepts, from its `Accept-Encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Accepted {
    /// gzip (or `x-gzip`) with a non-zero weight, or `*` without it named.
    pub gzip: bool,
    /// br with a non-zero weight, or `*` without it named.
    pub brotli: bool,
}

impl Accepted {
    /// Reads an `Accept-Encoding` value; no header (or one that is not text) accepts only
    /// identity. Weights only say yes or no here: among the accepted codings the smaller one
    /// wins, as browsers expect.
    pub fn from_header(value: Option<&[u8]>) -> Self {
        let Some(value) = value.and_then(|v| std::str::from_utf8(v).ok()) else {
            return Self::default();
        };
        let (mut gzip, mut brotli, mut any) = (None, None, None);
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let weight = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
                .next_back()
                .is_none_or(|q| q.trim().parse::<f32>().is_ok_and(|q| q > 0.0));
            let slot = if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
                &mut gzip
            } else if name.eq_ignore_ascii_case("br") {
                &mut brotli
            } else if name == "*" {
                &mut any
            } else {
                continue;
            };
            *slot = Some(weight);
        }
        let any = any.unwrap_or(false);
        Self {
            gzip: gzip.unwrap_or(any),
            brotli: brotli.unwrap_or(any),
        }
    }
}

/// Whether documents of this `Content-Type` are worth compressing (text, not images).
pub fn compressible(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence.starts_with("text/")
        || essence.ends_with("+xml")
        || essence.ends_with("+json")
        || matches!(
            essence.as_str(),
            "application/xml" | "application/json" | "application/javascript"
        )
}

/// `body` in gzip, if that is smaller.
pub fn gzip(body: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 3),
        flate2::Compression::new(GZIP_LEVEL),
    );
    encoder.write_all(body).ok()?;
    smaller(encoder.finish().ok()?, body)
}

/// `body` in brotli, if that is smaller.
pub fn brotli(body: &[u8]) -> Option<Bytes> {
    let mut out = Vec::with_capacity(body.len() / 3);
    {
        let mut writer =
            brotli::CompressorWriter::new(&mut out, 4096, BROTLI_QUALITY, BROTLI_WINDOW);
        writer.write_all(body).ok()?;
        writer.flush().ok()?;
    }
    smaller(out, body)
}

fn smaller(compressed: Vec<u8>, body: &[u8]) -> Option<Bytes> {
    (!compressed.is_empty() && compressed.len() < body.len()).then(|| Bytes::from(compressed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn accepted(header: &str) -> (bool, bool) {
        let a = Accepted::from_header(Some(header.as_bytes()));
        (a.gzip, a.brotli)
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert_eq!(accepted("gzip, deflate, br, zstd"), (true, true));
        assert_eq!(accepted("gzip"), (true, false));
        assert_eq!(accepted("GZIP;q=0.5"), (true, false));
        assert_eq!(accepted("br;q=1.0, gzip;q=0"), (false, true));
        assert_eq!(accepted("*"), (true, true));
        assert_eq!(accepted("*;q=0"), (false, false));
        assert_eq!(accepted("br;q=0, *"), (true, false));
        assert_eq!(accepted("identity"), (false, false));
        assert_eq!(accepted(""), (false, false));
        assert_eq!(accepted("gzip;q=junk"), (false, false));
        assert_eq!(accepted("x-gzip"), (true, false));
        assert_eq!(Accepted::from_header(None), Accepted::default());
        assert_eq!(
            Accepted::from_header(Some(&[0xff, b'g'])),
            Accepted::default()
        );
    }

    #[test]
    fn text_types_are_compressed_and_images_are_not() {
        for t in [
            "text/html; charset=utf-8",
            "application/rss+xml; charset=utf-8",
            "application/atom+xml",
            "application/feed+json",
            "application/xml",
            "text/plain",
        ] {
            assert!(compressible(t), "{t}");
        }
        for t in ["image/jpeg", "image/webp", "application/octet-stream", ""] {
            assert!(!compressible(t), "{t}");
        }
    }

    #[test]
    fn copies_decompress_to_the_body_and_are_smaller() {
        let body = "<p>The village board voted 5-2 to repave Main Street.</p>\n".repeat(200);
        let gz = gzip(body.as_bytes()).unwrap_or_default();
        let br = brotli(body.as_bytes()).unwrap_or_default();
        assert!(gz.len() < body.len() / 10 && br.len() < body.len() / 10);
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut back)
            .ok();
        assert_eq!(back, body);
        back.clear();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut back)
            .ok();
        assert_eq!(back, body);
    }

    #[test]
    fn a_copy_that_saves_nothing_is_dropped() {
        // xorshift: bytes with no repetition for gzip to find.
        let mut x = 0x2545_f491_u32;
        let random: Vec<u8> = (0..600)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect();
        assert!(gzip(&random).is_none());
    }
}
