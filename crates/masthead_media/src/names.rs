//! Storage names: generated, unguessable, and checkable.
//!
//! A stored image is `{stem}.{ext}` where the stem is 32 lowercase hex characters
//! (128 random bits), so names can't be guessed or enumerated and never collide in
//! practice. Variants add the width: `{stem}-{width}w.{ext}`. Anything handed to
//! storage must pass [`is_valid_name`]: a stem of `[a-z0-9-]` and a known extension,
//! which rules out path separators, `..`, hidden files and odd extensions.

use std::fmt::Write as _;

/// The extensions this crate produces, with the exact Content-Type each is served as.
const KNOWN: [(&str, &str); 2] = [("jpg", "image/jpeg"), ("png", "image/png")];

/// Longest stem [`is_valid_name`] accepts (a generated stem plus a variant suffix
/// is 32 + 6).
const MAX_STEM: usize = 64;

/// A new unguessable storage name with the given extension, e.g.
/// `3f9c…e1.jpg` (32 hex characters, then `.` and `extension`).
pub fn storage_name(extension: &str) -> String {
    let random: [u8; 16] = rand::random();
    let mut name = String::with_capacity(33 + extension.len());
    for byte in random {
        // Writing to a String cannot fail.
        let _ = write!(name, "{byte:02x}");
    }
    name.push('.');
    name.push_str(extension);
    name
}

/// The name of the `width`-pixel-wide variant of `storage_name`:
/// `abc.jpg` → `abc-640w.jpg`.
pub fn variant_name(storage_name: &str, width: u32) -> String {
    match storage_name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}-{width}w.{ext}"),
        None => format!("{storage_name}-{width}w"),
    }
}

/// The original's name and the width, when `name` looks like a [`variant_name`]:
/// `abc-640w.jpg` → `("abc.jpg", 640)`. `None` for anything else. Looking alike is all
/// this checks; whether the original exists and has that variant is for the caller.
pub fn split_variant_name(name: &str) -> Option<(String, u32)> {
    let (stem, ext) = name.split_once('.')?;
    let (base, suffix) = stem.rsplit_once('-')?;
    let digits = suffix.strip_suffix('w')?;
    if base.is_empty() || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let width = digits.parse().ok()?;
    Some((format!("{base}.{ext}"), width))
}

/// Whether `name` is a name storage accepts: a non-empty stem of lowercase ASCII
/// letters, digits and `-`, one `.`, and an extension this crate produces.
pub fn is_valid_name(name: &str) -> bool {
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    !stem.is_empty()
        && stem.len() <= MAX_STEM
        && stem
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && KNOWN.iter().any(|(known, _)| *known == ext)
}

/// The Content-Type to serve a stored file with, from its (valid) name; `None` for
/// a name [`is_valid_name`] refuses.
pub fn content_type_for_name(name: &str) -> Option<&'static str> {
    if !is_valid_name(name) {
        return None;
    }
    let (_, ext) = name.split_once('.')?;
    KNOWN
        .iter()
        .find(|(known, _)| *known == ext)
        .map(|(_, content_type)| *content_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_are_valid_and_distinct() {
        let a = storage_name("jpg");
        let b = storage_name("jpg");
        assert_eq!(a.len(), 36);
        assert_ne!(a, b);
        assert!(is_valid_name(&a));
        assert!(is_valid_name(&variant_name(&a, 1600)));
    }

    #[test]
    fn variant_names_insert_the_width() {
        assert_eq!(variant_name("abc.jpg", 640), "abc-640w.jpg");
        assert_eq!(variant_name("abc", 640), "abc-640w");
    }

    #[test]
    fn variant_names_split_back_into_original_and_width() {
        let name = storage_name("png");
        assert_eq!(
            split_variant_name(&variant_name(&name, 1024)),
            Some((name.clone(), 1024))
        );
        for not_a_variant in [
            name.as_str(),
            "abc-w.jpg",
            "-640w.jpg",
            "abc-64x.jpg",
            "abc640w.jpg",
            "abc-99999999999w.jpg",
        ] {
            assert_eq!(split_variant_name(not_a_variant), None, "{not_a_variant}");
        }
    }

    #[test]
    fn odd_names_are_refused() {
        for name in [
            "",
            ".jpg",
            "../etc/passwd",
            "..",
            "a/b.jpg",
            "a\\b.jpg",
            "ABC.jpg",
            "abc.JPG",
            "abc.svg",
            "abc.html",
            "abc.jpg.html",
            "abc",
            ".tmp-abc",
            "abc.jpg\0",
        ] {
            assert!(!is_valid_name(name), "{name:?} should be refused");
        }
        assert_eq!(content_type_for_name("abc.png"), Some("image/png"));
        assert_eq!(content_type_for_name("abc-320w.jpg"), Some("image/jpeg"));
        assert_eq!(content_type_for_name("abc.gif"), None);
    }
}
