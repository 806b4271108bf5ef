//! Which story an item is (its identity) and whether it changed (its content hash).
//!
//! Identity, in this order: the feed's GUID; else the item's link (made absolute); else a
//! hash of its content. A GUID is what feeds promise to keep stable; a link usually is; the
//! content hash is the last resort, and means an edited item without either arrives as a
//! new one — nothing better exists for such feeds.
//!
//! The content hash covers what a reader sees and an editor would want updated: headline,
//! summary, body text and markup (whitespace between and around tags collapsed, so a
//! re-indented feed is not a change), link, authors, lead image and its alt text, and
//! categories. Not dates (a source that bumps `updated` without changing the story is not a
//! change), not the GUID, not the item's position, not this site's rules (attribution and
//! tracking pixel are added after hashing).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Longest identity value kept as written; longer ones are stored as their hash.
const MAX_KEY_VALUE: usize = 500;

/// What an item's identity was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    /// The feed's GUID (RSS `guid`, Atom `id`, JSON Feed `id`).
    Guid,
    /// The item's link, absolute.
    Link,
    /// The content hash.
    ContentHash,
}

/// An item's identity within its source.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identity {
    /// What it was taken from.
    pub kind: IdentityKind,
    /// The value (trimmed; a value over 500 bytes is replaced by `sha256:` and its hash).
    pub value: String,
}

impl Identity {
    pub(crate) fn new(kind: IdentityKind, value: &str) -> Self {
        let value = value.trim();
        let value = if value.len() > MAX_KEY_VALUE {
            format!("sha256:{}", hex_sha256(&[value]))
        } else {
            value.to_owned()
        };
        Self { kind, value }
    }

    /// One string to store and look up by, unique per source: `guid:…`, `link:…` or
    /// `hash:…`.
    pub fn key(&self) -> String {
        let prefix = match self.kind {
            IdentityKind::Guid => "guid",
            IdentityKind::Link => "link",
            IdentityKind::ContentHash => "hash",
        };
        format!("{prefix}:{}", self.value)
    }
}

/// The parts of an item the content hash covers.
pub(crate) struct HashedParts<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub body_html: &'a str,
    pub link: &'a str,
    pub authors: &'a [String],
    pub image: &'a str,
    pub image_alt: &'a str,
    pub categories: &'a [String],
}

/// `sha256:` and the hex digest of the parts, each length-prefixed so no two different
/// items hash the same text.
pub(crate) fn content_hash(p: &HashedParts<'_>) -> String {
    let body = squeeze_markup(p.body_html);
    let authors = p.authors.join("\u{1f}");
    let categories = p.categories.join("\u{1f}");
    let parts = [
        p.title,
        p.summary,
        &body,
        p.link,
        &authors,
        p.image,
        p.image_alt,
        &categories,
    ];
    format!("sha256:{}", hex_sha256(&parts))
}

fn hex_sha256(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
}

/// Markup with whitespace runs collapsed to one space and none beside a tag's brackets.
fn squeeze_markup(html: &str) -> String {
    let collapsed = html.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.replace("> ", ">").replace(" <", "<")
}
