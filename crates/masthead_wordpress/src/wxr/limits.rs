//! The ceilings a reader keeps while it reads an export it did not write: one field, one
//! item, and how deep elements nest. Each is generous for a real WordPress site and small
//! enough that a hostile or corrupt file cannot take the importer's memory.

/// Ceilings for [`WxrReader`](super::WxrReader). Exceeding one is a
/// [`WxrError::Limit`](super::WxrError::Limit) naming the item and the ceiling; raise a
/// ceiling for a genuine export that needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WxrLimits {
    /// Bytes of one field's text (a post body, a meta value, a comment), and of any one
    /// piece of markup (a start tag with its attributes, an XML comment). Default 16 MiB:
    /// WordPress's longest column (`LONGTEXT`) could hold more, but no post does.
    pub max_field_bytes: usize,
    /// Bytes of all the text of one item: its fields, meta, terms and comments together.
    /// Default 256 MiB. This bounds the memory the reader holds at once.
    pub max_item_bytes: usize,
    /// `<wp:comment>`s of one item. Default 100,000.
    pub max_comments_per_item: usize,
    /// `<wp:postmeta>`s of one item. Default 20,000 (page builders store a few hundred).
    pub max_meta_per_item: usize,
    /// `<category>`s (categories, tags, other terms) of one item. Default 20,000.
    pub max_terms_per_item: usize,
    /// How deep elements may nest, the root `<rss>` being 1. Default 32; WordPress writes
    /// at most 6 (`rss` › `channel` › `item` › `wp:comment` › `wp:commentmeta` › `wp:meta_key`).
    pub max_depth: usize,
}

impl Default for WxrLimits {
    fn default() -> Self {
        Self {
            max_field_bytes: 16 * 1024 * 1024,
            max_item_bytes: 256 * 1024 * 1024,
            max_comments_per_item: 100_000,
            max_meta_per_item: 20_000,
            max_terms_per_item: 20_000,
            max_depth: 32,
        }
    }
}
